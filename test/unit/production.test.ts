// The production stack, checked without a Docker engine: docker-compose.yml and the Dockerfile are parsed
// and held to what the README's "Run in production" promises and to what the code reads (variable names,
// ports, codec endpoint, task queue, search attributes, secrets, health checks). Then the pieces of the
// worker service that the stack relies on: configuration from the compose environment, the JSON logger's
// redaction, the health endpoint.
import { ENV_KNOWN_HOSTS_FILE } from '../../src/activities/known-hosts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as yaml from 'js-yaml';
import * as ts from 'typescript';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { TASK_QUEUE } from '../../src/workflows/api';
import { DEFAULTS, ENV, ENV_ALIASES, parseDuration, parseHostPort, resolveWorkerConfig, ConfigError } from '../../src/worker/config';
import { createServiceLogger } from '../../src/worker/logging';
import { startHealthServer, type ServiceState } from '../../src/worker/health';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

type Service = Record<string, any>;
const compose = yaml.load(read('docker-compose.yml')) as { services: Record<string, Service>; volumes?: Record<string, unknown>; secrets?: Record<string, { file?: string }> };
const services = compose.services;
const svc = (name: string): Service => {
  assert.ok(services[name], `docker-compose.yml has a ${name} service`);
  return services[name];
};
const envOf = (s: Service): Record<string, string> => {
  const e = s.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv: string) => [kv.split('=')[0], kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
};
/** "127.0.0.1:8080:8080" → { host, published, target }. */
const ports = (s: Service) => (s.ports ?? []).map((p: string) => {
  const parts = String(p).split(':');
  return parts.length === 3 ? { host: parts[0], published: Number(parts[1]), target: Number(parts[2]) } : { host: '0.0.0.0', published: Number(parts[0]), target: Number(parts[1] ?? parts[0]) };
});
const flagValues = (argv: string[], flag: string): string[] => {
  const i = argv.indexOf(flag);
  if (i < 0) return [];
  const out: string[] = [];
  for (let j = i + 1; j < argv.length && !argv[j].startsWith('--'); j++) out.push(argv[j]);
  return out;
};
/** Compose's ${VAR:-default} with nothing set: the default. */
const interpolate = (s: string) => s.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const secretsOf = (s: Service): string[] => (s.secrets ?? []).map((x: string | { source: string }) => (typeof x === 'string' ? x : x.source));

const readme = read('README.md');
const production = readme.slice(readme.indexOf('## Run in production'));
const nextSection = production.indexOf('\n## ', 5);
const section = nextSection > 0 ? production.slice(0, nextSection) : production;

const LONG_RUNNING = ['postgresql', 'temporal', 'temporal-ui', 'codec-server', 'worker'];
const ONE_SHOT = ['temporal-schema', 'temporal-setup'];

test('README has a "Run in production" section covering the stack, scaling, safe upgrades, backups and key rotation', () => {
  assert.ok(readme.includes('## Run in production'));
  for (const heading of ['### Scaling workers', '### Upgrading a worker safely', '### Backing up the database', '### Rotating the payload key']) {
    assert.ok(section.includes(heading), `section has "${heading}"`);
  }
  for (const cmd of ['kloudspot-installer history', 'replay', 'codec-key rotate', '--scale worker=', 'pg_restore', '--profile backup']) {
    assert.ok(section.includes(cmd), `section shows \`${cmd}\``);
  }
  // The worker's variables: every one the code reads is documented, and the table names no other.
  const start = section.indexOf('### The worker\'s configuration');
  const table2 = section.slice(start, section.indexOf('\n\n', section.indexOf('| variable |', start)));
  const documented = new Set([...table2.matchAll(/`((?:TEMPORAL|KLOUDSPOT)_[A-Z_]+)`/g)].map((m) => m[1]));
  // The worker's own settings, and the activities' one (the host-key pins).
  const read_ = new Set<string>([...Object.values(ENV), ...Object.values(ENV_ALIASES), ENV_KNOWN_HOSTS_FILE]);
  assert.deepEqual([...read_].filter((v) => !documented.has(v)), [], 'every variable the worker reads is in the README');
  assert.deepEqual([...documented].filter((v) => !read_.has(v)), [], 'the README documents no variable the worker ignores');
  // Every service in the README's table is in the compose file, and the other way round.
  const table = [...section.matchAll(/^\| `([a-z0-9-]+)` \| /gm)].map((m) => m[1]);
  assert.deepEqual(new Set(table), new Set(Object.keys(services)), 'the services table lists exactly the compose services');
});

