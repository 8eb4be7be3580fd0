// Every command a node ran, with what it changed. Effects are short stable keys ("lvcreate
// ubuntu-vg/shared 20G") so a test can assert that nothing was done twice; a command that changed
// nothing (a no-op by its own check, or a failure) has effect null.

export interface AuditEntry {
  /** Order on this fleet, across nodes. */
  seq: number;
  node: string;
  /** `ssh` for commands a client ran; `timer` for systemd-run units firing later; `fault` for injected events. */
  source: 'ssh' | 'timer' | 'fault';
  /** The SSH connection id on its node (ssh only). */
  connection?: number;
  command: string;
  start: number;
  end: number | null;
  /** null while running, or when the command was killed or cut off. */
  exitCode: number | null;
  /** Set when it ended by a signal (TERM, KILL, HUP for a dropped connection). */
  signal?: string;
  /** What an injected fault did to it, if anything. */
  fault?: string;
  /** Every change, in order; empty when nothing changed. */
  effects: string[];
  /** The effects joined with '; ', or null when nothing changed. */
  effect: string | null;
}

export interface EffectRecord { node: string; effect: string; seq: number; at: number; command: string }

export class AuditLog {
  private readonly entries: AuditEntry[] = [];
  private seq = 0;

  begin(node: string, source: AuditEntry['source'], command: string, connection?: number): AuditEntry {
    const e: AuditEntry = {
      seq: ++this.seq, node, source, connection, command, start: Date.now(), end: null, exitCode: null, effects: [], effect: null,
    };
    this.entries.push(e);
    return e;
  }

  addEffect(entry: AuditEntry, effect: string): void {
    entry.effects.push(effect);
    entry.effect = entry.effects.join('; ');
  }

  finish(entry: AuditEntry, exitCode: number | null, signal?: string): void {
    if (entry.end !== null) return;
    entry.end = Date.now();
    entry.exitCode = exitCode;
    if (signal) entry.signal = signal;
  }

  all(node?: string): AuditEntry[] {
    return this.entries.filter((e) => node === undefined || e.node === node).map((e) => ({ ...e, effects: [...e.effects] }));
  }

  effects(node?: string): EffectRecord[] {
    return this.entries.filter((e) => node === undefined || e.node === node)
      .flatMap((e) => e.effects.map((effect) => ({ node: e.node, effect, seq: e.seq, at: e.end ?? e.start, command: e.command })));
  }

  /** Effects that happened more than once on the same node, with how often. */
  duplicateEffects(): { node: string; effect: string; count: number }[] {
    const counts = new Map<string, { node: string; effect: string; count: number }>();
    for (const r of this.effects()) {
      const key = `${r.node}\0${r.effect}`;
      const c = counts.get(key) ?? { node: r.node, effect: r.effect, count: 0 };
      c.count++;
      counts.set(key, c);
    }
    return [...counts.values()].filter((c) => c.count > 1);
  }
}
