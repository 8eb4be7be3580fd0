// A PostgreSQL cluster of our own (Debian's postgresql package): its own data directory and loopback port,
// started with pg_ctl, so no system cluster another test might use is touched. As root the server runs as
// the `postgres` user, as initdb and postgres refuse root. The `temporal` role's password is read from a
// file and given to psql on stdin: it never reaches argv.
import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PostgresOptions {
  /** The cluster's data directory (created by initdb when empty). */
  dataDir: string;
  port: number;
  /** The file holding the `temporal` role's password. */
  passwordFile: string;
  log?: (line: string) => void;
}

export interface Postgres {
  host: string;
  port: number;
  user: string;
  dataDir: string;
  /** `pg_ctl restart -m <mode>` (immediate: no shutdown checkpoint, as after a crash). */
  restart(mode?: 'fast' | 'immediate'): void;
  stop(mode?: 'fast' | 'immediate'): void;
}

/** The newest /usr/lib/postgresql/<v>/bin, where Debian puts initdb and pg_ctl (not on PATH). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed: `apt-get install postgresql` (Debian/Ubuntu) gives initdb and pg_ctl under /usr/lib/postgresql/<version>/bin');
  return join(root, versions[0], 'bin');
}

function runAsOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export function startPostgres(o: PostgresOptions): Postgres {
  const bin = postgresBinDir();
  const owner = runAsOwner();
  const log = o.log ?? (() => undefined);
  const logFile = join(o.dataDir, '..', 'postgres.log');
  const run = (tool: string, args: string[], extra: SpawnSyncOptions = {}) => {
    const r = spawnSync(join(bin, tool), args, { encoding: 'utf8', ...(owner ?? {}), cwd: '/', ...extra });
    if (r.status !== 0) {
      const logTail = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-1500) : '';
      throw new Error(`${tool} ${args[0]} failed (exit ${r.status ?? r.signal}): ${String(r.stderr ?? '').trim() || String(r.stdout ?? '').trim()}${logTail ? `\n${logTail}` : ''}`);
    }
    return String(r.stdout ?? '');
  };

  if (!existsSync(join(o.dataDir, 'PG_VERSION'))) {
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(o.dataDir, owner.uid, owner.gid);
    chmodSync(o.dataDir, 0o700);
    // Local socket: trust (only our user reaches the data dir); TCP: password (scram).
    run('initdb', ['-D', o.dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--no-instructions']);
    log(`postgres: initialised ${o.dataDir}`);
  }
  // pg_ctl (as the owner) appends to the log: it must be the owner's file.
  if (!existsSync(logFile)) writeFileSync(logFile, '', { mode: 0o600 });
  if (owner) chownSync(logFile, owner.uid, owner.gid);
  // Loopback only, the socket in the data directory: nothing of a system cluster is shared.
  const serverOpts = `-p ${o.port} -c listen_addresses=127.0.0.1 -k ${o.dataDir}`;
  const ctl = (args: string[]) => run('pg_ctl', [...args.slice(0, 1), '-D', o.dataDir, ...args.slice(1)]);
  const status = spawnSync(join(bin, 'pg_ctl'), ['status', '-D', o.dataDir], { ...(owner ?? {}), cwd: '/' });
  // A cluster left running by a stack that was killed: ours (same data dir), stop it to start with our options.
  if (status.status === 0) ctl(['stop', '-m', 'fast', '-w']);
  ctl(['start', '-w', '-t', '60', '-l', logFile, '-o', serverOpts]);

  const password = readFileSync(o.passwordFile, 'utf8').trim();
  const quoted = `'${password.replace(/'/g, "''")}'`;
  const sql = [
    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') THEN CREATE ROLE temporal LOGIN CREATEDB; END IF; END $$;",
    `ALTER ROLE temporal WITH LOGIN CREATEDB PASSWORD ${quoted};`,
  ].join('\n');
  run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', o.dataDir, '-p', String(o.port), '-U', 'postgres', '-d', 'postgres', '-f', '-'], { input: sql });
  log(`postgres: listening on 127.0.0.1:${o.port} (data ${o.dataDir})`);

  return {
    host: '127.0.0.1', port: o.port, user: 'temporal', dataDir: o.dataDir,
    restart(mode = 'fast') { ctl(['restart', '-m', mode, '-w', '-t', '60', '-l', logFile, '-o', serverOpts]); },
    stop(mode = 'fast') {
      const s = spawnSync(join(bin, 'pg_ctl'), ['status', '-D', o.dataDir], { ...(owner ?? {}), cwd: '/' });
      if (s.status === 0) ctl(['stop', '-m', mode, '-w']);
    },
  };
}