test('compose: every long-running service has a health check, one-shots run to completion, images are pinned', () => {
  for (const name of LONG_RUNNING) {
    const s = svc(name);
    assert.ok(Array.isArray(s.healthcheck?.test) && s.healthcheck.test.length > 1, `${name} has a health check`);
    assert.ok(['unless-stopped', 'always'].includes(s.restart), `${name} restarts`);
  }
  for (const name of ONE_SHOT) assert.match(svc(name).restart, /^on-failure/, `${name} is a one-shot retried on failure`);
  for (const [name, s] of Object.entries(services)) {
    assert.ok(s.image, `${name} names its image`);
    const image = interpolate(s.image);
    assert.match(image, /:[\w.-]+$/, `${name}: image ${image} has a tag`);
    assert.doesNotMatch(image, /:latest$/, `${name}: image ${image} is pinned`);
    if (!s.build) assert.doesNotMatch(image, /^kloudspot-installer/, `${name}: our image is built here`);
  }
  // The order things start in: database, schema, server, namespace and search attributes, then workers.
  assert.equal(svc('temporal-schema').depends_on.postgresql.condition, 'service_healthy');
  assert.equal(svc('temporal').depends_on['temporal-schema'].condition, 'service_completed_successfully');
  assert.equal(svc('temporal-setup').depends_on.temporal.condition, 'service_healthy');
  assert.equal(svc('worker').depends_on['temporal-setup'].condition, 'service_completed_successfully');
  // The admin tools match the server release.
  const server = interpolate(svc('temporal').image).split(':')[1];
  for (const name of ONE_SHOT) assert.ok(interpolate(svc(name).image).split(':')[1].startsWith(server), `${name} admin-tools match server ${server}`);
  assert.equal(svc('postgres-backup').profiles?.[0], 'backup', 'the backup runs only on demand');
});

test('compose: PostgreSQL on a named volume, not published; Temporal configured from deploy/ with updates on', () => {
  const pg = svc('postgresql');
  const dataMount = (pg.volumes as string[]).find((v) => v.endsWith(':/var/lib/postgresql/data'));
  assert.ok(dataMount, 'PostgreSQL data on a volume');
  const volume = dataMount!.split(':')[0];
  assert.ok(compose.volumes && volume in compose.volumes, `${volume} is a named volume`);
  assert.equal(pg.ports, undefined, 'the database is not published');
  assert.match(pg.healthcheck.test.join(' '), /pg_isready/);

  const t = svc('temporal');
  const env = envOf(t);
  assert.equal(env.DB, 'postgres12');
  assert.equal(env.POSTGRES_SEEDS, 'postgresql');
  assert.equal(env.POSTGRES_PWD, undefined, 'no password in the server environment');
  const dc = (t.volumes as string[]).find((v) => v.includes('dynamicconfig'))!;
  const [hostDir, containerDir] = dc.split(':');
  const dcFile = join(ROOT, hostDir, relative('config/dynamicconfig', env.DYNAMIC_CONFIG_FILE_PATH));
  assert.equal(containerDir, '/etc/temporal/config/dynamicconfig');
  assert.ok(existsSync(dcFile), `${dcFile} exists`);
  const dynamic = yaml.load(readFileSync(dcFile, 'utf8')) as Record<string, { value: unknown }[]>;
  assert.equal(dynamic['frontend.enableUpdateWorkflowExecution']?.[0]?.value, true, 'updates enabled (the CLI answers with them)');
  assert.ok(t.entrypoint.join(' ').endsWith('exec /etc/temporal/entrypoint.sh'), 'the image entrypoint still runs');
  assert.deepEqual(ports(t), [{ host: '127.0.0.1', published: 7233, target: 7233 }]);
  assert.ok(section.includes('127.0.0.1:7233'), 'README names the server port');

  for (const name of ONE_SHOT) {
    const script = svc(name).command[0].replace('/deploy/', 'deploy/temporal/');
    assert.ok(existsSync(join(ROOT, script)), `${script} exists`);
    const text = read(script);
    execFileSync('sh', ['-n', join(ROOT, script)]);
    for (const v of Object.keys(envOf(svc(name)))) if (!['DB', 'DB_PORT'].includes(v)) assert.ok(text.includes(v), `${script} reads ${v}`);
  }
});

