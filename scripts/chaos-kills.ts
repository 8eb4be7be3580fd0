// `kill -9` of the worker at chosen kinds of moments, then a restart after a random pause:
//   timer         whenever the plan says (often between commands, or mid workflow task)
//   mid-command   while a state-changing SSH command runs on a node (it dies with its connection)
//   after-effect  the instant a command's change lands on a node, before its exit status reaches the
//                 worker: the activity can never report it, and its retry must find the change done
//   after-reboot  after-effect on the installer's own reboot request (`systemd-run ... reboot`)
//   after-secret  after-effect on the TLS Secret, while the private key file is still on the node
import type { AuditEntry, Fleet } from '../src/sim';
import type { Rng } from '../src/sim/random';
import type { WorkerSupervisor } from './chaos-supervisor';
import { STATEFUL, type AuditListener } from './chaos-faults';

export type KillMode = 'timer' | 'mid-command' | 'after-effect' | 'after-reboot' | 'after-secret';

export interface KillRecord { n: number; mode: KillMode; what: string; at: number }

/**
 * The kinds of moment, in order: first right after a reboot request (the installer asks early), last right
 * after the TLS Secret (it comes last); at least a third mid-command and a third after an effect; the rest
 * drawn at random.
 */
export function killPlan(rng: Rng, kills: number): KillMode[] {
  if (kills <= 0) return [];
  if (kills === 1) return ['after-reboot'];
  if (kills === 2) return ['after-reboot', 'mid-command'];
  const third = Math.max(1, Math.floor(kills / 3));
  const middle: KillMode[] = [];
  for (let i = 0; i < third; i++) middle.push('mid-command');
  for (let i = 0; i < third - 2; i++) middle.push('after-effect');
  while (middle.length < kills - 2) middle.push(rng.pick(['timer', 'mid-command', 'after-effect'] as const));
  for (let i = middle.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [middle[i], middle[j]] = [middle[j], middle[i]];
  }
  return ['after-reboot', ...middle, 'after-secret'];
}

/** Moments an after-effect kill waits for (then any effect will do). */
const TARGET: Partial<Record<KillMode, { effect: RegExp; waitMs: number }>> = {
  'after-reboot': { effect: /kloudspot-reboot/, waitMs: 20_000 },
  'after-secret': { effect: /secret\/default\/kloudspot-tls|create secret default\/kloudspot-tls/, waitMs: 240_000 },
};

export class KillController implements AuditListener {
  readonly records: KillRecord[] = [];
  private waiting: { mode: KillMode; resolve: (what: string) => void; since: number } | null = null;

  constructor(
    private readonly supervisor: WorkerSupervisor,
    private readonly rng: Rng,
    private readonly say: (line: string) => void,
    private readonly active: (fleet: Fleet) => boolean,
  ) {}

  private fire(what: string): void {
    const w = this.waiting;
    if (!w || !this.supervisor.kill()) return;
    this.waiting = null;
    w.resolve(what);
  }

  onBegin(fleet: Fleet, entry: AuditEntry): void {
    const w = this.waiting;
    if (w?.mode !== 'mid-command' || !this.active(fleet)) return;
    // After a while without a state-changing command, any running command will do.
    if (!STATEFUL.test(entry.command) && Date.now() - w.since < 15_000) return;
    setTimeout(() => {
      if (this.waiting !== w || entry.end !== null) return;
      this.fire(`mid-command: ${fleet.spec.site}/${entry.node} \`${entry.command.slice(0, 100)}\``);
    }, this.rng.int(2, 40));
  }

  onEffect(fleet: Fleet, entry: AuditEntry, effect: string): void {
    const w = this.waiting;
    if (!w || (w.mode !== 'after-effect' && !TARGET[w.mode]) || !this.active(fleet)) return;
    const target = TARGET[w.mode];
    if (target && !target.effect.test(effect) && Date.now() - w.since < target.waitMs) return;
    this.fire(`after effect "${effect.slice(0, 100)}" on ${fleet.spec.site}/${entry.node}, before \`${entry.command.slice(0, 60)}\` reported`);
  }

  /** Kills once, the way `mode` says; falls back to a plain kill if the moment does not come within a minute. */
  async killOnce(mode: KillMode, n: number): Promise<KillRecord | undefined> {
    let what: string;
    if (mode === 'timer') {
      this.supervisor.kill();
      what = 'timer';
    } else {
      what = await new Promise<string>((resolve) => {
        const w = { mode, resolve, since: Date.now() };
        this.waiting = w;
        setTimeout(() => {
          if (this.waiting !== w) return;
          this.waiting = null;
          this.supervisor.kill();
          resolve('timer (the moment did not come)');
        }, (TARGET[mode]?.waitMs ?? 0) + 60_000);
      });
    }
    if (what === 'cancelled') return undefined;
    const rec = { n, mode, what, at: Date.now() };
    this.records.push(rec);
    return rec;
  }

  cancel(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.resolve('cancelled');
  }
}
