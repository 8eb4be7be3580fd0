// Finds the `temporal` CLI (which embeds the dev server), or builds it with Go into a cache outside the repo.
// Order: $TEMPORAL_CLI, `temporal` on PATH, the cache, `go install`, else an error that says how to get it.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/** Where build outputs are kept, outside the repo: $KLOUDSPOT_CACHE_DIR or ~/.cache/kloudspot-installer. */
export function kloudspotCacheBase(): string {
  return process.env.KLOUDSPOT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kloudspot-installer');
}

export function temporalCacheDir(): string {
  return join(kloudspotCacheBase(), `temporal-${TEMPORAL_CLI_VERSION}`);
}

/** The Go toolchain, on PATH or where the official tarball puts it. */
export function goBinary(): string | undefined {
  return onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export class TemporalCliMissingError extends Error {
  constructor(detail: string) {
    super(
      `The Temporal CLI (which runs the dev server) was not found and could not be built: ${detail}\n` +
      'Install it in one of these ways, then run again:\n' +
      '  - Homebrew: brew install temporal\n' +
      '  - Download: https://temporal.io/setup/install-temporal-cli (put `temporal` on PATH or set TEMPORAL_CLI=/path/to/temporal)\n' +
      `  - Go: GOBIN=${temporalCacheDir()} go install github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`,
    );
    this.name = 'TemporalCliMissingError';
  }
}

/** Returns the path of a usable `temporal` binary, building it if needed (minutes, once). */
export function resolveTemporalCli(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): string {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new TemporalCliMissingError(`TEMPORAL_CLI=${fromEnv} is not an executable file`);
  }
  const found = onPath('temporal');
  if (found) return found;
  const cacheDir = temporalCacheDir();
  const cached = join(cacheDir, 'temporal');
  if (isExecutable(cached)) return cached;

  const go = goBinary();
  if (!go) throw new TemporalCliMissingError('no `go` toolchain to build it with');
  mkdirSync(cacheDir, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${cacheDir} (once; this takes several minutes)...`);
  const started = Date.now();
  const result = spawnSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: cacheDir },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0 || !isExecutable(cached)) {
    throw new TemporalCliMissingError(`\`go install\` failed (exit ${result.status ?? result.signal})`);
  }
  log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${cached}`);
  return cached;
}

export function temporalCliVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (require.main === module) {
  // `npm run temporal:ensure` (used by .ci/run): prints the binary's path and version.
  try {
    const path = resolveTemporalCli();
    process.stdout.write(`${path}\n${temporalCliVersion(path)}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