test('compose: the search attributes registered on start are the ones the code sets, in the worker\'s namespace', () => {
  const env = envOf(svc('temporal-setup'));
  const registered = Object.fromEntries(env.KLOUDSPOT_SEARCH_ATTRIBUTES.split(/\s+/).map((p) => p.split('=')));
  assert.deepEqual(registered, { ...SEARCH_ATTRIBUTES });
  assert.equal(env.TEMPORAL_NAMESPACE, envOf(svc('worker')).TEMPORAL_NAMESPACE);
  assert.equal(env.TEMPORAL_ADDRESS, envOf(svc('worker')).TEMPORAL_ADDRESS);
  for (const name of Object.keys(SEARCH_ATTRIBUTES)) assert.ok(section.includes(name), `README names ${name}`);
});

test('compose: the Web UI\'s codec endpoint is our codec server, which allows exactly the UI\'s origins', () => {
  const ui = svc('temporal-ui');
  const codec = svc('codec-server');
  const uiEnv = envOf(ui);
  const uiPort = ports(ui)[0];
  assert.equal(uiPort.host, '127.0.0.1', 'the UI is published on loopback only');
  assert.equal(String(uiPort.target), uiEnv.TEMPORAL_UI_PORT);
  assert.equal(uiEnv.TEMPORAL_ADDRESS, 'temporal:7233');

  assert.equal(codec.command[0], 'codec-server');
  assert.equal(codec.image, svc('worker').image, 'the codec server runs the worker image');
  assert.equal(codec.network_mode, 'host', 'the codec server listens on the host, where the browser is');
  const host = flagValues(codec.command, '--host')[0];
  const port = Number(flagValues(codec.command, '--port')[0]);
  assert.ok(codec.command.includes('--no-token'));
  assert.ok(['127.0.0.1', '::1'].includes(host), 'without a token, loopback only');
  const endpoint = new URL(uiEnv.TEMPORAL_CODEC_ENDPOINT);
  assert.equal(endpoint.protocol, 'http:');
  assert.ok(['127.0.0.1', 'localhost'].includes(endpoint.hostname), 'the browser reaches it on loopback');
  assert.equal(Number(endpoint.port), port, 'the UI points at the codec server\'s port');
  const origins = new Set(flagValues(codec.command, '--ui-origin'));
  assert.deepEqual(origins, new Set([`http://localhost:${uiPort.published}`, `http://127.0.0.1:${uiPort.published}`]), 'the codec server allows the UI\'s origins');
  assert.ok(codec.healthcheck.test.join(' ').includes(`127.0.0.1:${port}/healthz`), 'its health check asks its own port');
  assert.deepEqual(secretsOf(codec), ['codec_keys']);
  assert.equal(envOf(codec)[ENV.codecKeyFile], '/run/secrets/codec_keys');
  assert.ok(section.includes(`http://127.0.0.1:${uiPort.published}`) && section.includes(`127.0.0.1:${port}`), 'README names the UI and codec addresses');
});

