// What a command handler gets: argv, environment, root or not, stdin, stdout/stderr, its node and the
// fleet, sleeps that end when the command is killed, and helpers that record effects for the audit log.
import type { AuditEntry } from './audit';
import type { FileEntry, SimNode } from './node-state';
import type { LatencyKind } from './latency';
import type { World } from './world';
import { sha256hex } from './random';
import { noteTokenFile } from './cluster-tokens';

/** Thrown through a handler when its command is killed (signal, dropped connection, reboot). */
export class Killed extends Error {
  constructor(readonly signal: string) {
    super(`killed by ${signal}`);
    this.name = 'Killed';
  }
}

/** Thrown by `exit N`. */
export class ShellExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface Input {
  readAll(): Promise<string>;
  readLine(): Promise<string | null>;
}

export class StringInput implements Input {
  constructor(private text: string) {}
  async readAll(): Promise<string> {
    const t = this.text;
    this.text = '';
    return t;
  }
  async readLine(): Promise<string | null> {
    if (this.text === '') return null;
    const i = this.text.indexOf('\n');
    const line = i < 0 ? this.text : this.text.slice(0, i);
    this.text = i < 0 ? '' : this.text.slice(i + 1);
    return line;
  }
}

/** The SSH channel's stdin: data as the client writes it, complete at EOF. Reads end if the command is killed. */
export class StreamInput implements Input {
  private buffer = '';
  private ended = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => this.wake(), { once: true });
  }

  push(data: string): void {
    this.buffer += data;
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async waitFor(cond: () => boolean): Promise<void> {
    while (!cond()) {
      if (this.signal.aborted) throw new Killed(String(this.signal.reason ?? 'KILL'));
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.signal.aborted) throw new Killed(String(this.signal.reason ?? 'KILL'));
  }

  async readAll(): Promise<string> {
    await this.waitFor(() => this.ended);
    const t = this.buffer;
    this.buffer = '';
    return t;
  }

  async readLine(): Promise<string | null> {
    await this.waitFor(() => this.ended || this.buffer.includes('\n'));
    if (this.buffer === '' && this.ended) return null;
    const i = this.buffer.indexOf('\n');
    const line = i < 0 ? this.buffer : this.buffer.slice(0, i);
    this.buffer = i < 0 ? '' : this.buffer.slice(i + 1);
    return line;
  }
}

/** One command line being run on a node (an SSH exec or a timer): shared by every process it starts. */
export interface Session {
  node: SimNode;
  world: World;
  audit: AuditEntry;
  signal: AbortSignal;
  /** Files written during this session, with their state before the first write (null: did not exist). */
  touched: Map<string, FileEntry | null>;
  /** `$?`: the status of the last pipeline. */
  lastStatus: number;
  /** On a terminal (an SSH PTY): what asks questions (`kloudspot init`) needs one. */
  tty?: boolean;
  /** Drops the SSH connection at once (disconnect faults); absent for timers. */
  drop?: () => void;
  /** Runs shell text in this session (bash -c, bash reading a script, systemd-run). */
  runShell(text: string, io: Io): Promise<number>;
}

export interface Io {
  stdin: Input;
  out: (text: string) => void;
  err: (text: string) => void;
  root: boolean;
  env: Record<string, string>;
}

export interface Proc extends Io {
  argv: string[];
  node: SimNode;
  world: World;
  session: Session;
  /** Waits `ms`; throws Killed if the command is killed meanwhile. */
  sleep(ms: number): Promise<void>;
  /** Waits as long as the latency model says this kind of work takes. */
  work(kind: LatencyKind): Promise<void>;
  effect(key: string): void;
  writeFile(path: string, content: string, mode?: number): void;
  deleteFile(path: string): void;
  /** Content of a file or virtual file, or undefined when missing. */
  readFile(path: string): string | undefined;
}

export function sleep(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Killed(String(signal.reason ?? 'KILL')));
    const onAbort = () => { clearTimeout(t); reject(new Killed(String(signal.reason ?? 'KILL'))); };
    const t = ms === Infinity ? undefined : setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function makeProc(session: Session, argv: string[], io: Io): Proc {
  const { node, world } = session;
  return {
    ...io, argv, node, world, session,
    sleep: (ms) => sleep(session.signal, ms),
    work: (kind) => sleep(session.signal, world.latency.ms(kind)),
    effect: (key) => world.auditLog.addEffect(session.audit, key),
    writeFile(path, content, mode) {
      const old = node.files.get(path);
      if (!session.touched.has(path)) session.touched.set(path, old ? { ...old } : null);
      node.files.set(path, { content, mode: mode ?? old?.mode ?? 0o644, mtime: Date.now() });
      noteTokenFile(node, path, content);
    },
    deleteFile(path) {
      const old = node.files.get(path);
      if (!old) return;
      if (!session.touched.has(path)) session.touched.set(path, { ...old });
      node.files.delete(path);
    },
    readFile(path) {
      return node.files.get(path)?.content ?? node.virtualFile(path);
    },
  };
}

/** Net file changes of a finished session, as stable effect keys. */
export function fileEffects(session: Session): string[] {
  const out: string[] = [];
  for (const [path, before] of session.touched) {
    const after = session.node.files.get(path);
    if (!after && !before) continue;
    if (!after) { out.push(`delete ${path}`); continue; }
    if (before && before.content === after.content && before.mode === after.mode) continue;
    // What it replaced is part of the change: two joins each leaving an emptied token file are two changes.
    const was = before && before.content !== after.content ? ` (was sha256:${sha256hex(before.content).slice(0, 12)})` : '';
    out.push(`write ${path} sha256:${sha256hex(after.content).slice(0, 12)} mode ${after.mode.toString(8).padStart(4, '0')}${was}`);
  }
  return out;
}
