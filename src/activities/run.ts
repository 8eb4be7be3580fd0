// Runs one built command on a node from inside an activity: heartbeats while it runs, stops it when the
// activity is cancelled, and turns every failure into an ApplicationFailure a person can read.
import { Context } from '@temporalio/activity';
import type { RemoteCommand } from './commands/sh';
import { failure, FailureType, waitTimedOut, type CommandFailureDetails } from './failures';
import {
  CommandAbortedError, CommandTimeoutError, HostKeyMismatchError, SshConnectError, SshKeyFileError, SudoPasswordError,
  type ExecResult, type SshPool, type SshTarget,
} from './ssh';

export interface ActivityDeps {
  pool: SshPool;
  /** Poll interval for waits (ms); small in tests and the benchmark. */
  pollMs?: number;
  /** Timeout of every command that does not bring its own (default DEFAULT_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs?: number;
  /** Only commands built with query() may run (plan, doctor): anything else is refused before it reaches the node. */
  readOnly?: boolean;
}

/**
 * A command without a timeout of its own (reads, file writes, lvcreate, hostnamectl, kubectl, helm status)
 * takes seconds on a real node. A hung one (a stuck mount, dbus, an API server that never answers) keeps
 * its activity heartbeating, so the heartbeat timeout never ends it: this does, and the step is retried.
 * Five minutes is far above any such command's normal time; the long commands (apt, the tools script,
 * joins, add-ons, the chart) pass their own.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5 * 60_000;

const TAIL_IN_HISTORY = 2048;

export function tail(text: string, bytes = TAIL_IN_HISTORY): string {
  return text.length <= bytes ? text : `[...]${text.slice(-bytes)}`;
}

function inActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** The step a person reads about comes from the workflow's step; here only the node and the command. */
export function commandFailed(target: SshTarget, r: ExecResult, why?: string): Error {
  const lastLine = (r.stderr.trim() || r.stdout.trim()).split('\n').pop() ?? '';
  const details: CommandFailureDetails = {
    node: target.node, step: activityType(), command: r.command, exitCode: r.code, stderrTail: tail(r.stderr || r.stdout),
  };
  const what = why ?? `\`${r.command}\` exited ${r.code}`;
  return failure(FailureType.CommandFailed, `on ${target.node}: ${what}${lastLine ? `: ${lastLine.slice(0, 300)}` : ''}`, { details });
}

/** Maps SSH-layer errors to Temporal failures: host key mismatches and unreadable key files never retry; the rest do. */
export function toFailure(target: SshTarget, err: unknown): unknown {
  const details = (command: string, e: Error): CommandFailureDetails =>
    ({ node: target.node, step: activityType(), command, exitCode: null, stderrTail: e.message });
  if (err instanceof HostKeyMismatchError) {
    return failure(FailureType.HostKeyMismatch, err.message, { nonRetryable: true, details: details('(ssh connect)', err) });
  }
  if (err instanceof SshKeyFileError) {
    // The worker's own setup: retrying cannot help until someone fixes the key file.
    return failure(FailureType.SshKeyFile, err.message, { nonRetryable: true, details: details('(read ssh key)', err) });
  }
  if (err instanceof SudoPasswordError) {
    // Every wrong attempt counts towards the node's lockout: a person fixes the file, then answers retry.
    return failure(FailureType.SudoPassword, err.message, { nonRetryable: true, details: details('(sudo password)', err) });
  }
  if (err instanceof SshConnectError) {
    return failure(FailureType.SshUnavailable, `on ${target.node}: ${err.message}`, { details: details('(ssh connect)', err) });
  }
  if (err instanceof CommandTimeoutError) return failure(FailureType.CommandTimeout, `on ${target.node}: ${err.message}`);
  return err;
}

/** The activity's name, for heartbeats and failure details (`createSharedVolume`); `command` outside one. */
function activityType(): string {
  return inActivity()?.info.activityType ?? 'command';
}

export async function run(
  deps: ActivityDeps, target: SshTarget, c: RemoteCommand, opts: { timeoutMs?: number; tailBytes?: number } = {},
): Promise<ExecResult> {
  if (deps.readOnly && !c.readOnly) {
    throw failure(FailureType.NotReadOnly, `refused to run \`${c.command}\` on ${target.node}: ${activityType()} may only read (a builder made with query())`, { nonRetryable: true });
  }
  const ctx = inActivity();
  const beat = ctx ? setInterval(() => ctx.heartbeat({ activity: ctx.info.activityType, node: target.node }), 1000) : undefined;
  try {
    const r = await deps.pool.exec(target, c.command, {
      stdin: c.stdin, redact: c.redact, signal: ctx?.cancellationSignal,
      timeoutMs: opts.timeoutMs ?? deps.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, tailBytes: opts.tailBytes ?? 64 * 1024,
    });
    if (!(c.okCodes ?? [0]).includes(r.code)) throw commandFailed(target, r);
    return r;
  } catch (err) {
    if (err instanceof CommandAbortedError && ctx) throw ctx.cancellationSignal.reason ?? err;
    throw toFailure(target, err);
  } finally {
    if (beat) clearInterval(beat);
  }
}

/** Sleeps between polls, heartbeating, and wakes at once on cancellation. */
export async function pause(deps: ActivityDeps, ms = deps.pollMs ?? 2000): Promise<void> {
  const ctx = inActivity();
  if (!ctx) return new Promise((r) => setTimeout(r, ms));
  ctx.heartbeat();
  await ctx.sleep(ms);
}

/**
 * A command that blocks on the node until the awaited condition may hold (`kubectl wait`), run between two checks
 * instead of sleeping: the wait notices the change as it happens rather than up to a poll interval later, and
 * the node does the watching. Given the seconds it may block.
 */
export interface BlockingWait {
  target: SshTarget;
  command: (timeoutSeconds: number) => RemoteCommand;
}

/** Longest single blocking wait: a dropped watch or a changed plan is noticed at least this often. */
const BLOCKING_WAIT_MAX_SECONDS = 60;

async function betweenChecks(deps: ActivityDeps, deadline: number, block?: BlockingWait): Promise<void> {
  if (!block) return pause(deps);
  const started = Date.now();
  const seconds = Math.min(BLOCKING_WAIT_MAX_SECONDS, Math.max(1, Math.ceil((deadline - started) / 1000)));
  await run(deps, block.target, block.command(seconds), { timeoutMs: seconds * 1000 + 30_000 });
  // It ended at once (the object is not there yet, the API server is restarting): fall back to the poll interval.
  const rest = (deps.pollMs ?? 2000) - (Date.now() - started);
  if (rest > 0) await pause(deps, rest);
}

/**
 * Checks with `check` until it returns a value, or fails with what it waited for and what it saw last.
 * Between checks it sleeps the poll interval, or runs `block` when the node can watch for the change itself.
 */
export async function waitFor<T>(
  deps: ActivityDeps, what: string, timeoutMs: number, check: () => Promise<{ done: T } | { seen: string }>,
  block?: BlockingWait,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let seen = 'nothing yet';
  for (;;) {
    const r = await check();
    if ('done' in r) return r.done;
    seen = r.seen;
    if (Date.now() >= deadline) {
      throw waitTimedOut(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}; last seen: ${seen}`);
    }
    await betweenChecks(deps, deadline, block);
  }
}
