// A child process in a process group of its own, its output appended to a log file: the stack ends each
// group as a whole (a server's helpers, a worker's children), never by name.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface GroupProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the leader has exited (code or signal). */
  exited: Promise<void>;
  running(): boolean;
  /** Sends `signal` to the whole group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader is gone. */
  stop(graceMs?: number): Promise<void>;
  /** The last part of the log, for error messages. */
  tail(chars?: number): string;
}

export function startGroup(name: string, command: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string }): GroupProcess {
  mkdirSync(dirname(o.logFile), { recursive: true });
  const fd = openSync(o.logFile, 'a', 0o600);
  const child = spawn(command, args, { cwd: o.cwd, env: o.env ?? process.env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let done = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => { done = true; resolve(); });
    child.once('error', () => { done = true; resolve(); });
  });
  const killGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try { process.kill(-child.pid, sig); } catch { /* the group is gone */ }
  };
  const signal = (sig: NodeJS.Signals) => { if (!done) killGroup(sig); };
  return {
    name, child, logFile: o.logFile, exited,
    running: () => !done,
    signal,
    async stop(graceMs = 10_000) {
      if (done) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Whatever the leader left in its group goes with it.
      killGroup('SIGKILL');
    },
    tail(chars = 3000) {
      try { return readFileSync(o.logFile, 'utf8').slice(-chars); } catch { return ''; }
    },
  };
}
