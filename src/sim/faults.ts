// Injected faults. Command faults match a simple command as the shell runs it (its words joined by
// spaces, `sudo` and `env` included), so `curl ... | sudo bash` can fail in curl alone exactly as on a
// real node. Each fault fires `times` times (default 1; Infinity for always), deterministic under the
// fleet's seed; chaos mode draws faults at random from a seeded stream.
import type { Rng } from './random';

export type CommandMatch = string | RegExp;

/** Canned failures whose outputs come from the real tools (docs/commands.md). */
export type TransientError =
  | 'dpkg-lock' | 'apt-mirror' | 'join-not-ready'
  | { stdout?: string; stderr?: string; code: number };

export type FaultSpec =
  | { kind: 'transient'; node?: string; match: CommandMatch; times?: number; error: TransientError }
  /** The command never finishes until it is killed (signal) or its connection closes. */
  | { kind: 'hang'; node?: string; match: CommandMatch; times?: number }
  /** The connection drops before the command runs, or after it ran (its effect applied, no exit status sent). */
  | { kind: 'disconnect'; node?: string; match: CommandMatch; times?: number; when?: 'before' | 'after' }
  /** The node loses power when a matching command starts (the command is killed, nothing applied). */
  | { kind: 'reboot'; node?: string; match: CommandMatch; times?: number };

export interface ChaosOptions {
  /** Chance that any one command gets a fault. */
  probability: number;
  kinds?: ('transient' | 'disconnect-before' | 'disconnect-after' | 'hang' | 'reboot')[];
  /** Only commands matching this are candidates (default: all). */
  match?: CommandMatch;
  nodes?: string[];
}

export interface FaultAction {
  id: number;
  spec: FaultSpec;
  describe: string;
}

interface Armed { id: number; spec: FaultSpec; left: number }

const matches = (m: CommandMatch, text: string) => (typeof m === 'string' ? text.includes(m) : m.test(text));

/** Whether a canned error makes sense for this command (apt -s takes no lock; only joins are refused). */
function applies(error: TransientError, text: string): boolean {
  if (error === 'dpkg-lock') return /\bapt-get\b/.test(text) && !/\s-s(\s|$)/.test(text);
  if (error === 'apt-mirror') return (/\bapt-get\b/.test(text) && !/\s-s(\s|$)/.test(text)) || /\bcurl\b/.test(text);
  if (error === 'join-not-ready') return /\bmicrok8s join\b/.test(text);
  return true;
}

export class FaultController {
  private armed: Armed[] = [];
  private nextId = 1;
  private chaos: (ChaosOptions & { rng: Rng }) | null = null;
  /** Everything that fired, in order: for tests and the chaos report. */
  readonly fired: { id: number; node: string; command: string; describe: string; at: number }[] = [];

  constructor(private readonly rng: Rng) {}

  add(spec: FaultSpec): number {
    const id = this.nextId++;
    this.armed.push({ id, spec, left: spec.times ?? 1 });
    return id;
  }

  remove(id: number): void {
    this.armed = this.armed.filter((a) => a.id !== id);
  }

  clear(node?: string): void {
    this.armed = node === undefined ? [] : this.armed.filter((a) => a.spec.node !== undefined && a.spec.node !== node);
    if (node === undefined) this.chaos = null;
  }

  list(): (FaultSpec & { id: number; left: number })[] {
    return this.armed.map((a) => ({ ...a.spec, id: a.id, left: a.left }));
  }

  setChaos(opts: ChaosOptions | null, seed?: number): void {
    this.chaos = opts ? { ...opts, rng: seed === undefined ? this.rng.derive('chaos') : this.rngFrom(seed) } : null;
  }

  private rngFrom(seed: number): Rng {
    return this.rng.derive(`chaos-${seed}`);
  }

  /** The fault that fires for this simple command on this node, if any (and counts it down). */
  check(node: string, text: string, source: 'ssh' | 'timer' | 'fault' = 'ssh'): FaultAction | undefined {
    // A command a systemd timer runs has no SSH session to lose, and chaos models the network and the worker.
    const overSsh = source === 'ssh';
    for (const a of this.armed) {
      if (a.left <= 0) continue;
      if (!overSsh && a.spec.kind === 'disconnect') continue;
      if (a.spec.node !== undefined && a.spec.node !== node) continue;
      if (!matches(a.spec.match, text)) continue;
      if (a.spec.kind === 'transient' && !applies(a.spec.error, text)) continue;
      a.left--;
      const action = { id: a.id, spec: a.spec, describe: describe(a.spec) };
      this.fired.push({ id: a.id, node, command: text, describe: action.describe, at: Date.now() });
      return action;
    }
    return overSsh ? this.drawChaos(node, text) : undefined;
  }

