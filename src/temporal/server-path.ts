// Finds the full Temporal server, its SQL admin tool and the Web UI server, or builds them with Go into a
// cache outside the repo (like cli-path.ts for the CLI). The native stack (`npm run stack`) runs them.
//   npx tsx src/temporal/server-path.ts      prints the three paths and the server module's directory
// Order for each binary: its env var ($TEMPORAL_SERVER, $TEMPORAL_SQL_TOOL, $TEMPORAL_UI_SERVER), the cache,
// `go install`. The versions are the ones docker-compose.yml runs (server 1.29.1, UI 2.42.1).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { goBinary, isExecutable, kloudspotCacheBase } from './cli-path';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_UI_VERSION = 'v2.42.1';

interface BinarySpec { name: 'server' | 'sql' | 'ui-server'; env: string; pkg: string; version: string; what: string }
const BINARIES: BinarySpec[] = [
  { name: 'server', env: 'TEMPORAL_SERVER', pkg: 'go.temporal.io/server/cmd/server', version: TEMPORAL_SERVER_VERSION, what: 'the Temporal server' },
  { name: 'sql', env: 'TEMPORAL_SQL_TOOL', pkg: 'go.temporal.io/server/cmd/tools/sql', version: TEMPORAL_SERVER_VERSION, what: 'temporal-sql-tool' },
  // The UI server's Go module carries the built Web UI; `go install` names the binary after its folder: server.
  { name: 'ui-server', env: 'TEMPORAL_UI_SERVER', pkg: 'github.com/temporalio/ui-server/v2/cmd/server', version: TEMPORAL_UI_VERSION, what: 'the Temporal Web UI server' },
];

export function serverCacheDir(): string {
  return join(kloudspotCacheBase(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

export class TemporalServerMissingError extends Error {
  constructor(what: string, detail: string) {
    super(`${what} was not found and could not be built: ${detail}. Install Go (https://go.dev/dl, 1.24 or newer) and run ` +
      '`npx tsx src/temporal/server-path.ts` (it builds into ' + serverCacheDir() + ', several minutes once), or set ' +
      'TEMPORAL_SERVER / TEMPORAL_SQL_TOOL / TEMPORAL_UI_SERVER to binaries of these versions.');
    this.name = 'TemporalServerMissingError';
  }
}

export interface ServerBinaries { server: string; sql: string; ui: string; moduleDir: string }

function resolveOne(b: BinarySpec, log: (line: string) => void): string {
  const fromEnv = process.env[b.env];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new TemporalServerMissingError(b.what, `${b.env}=${fromEnv} is not an executable file`);
  }
  const dir = serverCacheDir();
  const cached = join(dir, b.name);
  if (isExecutable(cached)) return cached;
  const go = goBinary();
  if (!go) throw new TemporalServerMissingError(b.what, 'no `go` toolchain to build it with');
  // `go install` names the binary after the package folder; the UI's folder is `server` too, so build it apart.
  const gobin = b.name === 'ui-server' ? join(dir, '.ui-build') : dir;
  mkdirSync(gobin, { recursive: true });
  log(`Building ${b.what} ${b.version} with Go into ${dir} (once; several minutes)...`);
  const started = Date.now();
  const r = spawnSync(go, ['install', `${b.pkg}@${b.version}`], { env: { ...process.env, GOBIN: gobin }, stdio: ['ignore', 'inherit', 'inherit'] });
  const built = join(gobin, b.pkg.split('/').pop()!);
  if (r.status !== 0 || !isExecutable(built)) throw new TemporalServerMissingError(b.what, `\`go install ${b.pkg}@${b.version}\` failed (exit ${r.status ?? r.signal})`);
  if (built !== cached) renameSync(built, cached);
  log(`Built ${b.what} in ${Math.round((Date.now() - started) / 1000)} s: ${cached}`);
  return cached;
}

/** The server module's source directory: its schema/ and config/ are what the SQL tool and config need. */
export function serverModuleDir(): string {
  const fromEnv = process.env.TEMPORAL_SERVER_MODULE_DIR;
  if (fromEnv) return fromEnv;
  const go = goBinary();
  if (!go) throw new TemporalServerMissingError('The Temporal server\'s schema files', 'no `go` toolchain to download the module with (or set TEMPORAL_SERVER_MODULE_DIR)');
  const out = execFileSync(go, ['mod', 'download', '-json', `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`], { encoding: 'utf8', cwd: serverCacheDirMade() });
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir || !existsSync(join(dir, 'schema', 'postgresql', 'v12'))) throw new TemporalServerMissingError('The Temporal server\'s schema files', `go mod download gave no schema directory (${out.trim().slice(0, 200)})`);
  return dir;
}

function serverCacheDirMade(): string {
  mkdirSync(serverCacheDir(), { recursive: true });
  return serverCacheDir();
}

/** Every binary the native stack runs, building the missing ones (minutes, once). */
export function resolveServerBinaries(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): ServerBinaries {
  const [server, sql, ui] = BINARIES.map((b) => resolveOne(b, log));
  return { server, sql, ui, moduleDir: serverModuleDir() };
}

if (require.main === module) {
  // .ci/run: build or find them once, print where they are.
  try {
    const b = resolveServerBinaries();
    process.stdout.write(`${b.server}\n${b.sql}\n${b.ui}\n${b.moduleDir}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
