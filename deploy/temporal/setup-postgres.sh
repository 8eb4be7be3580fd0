#!/bin/sh
# One-shot schema setup (docker-compose service temporal-schema, image temporalio/admin-tools): creates the
# temporal and temporal_visibility databases and brings both schemas to the version this server image ships.
# Safe to run on every `docker compose up`: creating an existing database is a no-op for temporal-sql-tool,
# and update-schema applies only the versions not yet applied. Follows temporalio/samples-server compose.
# Outside Docker (`npm run stack`, src/stack/schema.ts) the same script runs with these set as well:
#   TEMPORAL_SQL_TOOL    the temporal-sql-tool binary (default: temporal-sql-tool on PATH)
#   TEMPORAL_SCHEMA_DIR  the server's schema/postgresql/v12 (default: where the admin-tools image has it)
set -eu
: "${POSTGRES_SEEDS:?set POSTGRES_SEEDS}"
: "${POSTGRES_USER:?set POSTGRES_USER}"
# The password comes from a file (a compose secret), so it shows in no container's environment.
if [ -n "${SQL_PASSWORD_FILE:-}" ]; then
  SQL_PASSWORD="$(cat "${SQL_PASSWORD_FILE}")"
  export SQL_PASSWORD
fi
: "${SQL_PASSWORD:?set SQL_PASSWORD_FILE (or SQL_PASSWORD)}"
PORT="${DB_PORT:-5432}"
SCHEMA="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
SQL_TOOL="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"

# The native stack starts PostgreSQL and waits for it before; a host without nc skips this wait.
if command -v nc >/dev/null 2>&1; then
  echo "waiting for PostgreSQL at ${POSTGRES_SEEDS}:${PORT}"
  i=0
  until nc -z -w 5 "${POSTGRES_SEEDS}" "${PORT}"; do
    i=$((i + 1)); [ "$i" -ge 60 ] && { echo "PostgreSQL did not answer"; exit 1; }
    sleep 2
  done
fi

sql() { "${SQL_TOOL}" --plugin postgres12 --ep "${POSTGRES_SEEDS}" -u "${POSTGRES_USER}" -p "${PORT}" "$@"; }
for db in temporal:temporal temporal_visibility:visibility; do
  name="${db%%:*}"; dir="${db##*:}"
  echo "schema of ${name}"
  sql --db "${name}" create
  sql --db "${name}" setup-schema -v 0.0
  sql --db "${name}" update-schema -d "${SCHEMA}/${dir}/versioned"
done
echo "schemas ready"
