# syntax=docker/dockerfile:1
# The installer's worker image (also runs the codec server and every CLI command).
#   docker build -t kloudspot-installer .       (docker compose builds it for you)
# Debian (glibc), not Alpine: the Temporal core bridge ships no musl build. Nothing secret is copied in:
# the codec keys, the SSH private key and TLS client certificates are mounted at run time (compose secrets).
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Production dependencies only. The toolchain lets ssh2 build its optional native crypto and
#    cpu-features; it stays in this stage, only node_modules moves on.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 2. Build: TypeScript compiled to dist/ (tsc type-checks as it goes), then the workflow bundle written once,
#    from the same lockfile, so it matches the @temporalio/worker that runs it. The node simulator, the demo and
#    the throwaway-certificate code are development tools: removed here (src/client/dev-only.ts lists them), so
#    `sim` and `dev --simulate` say "not in this build" in the image.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY deploy/tsconfig.build.json ./deploy/
COPY src ./src
RUN npx tsc -p deploy/tsconfig.build.json \
 && rm -rf dist/src/sim dist/src/client/demo.js dist/src/client/demo.js.map dist/src/client/certs.js dist/src/client/certs.js.map \
 && node dist/src/worker/build-bundle.js dist/workflow-bundle.js

# 3. Runtime: node, production node_modules, compiled code and the bundle; runs as the unprivileged node user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    KLOUDSPOT_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    KLOUDSPOT_LOG_FORMAT=json \
    KLOUDSPOT_HEALTH_ADDRESS=0.0.0.0:8080 \
    KLOUDSPOT_METRICS_ADDRESS=0.0.0.0:9464
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# A site spec's default `ssh.privateKeyFile: ~/.ssh/id_ed25519` finds the key mounted as the
# ssh_private_key secret; the link is dangling until the secret is there.
RUN mkdir -p /home/node/.ssh \
 && ln -s /run/secrets/ssh_private_key /home/node/.ssh/id_ed25519 \
 && chown -R node:node /home/node/.ssh \
 && chmod 700 /home/node/.ssh
USER node
EXPOSE 8080 9464
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "dist/src/worker/healthcheck.js", "/healthz"]
ENTRYPOINT ["node", "dist/src/client/cli.js"]
CMD ["worker"]