test('compose: the worker\'s environment is what the code reads, and it resolves to a valid configuration', () => {
  const w = svc('worker');
  const env = envOf(w);
  // NODE_OPTIONS is node's own (the heap cap, docs/performance.md).
  const known = new Set<string>([...Object.values(ENV), ...Object.values(ENV_ALIASES), 'NODE_OPTIONS']);
  for (const name of Object.keys(env)) assert.ok(known.has(name), `the worker reads ${name}`);
  assert.equal(env[ENV.taskQueue], TASK_QUEUE, 'the task queue installs are started on');
  assert.equal(w.build.dockerfile, 'Dockerfile');
  assert.equal(w.init, true);
  assert.equal(w.ports, undefined, 'no fixed host ports, so the worker scales');
  assert.deepEqual(new Set(secretsOf(w)), new Set(['codec_keys', 'ssh_private_key', 'mtls_ca', 'mtls_worker_cert', 'mtls_worker_key']));
  assert.equal(env[ENV.codecKeyFile], '/run/secrets/codec_keys');

  const cfg = resolveWorkerConfig({}, env);
  assert.equal(cfg.address, 'temporal:7233');
  assert.equal(cfg.taskQueue, TASK_QUEUE);
  assert.equal(cfg.logFormat, 'json');
  assert.deepEqual(cfg.tls, { cert: '/run/secrets/mtls_worker_cert', key: '/run/secrets/mtls_worker_key', ca: '/run/secrets/mtls_ca', serverName: 'temporal' });
  assert.deepEqual(cfg.health, { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(cfg.metrics, { host: '0.0.0.0', port: 9464 });
  assert.ok(cfg.maxConcurrentActivities && cfg.maxConcurrentWorkflowTasks);
  // A capped heap comes with an explicit cache size: the SDK would size the cache from the cap (10 at 192 MB).
  const heapCap = /--max-old-space-size=(\d+)/.exec(String(env.NODE_OPTIONS ?? ''));
  if (heapCap) assert.ok((cfg.maxCachedWorkflows ?? 0) >= 200, 'KLOUDSPOT_MAX_CACHED_WORKFLOWS set alongside --max-old-space-size');
  const expose = (w.expose as string[]).map(Number);
  assert.ok(expose.includes(cfg.health!.port) && expose.includes(cfg.metrics!.port), 'health and metrics ports exposed on the network');
  assert.ok(w.healthcheck.test.join(' ').includes('dist/src/worker/healthcheck.js'), 'the health check asks /healthz at KLOUDSPOT_HEALTH_ADDRESS');
  // docker compose stop waits longer than the worker's grace plus the 15 s cancelled steps get.
  assert.equal(w.stop_signal, 'SIGTERM');
  assert.ok(parseDuration(w.stop_grace_period, 'stop_grace_period') > cfg.shutdownGraceMs + 15_000, 'stop_grace_period covers the shutdown grace');
});

test('compose: secrets are files from a git-ignored directory, never environment values or image content', () => {
  const declared = compose.secrets ?? {};
  const mtls = ['mtls_ca', 'mtls_frontend_cert', 'mtls_frontend_key', 'mtls_worker_cert', 'mtls_worker_key', 'mtls_cli_cert', 'mtls_cli_key'];
  assert.deepEqual(new Set(Object.keys(declared)), new Set(['codec_keys', 'ssh_private_key', 'postgres_password', ...mtls]));
  for (const [name, s] of Object.entries(declared)) {
    assert.ok(s.file, `${name} comes from a file`);
    const file = interpolate(s.file!);
    assert.ok(file.startsWith('./deploy/secrets/'), `${name} lives in deploy/secrets/`);
    execFileSync('git', ['check-ignore', '-q', file], { cwd: ROOT }); // throws when not ignored
  }
  for (const [name, s] of Object.entries(services)) {
    for (const [k, v] of Object.entries(envOf(s))) {
      const harmless = (k.endsWith('_FILE') && v.startsWith('/run/secrets/')) || v === 'true' || v === 'false';
      if (/PASSWORD|PWD|SECRET|TOKEN|API_KEY/.test(k) && !harmless) assert.fail(`${name}: ${k} puts a secret in the environment`);
      assert.doesNotMatch(v, /PRIVATE KEY/, `${name}: ${k}`);
    }
    for (const used of secretsOf(s)) assert.ok(used in declared, `${name} uses declared secret ${used}`);
  }
  // Everyone who needs the database password gets it as a file.
  for (const name of ['postgresql', 'temporal-schema', 'temporal', 'postgres-backup']) assert.ok(secretsOf(svc(name)).includes('postgres_password'), name);
  assert.equal(envOf(svc('postgresql')).POSTGRES_PASSWORD_FILE, '/run/secrets/postgres_password');
});

// ---- Dockerfile ----

interface Stage { from: string; name?: string; lines: { op: string; args: string }[] }
function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const l of joined) {
    const [op, ...rest] = l.split(/\s+/);
    const a = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(a)!;
      stages.push({ from: m[1].replace(/\$\{(\w+)\}/g, (_, v) => args[v] ?? ''), name: m[2], lines: [] });
    } else if (!stages.length && op.toUpperCase() === 'ARG') {
      const [k, v] = a.split('=');
      args[k] = v;
    } else if (stages.length) {
      stages[stages.length - 1].lines.push({ op: op.toUpperCase(), args: a });
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const final = dockerfile.stages[dockerfile.stages.length - 1];
const finalEnv = Object.fromEntries(final.lines.filter((l) => l.op === 'ENV').flatMap((l) => l.args.split(/\s+/).map((kv) => kv.split('='))));

test('Dockerfile: multi-stage on Debian (glibc), production dependencies only, non-root, with a health check', () => {
  assert.ok(dockerfile.stages.length >= 3, 'dependencies, build and runtime stages');
  for (const s of dockerfile.stages) {
    assert.match(s.from, /^node:20(\.\d+)*-(bookworm|bullseye)(-slim)?$/, `${s.name}: a glibc Node 20 image, not Alpine (no musl core bridge)`);
  }
  const byName = Object.fromEntries(dockerfile.stages.map((s) => [s.name, s]));
  const run = (s: Stage) => s.lines.filter((l) => l.op === 'RUN').map((l) => l.args).join('\n');
  assert.match(run(byName.deps), /npm ci --omit=dev/, 'the runtime dependencies are production only');
  assert.match(run(byName.build), /tsc -p deploy\/tsconfig\.build\.json/);
  assert.match(run(byName.build), /node dist\/src\/worker\/build-bundle\.js (\S+)/, 'the workflow bundle is built into the image');
  const bundleOut = /build-bundle\.js (\S+)/.exec(run(byName.build))![1];
  assert.equal(finalEnv[ENV.workflowBundle], `/app/${bundleOut}`, 'the worker loads the bundle the build wrote');
  const copies = final.lines.filter((l) => l.op === 'COPY').map((l) => l.args);
  assert.ok(copies.some((c) => /--from=deps \/app\/node_modules/.test(c)), 'node_modules from the production-only stage');
  assert.ok(!copies.some((c) => /--from=build \/app\/node_modules/.test(c)), 'not the build stage\'s dev dependencies');

  const users = final.lines.filter((l) => l.op === 'USER').map((l) => l.args);
  assert.ok(users.length > 0 && !['root', '0'].includes(users[users.length - 1].split(':')[0]), 'runs as a non-root user');
  const hc = final.lines.find((l) => l.op === 'HEALTHCHECK');
  assert.ok(hc && /dist\/src\/worker\/healthcheck\.js/.test(hc.args), 'HEALTHCHECK asks the worker');
  const entry = final.lines.find((l) => l.op === 'ENTRYPOINT')!.args;
  assert.deepEqual(JSON.parse(entry), ['node', 'dist/src/client/cli.js']);
  assert.deepEqual(JSON.parse(final.lines.find((l) => l.op === 'CMD')!.args), ['worker']);
  // What the image promises, the worker reads, and the ports are exposed.
  for (const k of Object.keys(finalEnv)) assert.ok(!k.startsWith('KLOUDSPOT_') || Object.values(ENV).includes(k as never), `the worker reads ${k}`);
  const cfg = resolveWorkerConfig({}, { ...finalEnv, [ENV.codecKeyFile]: '/run/secrets/codec_keys' });
  const exposed = final.lines.filter((l) => l.op === 'EXPOSE').flatMap((l) => l.args.split(/\s+/).map(Number));
  assert.deepEqual(new Set(exposed), new Set([cfg.health!.port, cfg.metrics!.port]));
  assert.equal(cfg.workflowBundle, finalEnv[ENV.workflowBundle]);
});

test('Dockerfile: no secret is copied in, the build context excludes everything else, and the paths it runs exist', () => {
  const ignore = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.equal(ignore[0], '*', '.dockerignore starts from nothing');
  const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  for (const s of dockerfile.stages) {
    for (const l of s.lines.filter((x) => x.op === 'COPY' || x.op === 'ADD')) {
      assert.equal(l.op, 'COPY', 'no ADD (no remote or archive magic)');
      if (l.args.includes('--from=')) continue;
      const srcs = l.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1);
      for (const src of srcs) {
        assert.doesNotMatch(src, /^\.$|secrets|\.pem$|\.key$|codec-keys|\.env|id_(rsa|ed25519)/, `COPY ${src} could carry a secret`);
        assert.ok(allowed.some((a) => a === src || a === `${src}/**` || a.startsWith(`${src}/`)), `${src} is in the build context`);
        assert.ok(existsSync(join(ROOT, src)), `${src} exists`);
      }
    }
  }
  for (const blocked of ['**/*.pem', '**/*.key', '**/*codec-keys*.json', '**/.env']) assert.ok(ignore.includes(blocked), `.dockerignore blocks ${blocked}`);
  assert.ok(!allowed.some((a) => a.startsWith('deploy/secrets') || a === 'deploy/**'), 'deploy/secrets never enters the context');

  // The build config compiles src/ to dist/src/, where the Dockerfile runs the CLI, the bundler and the health check.
  const cfgPath = join(ROOT, 'deploy', 'tsconfig.build.json');
  const raw = ts.readConfigFile(cfgPath, ts.sys.readFile);
  assert.equal(raw.error, undefined);
  const parsed = ts.parseJsonConfigFileContent(raw.config, ts.sys, join(ROOT, 'deploy'));
  assert.equal(parsed.options.noEmit, false);
  const outDir = parsed.options.outDir!;
  const rootDir = parsed.options.rootDir!;
  for (const entry of ['src/client/cli.ts', 'src/worker/build-bundle.ts', 'src/worker/healthcheck.ts']) {
    assert.ok(parsed.fileNames.map((f) => resolve(f)).includes(join(ROOT, entry)), `${entry} is compiled`);
    const out = relative(ROOT, join(outDir, relative(rootDir, join(ROOT, entry)))).replace(/\.ts$/, '.js');
    assert.ok(read('Dockerfile').includes(out) || read('docker-compose.yml').includes(out), `${out} is what the image runs`);
  }
});

// ---- the worker service pieces the stack relies on ----

test('worker config: flags over environment over defaults; mistakes are refused with the fix', () => {
  const env = { TEMPORAL_ADDRESS: 'env:7233', KLOUDSPOT_TASK_QUEUE: 'q-env', TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem', TEMPORAL_TLS_KEY: '/k.pem' };
  const c = resolveWorkerConfig({ address: 'flag:7233' }, env);
  assert.equal(c.address, 'flag:7233');
  assert.equal(c.taskQueue, 'q-env');
  assert.deepEqual(c.tls, { cert: '/c.pem', key: '/k.pem', ca: undefined, serverName: undefined }, 'mTLS from Temporal\'s own variable names too');
  assert.equal(c.shutdownGraceMs, parseDuration(DEFAULTS.shutdownGrace, 'x'));
  assert.equal(resolveWorkerConfig({}, { TEMPORAL_API_KEY: 'k' }).tls !== undefined, true, 'an API key implies TLS');
  assert.deepEqual(parseHostPort('[::]:9464', 'x'), { host: '::', port: 9464 });
  assert.throws(() => resolveWorkerConfig({}, { TEMPORAL_TLS_CERT: '/c.pem' }), (e: Error) => e instanceof ConfigError && /TEMPORAL_TLS_KEY/.test(e.message));
  assert.throws(() => resolveWorkerConfig({ maxConcurrentWorkflowTasks: '1' }, {}), /from 2 to/);
  assert.equal(resolveWorkerConfig({}, { KLOUDSPOT_MAX_CACHED_WORKFLOWS: '400' }).maxCachedWorkflows, 400);
  assert.throws(() => resolveWorkerConfig({ maxCachedWorkflows: 'lots' }, {}), /max cached workflows/);
  assert.throws(() => resolveWorkerConfig({ metricsAddress: 'metrics.local:9464' }, {}), /IP address/);
  assert.throws(() => resolveWorkerConfig({ shutdownGrace: 'soon' }, {}), /duration/);
  assert.throws(() => resolveWorkerConfig({ logFormat: 'xml' }, {}), /json or text/);
});

test('worker logs: one JSON object per line, private keys and secret fields redacted, errors reduced to message and type', () => {
  const lines: string[] = [];
  const logger = createServiceLogger({ format: 'json', level: 'INFO', write: (l) => lines.push(l) });
  const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----';
  const err = Object.assign(new Error(`upload failed: ${pem}`), { type: 'SshCommandFailed', nonRetryable: false });
  logger.warn('Activity failed', { sdkComponent: 'activity', error: err, input: { privateKeyPem: 'x', token: 'join-123', node: 'vm-1' } });
  logger.debug('not at INFO', {});
  assert.equal(lines.length, 1);
  const rec = JSON.parse(lines[0]);
  assert.equal(rec.level, 'WARN');
  assert.equal(rec.msg, 'Activity failed');
  assert.match(rec.ts, /^\d{4}-\d\d-\d\dT/);
  assert.equal(rec.error.type, 'SshCommandFailed');
  assert.equal(rec.error.stack, undefined, 'no stacks at INFO');
  assert.equal(rec.input.node, 'vm-1');
  assert.ok(!lines[0].includes('b3BlbnNzaC1rZXkt') && !lines[0].includes('join-123') && !/"privateKeyPem":"x"/.test(lines[0]), lines[0]);
  const text: string[] = [];
  createServiceLogger({ format: 'text', level: 'INFO', write: (l) => text.push(l) }).info('worker started', { taskQueue: 'q' });
  assert.match(text[0], /INFO  worker started taskQueue=q$/);
});

test('health endpoint: /healthz live while starting, polling or draining; /readyz only while polling and the server answers', async () => {
  let state: ServiceState = 'CONNECTING';
  let reachable = true;
  const h = await startHealthServer({ host: '127.0.0.1', port: 0, cacheMs: 0, source: { state: () => state, details: () => ({ identity: 'w' }), serverReachable: async () => reachable } });
  try {
    const get = async (p: string) => { const r = await fetch(h.url + p); return { status: r.status, body: await r.json() as Record<string, unknown> }; };
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/readyz')).status, 503);
    state = 'RUNNING';
    assert.deepEqual(await get('/readyz'), { status: 200, body: { status: 'ready', state: 'RUNNING' } });
    reachable = false;
    assert.equal((await get('/readyz')).status, 503, 'not ready when the server does not answer');
    state = 'DRAINING';
    assert.equal((await get('/healthz')).status, 200, 'draining is alive');
    assert.equal((await get('/readyz')).status, 503, 'draining is not ready');
    state = 'FAILED';
    assert.equal((await get('/healthz')).status, 503);
    assert.equal((await get('/nope')).status, 404);
  } finally {
    await h.close();
  }
});
