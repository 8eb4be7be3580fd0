// The state file a `testbed up` keeps in its run directory, so that `testbed down` (another process, maybe
// after a crash) removes exactly what it made: the processes it started, mounts, loop devices, network.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tryRun } from './exec';
import { removeNetwork } from './network';
import { releaseNode } from './node';
import { runDir, stateFile } from './paths';

export interface TestbedState {
  startedAt: string;
  netns: string;
  hostVeth: string;
  /** Process groups this testbed started (dnsmasq, apt-cacher-ng, nspawn of every node). */
  processGroups: number[];
  nodes: { name: string; dir: string; loopDevice?: string }[];
}

export function saveState(s: TestbedState): void {
  writeFileSync(stateFile(), `${JSON.stringify(s, null, 2)}\n`);
}

export function readState(): TestbedState | undefined {
  return existsSync(stateFile()) ? JSON.parse(readFileSync(stateFile(), 'utf8')) as TestbedState : undefined;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** Removes everything the state names; each step tolerates what is already gone. Returns what it did. */
export async function tearDown(s: TestbedState): Promise<string[]> {
  const done: string[] = [];
  for (const pgid of s.processGroups) {
    if (!alive(pgid)) continue;
    try { process.kill(-pgid, 'SIGTERM'); done.push(`stopped process group ${pgid}`); } catch { /* gone */ }
  }
  const deadline = Date.now() + 25_000;
  while (s.processGroups.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  for (const pgid of s.processGroups.filter(alive)) {
    try { process.kill(-pgid, 'SIGKILL'); done.push(`killed process group ${pgid}`); } catch { /* gone */ }
  }
  for (const n of s.nodes) { releaseNode(n.dir, n.loopDevice); done.push(`released ${n.name}`); }
  removeNetwork({ netns: s.netns, hostVeth: s.hostVeth });
  done.push(`removed network namespace ${s.netns} and ${s.hostVeth}`);
  // Only the run directory: the root file system and the apt cache are kept for the next run.
  const mounted = tryRun(['findmnt', '-rn', '-o', 'TARGET']).out.split('\n').filter((m) => m.startsWith(runDir()));
  if (mounted.length === 0) rmSync(runDir(), { recursive: true, force: true });
  else done.push(`left ${runDir()}: still mounted ${mounted.join(', ')}`);
  return done;
}
