// `npm run bench -- --server postgres`: the fleet runs again against the native production stack
// (PostgreSQL + the Temporal server built from source, src/stack), its workers left out: the bench runs its
// own worker process, the same as against the dev server, so the two sets of figures differ by the server only.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../src/stack/stack';

export interface PostgresTarget { address: string; namespace: string; serverPid: number; postgresDataDir: string }

export async function onPostgresStack<T>(fn: (t: PostgresTarget) => Promise<T>, log: (line: string) => void): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ks-bench-stack-'));
  chmodSync(dir, 0o755);
  const stack = await startStack({ dir, ports: 'free', workers: 0, ui: false, log });
  try {
    return await fn({ address: stack.address, namespace: stack.namespace, serverPid: stack.server().child.pid!, postgresDataDir: stack.postgres.dataDir });
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU seconds of every PostgreSQL process of this cluster (the postmaster and its backends). */
export function postgresCpuSeconds(dataDir: string, cpuOf: (pid: number) => number): number {
  let postmaster: number;
  try { postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]); } catch { return 0; }
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (Number(name) === postmaster || ppid === postmaster) total += cpuOf(Number(name));
    } catch { /* exited meanwhile */ }
  }
  return total;
}
