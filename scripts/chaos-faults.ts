// What goes wrong on the nodes during the chaos run: command faults armed per site (transient failures,
// connections cut before or after a command's effect, a hung command), a small rate of random faults on
// every command, network cuts in the middle of long commands, and reboots at random moments. Also the
// audit-log hooks the kill controller uses to strike mid-command or right after an effect lands.
import type { AuditEntry, FaultSpec, Fleet } from '../src/sim';
import type { Rng } from '../src/sim/random';

/** Commands that change a node and last long enough to be interrupted (not the `-s` simulation). */
export const STATEFUL = /apt-get .*(dist-upgrade|update)$|\| sudo bash|sudo (-n )?(env LC_ALL=C )?bash |microk8s enable|microk8s join|kloudspot start|lvcreate|\btee |hostnamectl set-hostname|systemd-run|kubectl apply|rollout restart|netplan generate|systemctl enable/;

export interface AuditListener {
  onBegin?(fleet: Fleet, entry: AuditEntry): void;
  onEffect?(fleet: Fleet, entry: AuditEntry, effect: string): void;
}

/** Calls `listeners` when a node starts a command (over SSH) and when one of them changes something. */
export function hookAudit(fleet: Fleet, listeners: Set<AuditListener>): void {
  const log = fleet.auditLog;
  const begin = log.begin.bind(log);
  const addEffect = log.addEffect.bind(log);
  log.begin = (node, source, command, connection) => {
    const e = begin(node, source, command, connection);
    if (source === 'ssh') for (const l of listeners) l.onBegin?.(fleet, e);
    return e;
  };
  log.addEffect = (entry, effect) => {
    addEffect(entry, effect);
    if (entry.source === 'ssh') for (const l of listeners) l.onEffect?.(fleet, entry, effect);
  };
}

// Faults match the simple command as the node's shell runs it, after `sudo` and `env`.
/** Short, read-only commands a hang is put on: they run with the default per-command timeout. */
const HANG_ON = ['hostnamectl --static', 'lvs --noheadings', 'microk8s status -a', 'systemctl is-enabled iscsid', 'helm3 status'];
/** State-changing commands whose connection drops right after the change: the installer never hears back. */
const CUT_AFTER = ['lvcreate', 'hostnamectl set-hostname', 'microk8s enable', 'systemctl enable --now iscsid', 'netplan generate', 'microk8s add-node', 'kloudspot start', 'kubectl rollout restart'];
const CUT_BEFORE = ['dist-upgrade', 'tee /etc/hosts', 'microk8s join', 'kubectl apply', 'systemd-run'];

/** Arms this site's command faults; returns what was armed, for the log. */
export function armCommandFaults(fleet: Fleet, rng: Rng, randomRate: number): string[] {
  const names = fleet.spec.nodes.map((n) => n.name);
  // Cluster-wide commands run on the first manager; joins on the others; the rest on every node.
  const nodeFor = (match: string) => (/microk8s (enable|add-node|status -a)|helm3|kloudspot start|kubectl/.test(match) ? names[0]
    : /microk8s join/.test(match) ? rng.pick(names.slice(1)) : rng.pick(names));
  const specs: FaultSpec[] = [
    { kind: 'transient', node: rng.pick(names), match: 'dist-upgrade', error: 'dpkg-lock', times: 2 },
    { kind: 'transient', match: 'microk8s join', error: 'join-not-ready', times: 2 },
    { kind: 'transient', node: rng.pick(names), match: 'curl', error: 'apt-mirror', times: 1 },
  ];
  for (const [kind, list] of [['after', CUT_AFTER], ['after', CUT_AFTER], ['before', CUT_BEFORE]] as const) {
    const match = rng.pick(list);
    specs.push({ kind: 'disconnect', node: nodeFor(match), match, when: kind, times: 1 });
  }
  const hang = rng.pick(HANG_ON);
  specs.push({ kind: 'hang', node: nodeFor(hang), match: hang, times: 1 });
  for (const s of specs) fleet.faults.add(s);
  if (randomRate > 0) fleet.faults.chaos({ probability: randomRate, kinds: ['transient', 'disconnect-before', 'disconnect-after'] });
  return specs.map((s) => `${s.kind}${s.kind === 'disconnect' ? ` ${s.when}` : ''} on ${s.node ?? 'any node'}: ${String(s.match)}${s.kind === 'transient' ? ` (${typeof s.error === 'string' ? s.error : 'exit'} x${s.times})` : ''}`);
}

/** Cuts a node's connections while one of its long commands runs (as a switch or a flaky link would). */
export class NetworkCuts implements AuditListener {
  done = 0;
  private armed = false;

  constructor(private readonly rng: Rng, private readonly say: (line: string) => void, private readonly active: (fleet: Fleet) => boolean) {}

  arm(): void {
    this.armed = true;
  }

  onBegin(fleet: Fleet, entry: AuditEntry): void {
    if (!this.armed || !STATEFUL.test(entry.command) || !this.active(fleet)) return;
    this.armed = false;
    setTimeout(() => {
      if (entry.end !== null) { this.armed = true; return; } // the live entry: it already finished
      fleet.node(entry.node).server.dropAll('HUP');
      this.done++;
      this.say(`network cut on ${fleet.spec.site}/${entry.node} during \`${entry.command.slice(0, 90)}\``);
    }, this.rng.int(5, 60));
  }
}
