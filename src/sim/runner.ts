// Runs a command line on a node as sshd would (`bash -c`, the login user, not root) and records it in
// the audit log with its effects; and power-cycles nodes (the reboot sequence clients observe).
import { Killed, fileEffects, type Input, type Session } from './process';
import { runShell } from './shell';
import type { SimNode } from './node-state';
import type { World } from './world';
import { netplanAddresses } from './commands/systemd';

export interface RunIo {
  stdin: Input;
  out: (t: string) => void;
  err: (t: string) => void;
  signal: AbortSignal;
  drop?: () => void;
  /** Run on a terminal (an SSH PTY). */
  tty?: boolean;
}

const running = new WeakMap<SimNode, Set<AbortController>>();

export async function runOnNode(world: World, node: SimNode, command: string, io: RunIo, source: 'ssh' | 'timer', connection?: number): Promise<number> {
  const audit = world.auditLog;
  const entry = audit.begin(node.name, source, command, connection);
  // Every command on a node also dies when the node goes down.
  const local = new AbortController();
  const onAbort = () => local.abort(io.signal.reason);
  io.signal.addEventListener('abort', onAbort, { once: true });
  if (io.signal.aborted) local.abort(io.signal.reason);
  const set = running.get(node) ?? new Set();
  running.set(node, set);
  set.add(local);
  const session: Session = {
    node, world, audit: entry, signal: local.signal, touched: new Map(), drop: io.drop, lastStatus: 0, tty: io.tty === true,
    runShell: (text, sio) => runShell(session, text, sio),
  };
  const env = { HOME: `/home/${world.user}`, USER: world.user, LOGNAME: world.user, SHELL: '/bin/bash', LANG: node.locale, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin' };
  try {
    await new Promise((r) => setTimeout(r, world.latency.ms('command')));
    if (local.signal.aborted) throw new Killed(String(local.signal.reason ?? 'KILL'));
    // sshd runs the login user's shell; systemd runs transient units as root.
    const code = await runShell(session, command, { stdin: io.stdin, out: io.out, err: io.err, root: source === 'timer', env });
    for (const e of fileEffects(session)) audit.addEffect(entry, e);
    audit.finish(entry, code);
    return code;
  } catch (err) {
    for (const e of fileEffects(session)) audit.addEffect(entry, e);
    audit.finish(entry, null, err instanceof Killed ? err.signal : 'ERROR');
    throw err;
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    set.delete(local);
  }
}

/** Kills everything running on a node (a reboot or power loss). */
export function killAll(node: SimNode, signal = 'KILL'): void {
  for (const ac of running.get(node) ?? []) ac.abort(signal);
}

export interface RebootHooks {
  /** Close the port and cut connections. */
  down(): Promise<void>;
  /** Open the port again (logins still refused while phase is `booting`). */
  listen(): Promise<void>;
}

export interface RebootTiming { downMs?: number; authFailMs?: number }

/**
 * The reboot clients see: connections drop and the port refuses for `downMs`, then sshd accepts TCP but
 * refuses logins for `authFailMs`, then normal. A new boot id; /run and /tmp emptied; services that are
 * enabled start; netplan is applied from /etc/netplan; MicroK8s comes back after its start-up time.
 */
export function rebootNode(world: World, node: SimNode, why: string, hooks: RebootHooks, timing: RebootTiming = {}): void {
  if (node.phase === 'down') return;
  const audit = world.auditLog;
  const entry = audit.begin(node.name, 'fault', `(reboot: ${why})`);
  node.phase = 'down';
  killAll(node);
  for (const t of node.timers.values()) clearTimeout(t.handle);
  node.timers.clear();
  node.failedServices.clear();
  node.runningServices.clear();
  const downMs = timing.downMs ?? world.latency.ms('rebootDown');
  const authFailMs = timing.authFailMs ?? world.latency.ms('rebootAuthFail');
  void hooks.down().then(() => {
    setTimeout(() => {
      node.bootId = world.rng.uuid();
      node.bootCount++;
      node.bootedAt = Date.now();
      for (const path of [...node.files.keys()]) if (/^\/(run|var\/run|tmp)\//.test(path)) node.files.delete(path);
      const net = netplanAddresses(node);
      if (!net.error) { node.addresses = net.addresses; node.defaultRoutes = net.defaultRoutes; }
      for (const u of node.units.values()) u.active = u.enabled === 'enabled';
      if (node.microk8s.installed) {
        const start = authFailMs + world.latency.ms('microk8sStart');
        node.microk8s.readyAt = Date.now() + start;
        node.microk8s.cluster?.registerKubelet(node, start + world.latency.ms('nodeReady'));
      }
      node.phase = 'booting';
      void hooks.listen().then(() => {
        setTimeout(() => {
          if (node.phase === 'booting') node.phase = 'up';
          audit.finish(entry, 0);
        }, authFailMs);
      });
    }, downMs);
  });
}
