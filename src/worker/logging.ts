// The worker's Runtime logger: one line per event on stdout, JSON by default (for a log collector) or text.
// Everything the SDK, Core (forwarded), workflows, activities and the SSH pool log passes through here, so
// this is the one place that keeps secrets out of logs: private-key PEM blocks and secret-named fields are
// redacted (the SSH layer has already replaced command secrets such as join tokens), errors are reduced to
// their name, message and failure type, and stacks are kept only at DEBUG and below.
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { redactText, redactValue } from '../codec/redact';
import type { LogFormat } from './config';

const MAX_STRING = 8 * 1024;
const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

function clip(s: string): string {
  return s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}… [${s.length - MAX_STRING} more characters]` : s;
}

/** An Error (or a Temporal failure with causes) as plain data, without details payloads. */
export function serializeError(err: unknown, withStack: boolean, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: clip(redactText(String(err))) };
  const e = err as Error & { type?: string; nonRetryable?: boolean; code?: unknown };
  const out: Record<string, unknown> = { name: e.name, message: clip(redactText(e.message)) };
  if (typeof e.type === 'string') out.type = e.type;
  if (typeof e.nonRetryable === 'boolean') out.nonRetryable = e.nonRetryable;
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (withStack && e.stack) out.stack = clip(redactText(e.stack));
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, withStack, depth + 1);
  return out;
}

function plain(v: unknown, withStack: boolean, depth = 0): unknown {
  if (v instanceof Error) return serializeError(v, withStack);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return clip(v);
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (Array.isArray(v)) return depth > 4 ? '[…]' : v.map((x) => plain(x, withStack, depth + 1));
  if (v && typeof v === 'object') {
    if (depth > 4) return '{…}';
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = plain(x, withStack, depth + 1);
    return out;
  }
  return v;
}

/** The fields of one event, secrets redacted. */
export function logRecord(entry: LogEntry, withStack: boolean): Record<string, unknown> {
  const ms = Number(entry.timestampNanos / 1_000_000n);
  const meta = (redactValue(plain(entry.meta ?? {}, withStack)) ?? {}) as Record<string, unknown>;
  // Core's forwarded logs carry their own target and span context; keep them, but under stable names.
  return { ts: new Date(ms).toISOString(), level: entry.level, msg: clip(redactText(entry.message)), ...meta };
}

function textValue(v: unknown): string {
  const e = v as { name?: unknown; message?: unknown } | null;
  const isError = !!e && typeof e === 'object' && typeof e.message === 'string';
  const s = typeof v === 'string' ? v : isError ? `${String(e!.name ?? 'Error')}: ${String(e!.message)}` : JSON.stringify(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

export function formatLine(format: LogFormat, record: Record<string, unknown>): string {
  if (format === 'json') return JSON.stringify(record);
  const { ts, level, msg, ...rest } = record;
  const kv = Object.entries(rest).map(([k, v]) => `${k}=${textValue(v)}`).join(' ');
  return `${String(ts)} ${String(level).padEnd(5)} ${String(msg)}${kv ? ' ' + kv : ''}`;
}

export interface ServiceLogger extends DefaultLogger {
  readonly format: LogFormat;
}

/** A Runtime logger writing one line per event to `write` (stdout by default). */
export function createServiceLogger(o: { format: LogFormat; level: LogLevel; write?: (line: string) => void }): ServiceLogger {
  const write = o.write ?? ((line: string) => { process.stdout.write(line + '\n'); });
  const withStack = SEVERITY[o.level] <= SEVERITY.DEBUG;
  const logger = new DefaultLogger(o.level, (entry) => {
    let line: string;
    try {
      line = formatLine(o.format, logRecord(entry, withStack));
    } catch (err) {
      // A log call must never throw into the SDK; say what could not be written instead.
      line = formatLine(o.format, { ts: new Date().toISOString(), level: 'ERROR', msg: 'log entry could not be formatted', error: (err as Error).message });
    }
    write(line);
  });
  return Object.assign(logger, { format: o.format });
}

/** Maps the SSH pool's events onto the logger: connections at INFO, each command at DEBUG, failures at WARN. */
export function sshEventLogger(logger: { log(level: LogLevel, message: string, meta?: LogMetadata): void }) {
  return (event: Record<string, unknown>): void => {
    const { event: name, ...rest } = event;
    const kind = String(name);
    // A disconnect without an error is a node going down for a reboot the installer asked for.
    const level: LogLevel = kind === 'ssh.exec.failed' || (kind === 'ssh.disconnect' && rest.error) ? 'WARN'
      : kind === 'ssh.exec.start' || kind === 'ssh.exec.end' || kind === 'ssh.upload' ? 'DEBUG' : 'INFO';
    logger.log(level, kind, { sdkComponent: 'ssh', ...rest });
  };
}
