// One testbed node: an overlay over the cached root file system, a sparse disk on a loop device, and
// systemd-nspawn booting it on the testbed's bridge. A reboot inside makes nspawn exit with 133; the node
// is then started again on the same layer, so `systemctl reboot` really reboots (new boot id, same disk).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { inNetns, run, tryRun } from './exec';
import { NODE_INTERFACE } from './rootfs';

export const REBOOT_EXIT_CODE = 133;

export interface NodePlan { name: string; machine: string; dir: string; diskGb: number }

export interface NodeHandle {
  name: string;
  root: string;
  /** The node's disk (the bastion has none). */
  loopDevice?: string;
  /** Every boot so far: nspawn's exit code of the previous one is what restarted it. */
  boots: number;
  stopped: boolean;
  process?: ChildProcess;
  /** Resolves when the node is off for good (poweroff, stop, or an unexpected exit). */
  done: Promise<number | null>;
}

export function mountLayer(lower: string, dir: string): string {
  const root = join(dir, 'root');
  for (const d of ['upper', 'work', 'root']) mkdirSync(join(dir, d), { recursive: true });
  run(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`, root]);
  return root;
}

export function attachDisk(dir: string, sizeGb: number): string {
  const image = join(dir, 'disk.img');
  if (!existsSync(image)) run(['truncate', '-s', `${sizeGb}G`, image]);
  return run(['losetup', '--find', '--show', image]).trim();
}

/** Boots the node and keeps rebooting it on exit 133 until stop(). */
export function bootNode(
  plan: NodePlan, root: string, loopDevice: string | undefined, netns: string, bridge: string, log: (l: string) => void,
): NodeHandle & { stop(): Promise<void> } {
  const logFd = openSync(join(plan.dir, 'console.log'), 'a');
  let resolveDone!: (code: number | null) => void;
  const handle: NodeHandle & { stop(): Promise<void> } = {
    name: plan.name, root, loopDevice, boots: 0, stopped: false,
    done: new Promise((r) => { resolveDone = r; }),
    async stop() {
      handle.stopped = true;
      const p = handle.process;
      if (p && p.exitCode === null && p.signalCode === null) {
        // SIGTERM: nspawn asks the container's systemd to power off cleanly.
        try { process.kill(-p.pid!, 'SIGTERM'); } catch { /* gone */ }
        const killer = setTimeout(() => { try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ } }, 20_000);
        await handle.done;
        clearTimeout(killer);
      }
      closeSync(logFd);
    },
  };
  const start = () => {
    handle.boots++;
    writeSync(logFd, `\n=== kloudspot testbed: boot ${handle.boots} of ${plan.name} at ${new Date().toISOString()}\n`);
    const argv = inNetns(netns, [
      'systemd-nspawn', '--boot', '--register=no', '--keep-unit', '-D', root, '-M', plan.machine,
      `--network-bridge=${bridge}`, ...(loopDevice ? [`--bind=${loopDevice}`] : []), '--resolv-conf=off', '--timezone=off', '--link-journal=no', '--console=read-only',
    ]);
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', logFd, logFd] });
    handle.process = child;
    child.on('exit', (code, signal) => {
      if (code === REBOOT_EXIT_CODE && !handle.stopped) {
        log(`${plan.name}: rebooting (nspawn exit ${REBOOT_EXIT_CODE})`);
        start();
        return;
      }
      if (!handle.stopped) log(`${plan.name}: stopped (nspawn exit ${code ?? signal})`);
      resolveDone(code);
    });
  };
  start();
  return handle;
}

/** The container's init: nspawn's only child. */
export function leaderPid(handle: NodeHandle): number | undefined {
  const pid = handle.process?.pid;
  if (!pid) return undefined;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs argv inside the running node (every namespace of its init), as root. */
export function inNode(handle: NodeHandle, argv: string[], input?: string): { ok: boolean; out: string; err: string } {
  const pid = leaderPid(handle);
  if (!pid) return { ok: false, out: '', err: `${handle.name} is not running` };
  return tryRun(['nsenter', '-t', String(pid), '-m', '-u', '-i', '-n', '-p', ...argv], input === undefined ? {} : { input });
}

/** The DHCP address the node holds on its interface, once it has one. */
export async function waitForLease(handle: NodeHandle, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = inNode(handle, ['ip', '-4', '-o', 'addr', 'show', 'dev', NODE_INTERFACE]);
    last = r.out || r.err;
    const m = /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(r.out);
    if (m) return m[1];
    if (Date.now() > deadline) throw new Error(`${handle.name} got no DHCP address on ${NODE_INTERFACE} within ${timeoutMs / 1000} s (last: ${last.trim()})`);
    await new Promise((r2) => setTimeout(r2, 500));
  }
}

export function releaseNode(dir: string, loopDevice: string | undefined): void {
  tryRun(['umount', join(dir, 'root')]);
  if (loopDevice) tryRun(['losetup', '-d', loopDevice]);
}
