#!/bin/sh
# One-shot namespace and search-attribute setup (docker-compose service temporal-setup, image
# temporalio/admin-tools), run once the server is healthy; idempotent, so it runs on every `docker compose up`.
#   TEMPORAL_NAMESPACE            the installer's namespace (default "default")
#   NAMESPACE_RETENTION           how long closed installs stay readable (default 30d)
#   KLOUDSPOT_SEARCH_ATTRIBUTES   "Name=Type ..." as in src/temporal/search-attributes.ts (checked by test/unit/production.test.ts)
#   TEMPORAL_CLI                  the temporal CLI binary (default: temporal on PATH; the native stack sets it)
#   TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH,
#   TEMPORAL_TLS_SERVER_NAME      mTLS to the frontend: read by the temporal CLI itself (its --tls-* flags)
# `kloudspot-installer setup` does the same through the server's API, for a server you do not run yourself.
set -eu
temporal() { command "${TEMPORAL_CLI:-temporal}" "$@"; }
: "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS}"
: "${KLOUDSPOT_SEARCH_ATTRIBUTES:?set KLOUDSPOT_SEARCH_ATTRIBUTES}"
NS="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-30d}"

echo "waiting for the Temporal server at ${TEMPORAL_ADDRESS}"
i=0
until temporal operator cluster health --address "${TEMPORAL_ADDRESS}" >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -ge 90 ] && { echo "the Temporal server did not become healthy"; exit 1; }
  sleep 2
done

if temporal operator namespace describe --address "${TEMPORAL_ADDRESS}" -n "${NS}" >/dev/null 2>&1; then
  echo "namespace ${NS} exists"
else
  temporal operator namespace create --address "${TEMPORAL_ADDRESS}" -n "${NS}" --retention "${RETENTION}"
  echo "namespace ${NS} created (retention ${RETENTION})"
fi

# The namespace is usable a moment after creation; retry the listing until it answers.
i=0
until existing="$(temporal operator search-attribute list --address "${TEMPORAL_ADDRESS}" -n "${NS}" 2>/dev/null)"; do
  i=$((i + 1)); [ "$i" -ge 30 ] && { echo "cannot list search attributes of ${NS}"; exit 1; }
  sleep 2
done
for pair in ${KLOUDSPOT_SEARCH_ATTRIBUTES}; do
  name="${pair%%=*}"; type="${pair##*=}"
  if printf '%s\n' "${existing}" | grep -qw "${name}"; then
    echo "search attribute ${name} exists"
  else
    temporal operator search-attribute create --address "${TEMPORAL_ADDRESS}" -n "${NS}" --name "${name}" --type "${type}"
    echo "search attribute ${name} (${type}) registered"
  fi
done
echo "namespace ${NS} ready"
