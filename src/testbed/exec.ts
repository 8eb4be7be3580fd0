// Runs the host tools the testbed drives (ip, debootstrap, losetup, chroot...) with arguments as an argv
// array (never a shell), failing with the command and its stderr so a refused step says what the kernel said.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

export class HostCommandError extends Error {
  constructor(readonly argv: string[], readonly code: number | null, readonly stderr: string) {
    super(`${argv.join(' ')} failed (exit ${code ?? 'signal'}): ${stderr.trim().slice(-1500) || '(no output)'}`);
    this.name = 'HostCommandError';
  }
}

/** Runs argv and returns stdout; throws HostCommandError unless it exits 0. */
export function run(argv: string[], opts: SpawnSyncOptions & { input?: string } = {}): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...opts });
  if (r.error) throw new HostCommandError(argv, null, r.error.message);
  if (r.status !== 0) throw new HostCommandError(argv, r.status, `${String(r.stderr ?? '')}${String(r.stdout ?? '').slice(-500)}`);
  return String(r.stdout ?? '');
}

/** Like run, but a failure is only returned (for clean-up, where the thing may already be gone). */
export function tryRun(argv: string[], opts: SpawnSyncOptions & { input?: string } = {}): { ok: boolean; out: string; err: string } {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', ...opts });
  return { ok: !r.error && r.status === 0, out: String(r.stdout ?? ''), err: String(r.stderr ?? r.error?.message ?? '') };
}

/** Runs argv inside the testbed's network namespace. */
/** Runs argv in the testbed's network namespace only: `ip netns exec` would also remount /sys, hiding the
 * cgroup mounts systemd-nspawn needs ("Failed to determine whether the unified cgroups hierarchy is used"). */
export const inNetns = (netns: string, argv: string[]): string[] => ['nsenter', `--net=/run/netns/${netns}`, ...argv];

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name]).status === 0;
}