  private drawChaos(node: string, text: string): FaultAction | undefined {
    const c = this.chaos;
    if (!c || (c.nodes && !c.nodes.includes(node)) || (c.match && !matches(c.match, text))) return undefined;
    if (!c.rng.chance(c.probability)) return undefined;
    const kind = c.rng.pick(c.kinds ?? ['transient', 'disconnect-before', 'disconnect-after']);
    let spec: FaultSpec;
    if (kind === 'transient') {
      // Only failures a real node produces for this command; anything else loses its connection instead.
      const error: TransientError | undefined = applies('dpkg-lock', text) ? 'dpkg-lock' : applies('join-not-ready', text) ? 'join-not-ready'
        : /\bcurl\b/.test(text) ? 'apt-mirror' : undefined;
      spec = error ? { kind: 'transient', node, match: text, error } : { kind: 'disconnect', node, match: text, when: 'before' };
    } else if (kind === 'disconnect-before' || kind === 'disconnect-after') {
      spec = { kind: 'disconnect', node, match: text, when: kind === 'disconnect-before' ? 'before' : 'after' };
    } else {
      spec = { kind: kind === 'reboot' ? 'reboot' : 'hang', node, match: text };
    }
    const action = { id: 0, spec, describe: `chaos ${describe(spec)}` };
    this.fired.push({ id: 0, node, command: text, describe: action.describe, at: Date.now() });
    return action;
  }
}

function describe(s: FaultSpec): string {
  switch (s.kind) {
    case 'transient': return `transient ${typeof s.error === 'string' ? s.error : `exit ${s.error.code}`}`;
    case 'disconnect': return `disconnect ${s.when ?? 'before'}`;
    default: return s.kind;
  }
}

/** The real output of each canned failure, for the command it replaces. */
export function transientOutput(error: TransientError, text: string, ctx: { contact?: string }): { stdout: string; stderr: string; code: number } {
  if (typeof error !== 'string') return { stdout: error.stdout ?? '', stderr: error.stderr ?? '', code: error.code };
  if (error === 'dpkg-lock') {
    // apt-pkg/contrib/fileutl.cc GetLock() and apt-pkg/deb/debsystem.cc (apt 2.4 on 22.04).
    if (/\bupdate\b/.test(text)) {
      return { stdout: '', code: 100, stderr: 'E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1234 (apt-get)\n' +
        'N: Be aware that removing the lock file is not a solution and may break your system.\nE: Unable to lock directory /var/lib/apt/lists/\n' };
    }
    return { stdout: '', code: 100, stderr: 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (unattended-upgr)\n' +
      'N: Be aware that removing the lock file is not a solution and may break your system.\n' +
      'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?\n' };
  }
  if (error === 'apt-mirror') {
    if (/\bcurl\b/.test(text)) {
      const host = /https?:\/\/([^/:'\s]+)/.exec(text)?.[1] ?? 'registry.kloudspot.com';
      return { stdout: '', code: 28, stderr: `curl: (28) Failed to connect to ${host} port 443 after 130152 ms: Connection timed out\n` };
    }
    const why = 'Could not connect to archive.ubuntu.com:80 (185.125.190.39), connection timed out';
    if (/\bupdate\b/.test(text)) {
      // apt-get update reports unreachable mirrors as warnings and still exits 0.
      return { code: 0, stdout: `Err:1 http://archive.ubuntu.com/ubuntu jammy InRelease\n  ${why}\nErr:2 http://archive.ubuntu.com/ubuntu jammy-updates InRelease\n  Unable to connect to archive.ubuntu.com:http:\nReading package lists...\n`,
        stderr: `W: Failed to fetch http://archive.ubuntu.com/ubuntu/dists/jammy/InRelease  ${why}\nW: Failed to fetch http://archive.ubuntu.com/ubuntu/dists/jammy-updates/InRelease  Unable to connect to archive.ubuntu.com:http:\nW: Some index files failed to download. They have been ignored, or old ones used instead.\n` };
    }
    return { code: 100, stdout: 'Reading package lists...\nBuilding dependency tree...\nReading state information...\n',
      stderr: `E: Failed to fetch http://archive.ubuntu.com/ubuntu/pool/main/b/base-files/base-files_12ubuntu4.6_amd64.deb  ${why}\nE: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?\n` };
  }
  // join-not-ready: the contacted node's cluster agent is not listening yet (join.py does not catch it).
  return {
    code: 1, stdout: `Contacting cluster at ${ctx.contact ?? 'the control plane'}\n`,
    stderr: 'Traceback (most recent call last):\n  File "/snap/microk8s/7394/scripts/wrappers/join.py", line 1018, in <module>\n    join(prog_name="microk8s join")\n' +
      '  File "/snap/microk8s/7394/usr/lib/python3/dist-packages/click/core.py", line 764, in __call__\n    return self.main(*args, **kwargs)\n' +
      '  File "/usr/lib/python3.8/http/client.py", line 921, in connect\n    self.sock = self._create_connection(\n' +
      '  File "/usr/lib/python3.8/socket.py", line 808, in create_connection\n    raise err\n  File "/usr/lib/python3.8/socket.py", line 796, in create_connection\n    sock.connect(sa)\n' +
      'ConnectionRefusedError: [Errno 111] Connection refused\n',
  };
}
