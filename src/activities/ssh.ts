// The SSH layer: one pooled connection per (host, port, user, key file, expected host key, bastion), pinned host keys, bounded and
// redacted output, and cancellation that stops the command on the node, not only our end of it.
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { BastionTunnels, type BastionTarget } from './ssh-bastion';
import { connectionKey, openConnection, whenGone, type Conn } from './ssh-connect';
import { OutputTail, StreamRedactor, redactText, secretsOf } from './output-tail';
import { CommandAbortedError, CommandTimeoutError, HostKeyMismatchError, SshConnectError } from './ssh-errors';
import { exitCodeOf, stopRemoteCommand, writeFileAtomically } from './ssh-support';
import {
  SudoPasswordError, probeSudo, readSudoPassword, rejectedMessage, usesSudo, withSudoPassword, type SudoAccess,
} from './ssh-sudo';

import type { ExecOptions, ExecResult, SshPoolOptions } from './ssh-types';
import { runDialogue, type DialogueOptions, type DialogueResult } from './ssh-pty';
export { CommandAbortedError, CommandTimeoutError, HostKeyMismatchError, SshConnectError, SshKeyFileError } from './ssh-errors';
export { REDACTED } from './output-tail';
export { fingerprintOf } from './ssh-support';
export { SudoPasswordError, type SudoAccess } from './ssh-sudo';
export type { BastionTarget } from './ssh-bastion';
export type { DialogueOptions, DialogueResult } from './ssh-pty';
export type { ExecOptions, ExecResult, SshPoolOptions } from './ssh-types';

export interface SshTarget {
  node: string;
  host: string;
  port: number;
  username: string;
  /** Path on the worker; read at connect time, never logged or returned. */
  privateKeyFile: string;
  /** "SHA256:..." to enforce; absent: trust on first use (record ExecResult.hostKey, pass it next time). */
  expectedHostKey?: string;
  /** Path on the worker of a file whose first line is the sudo password; absent: sudo must not ask. */
  sudoPasswordFile?: string;
  /** The jump host this node is reached through (one connection per bastion, shared). */
  bastion?: BastionTarget;
}

interface Entry { promise: Promise<Conn>; conn?: Conn }
const keyOf = connectionKey;

export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private readonly seen = new Set<string>();
  private readonly connectTimeoutMs: number;
  private readonly keepaliveIntervalMs: number;
  private readonly killGraceMs: number;
  private readonly log: (event: Record<string, unknown>) => void;
  private readonly tunnels = new BastionTunnels();

  constructor(opts: SshPoolOptions = {}) {
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 20_000;
    this.keepaliveIntervalMs = opts.keepaliveIntervalMs ?? 15_000;
    this.killGraceMs = opts.killGraceMs ?? 2_000;
    this.log = opts.log ?? (() => undefined);
  }

  /** Resolves for any exit code; rejects for connection, host key, timeout and abort problems. */
  async exec(target: SshTarget, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    // Read on every command that needs it, so a corrected file is used by the next attempt.
    const password = target.sudoPasswordFile && usesSudo(command) ? await readSudoPassword(target.sudoPasswordFile, target.node) : undefined;
    const secrets = secretsOf([...(opts.redact ?? []), ...(password ? [password] : [])]);
    const shown = redactText(command, secrets);
    const started = Date.now();
    this.log({ event: 'ssh.exec.start', node: target.node, command: shown });
    try {
      let result: ExecResult | 'retry' = await this.run(target, command, shown, secrets, opts, started, password);
      // The pooled connection had died unnoticed and the command never started: once more, on a new one.
      if (result === 'retry') result = await this.run(target, command, shown, secrets, opts, started, password);
      if (result === 'retry') throw new SshConnectError(`node ${target.node}: the connection closed before "${shown}" could start`);
      this.log({ event: 'ssh.exec.end', node: target.node, command: shown, code: result.code, durationMs: result.durationMs });
      return result;
    } catch (err) {
      if (err instanceof Error) err.message = redactText(err.message, secrets);
      this.log({ event: 'ssh.exec.failed', node: target.node, command: shown, error: (err as Error)?.message, durationMs: Date.now() - started });
      throw err;
    }
  }

  private run(
    target: SshTarget, command: string, shown: string, secrets: string[], opts: ExecOptions, started: number, password?: string,
  ): Promise<ExecResult | 'retry'> {
    return new Promise((resolve, reject) => {
      const tailBytes = opts.tailBytes ?? 64 * 1024;
      const streams = {
        stdout: { red: new StreamRedactor(secrets), tail: new OutputTail(tailBytes) },
        stderr: { red: new StreamRedactor(secrets), tail: new OutputTail(tailBytes) },
      };
      const emit = (name: 'stdout' | 'stderr', text: string) => {
        if (!text) return;
        streams[name].tail.push(text);
        try { opts.onOutput?.(name, text); } catch { /* a progress callback must not break the stream */ }
      };
      let settled = false;
      let stopping: 'timeout' | 'abort' | undefined;
      let channel: ClientChannel | undefined;
      let requested = false;
      let code: number | undefined;
      let unsubscribe = (): void => undefined;
      const timers: NodeJS.Timeout[] = [];
      const finish = (outcome: ExecResult | 'retry' | Error) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        timers.forEach(clearTimeout);
        opts.signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof Error) reject(outcome); else resolve(outcome);
      };
      const stoppedError = () => {
        const details = {
          node: target.node, command: shown, stdout: streams.stdout.tail.toString(), stderr: streams.stderr.tail.toString(), durationMs: Date.now() - started,
        };
        return stopping === 'timeout'
          ? new CommandTimeoutError(`node ${target.node}: "${shown}" ran longer than ${opts.timeoutMs} ms and was stopped`, details)
          : new CommandAbortedError(`node ${target.node}: "${shown}" was cancelled and stopped`, details);
      };
      const stop = (why: 'timeout' | 'abort') => {
        if (settled || stopping) return;
        stopping = why;
        if (channel) this.kill(target, shown, channel, why, () => finish(stoppedError()));
        // Not requested yet: nothing will run. Requested: the callback below kills it as soon as it is there.
        else if (!requested) finish(stoppedError());
        else timers.push(setTimeout(() => finish(stoppedError()), 3 * this.killGraceMs));
      };
      const onAbort = () => stop('abort');
      if (opts.signal?.aborted) return stop('abort');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs !== undefined) timers.push(setTimeout(() => stop('timeout'), Math.max(0, opts.timeoutMs - (Date.now() - started))));

      const resultOf = (conn: Conn, exit: number): ExecResult => ({
        command: shown, code: exit, stdout: streams.stdout.tail.toString(), stderr: streams.stderr.tail.toString(),
        durationMs: Date.now() - started, hostKey: conn.hostKey,
      });
      const lost = (conn: Conn) => {
        this.forget(target, conn);
        return new SshConnectError(`node ${target.node}: connection lost while "${shown}" was running; its outcome is unknown`);
      };
      const connected = this.connection(target).then(async (conn) => ({ conn, sent: await this.withSudo(target, conn, command, opts.stdin, password) }));
      connected.then(({ conn, sent }) => {
        if (settled) return;
        requested = true;
        // The command ends with its connection even when no channel close comes (a tunnel's keepalive timeout).
        unsubscribe = whenGone(conn, () => {
          if (stopping) return finish(stoppedError());
          if (!channel) return finish('retry');
          finish(code === undefined ? lost(conn) : resultOf(conn, code));
        });
        conn.client.exec(sent.command, (err, ch) => {
          if (err) {
            if (stopping) return finish(stoppedError());
            if (conn.closed) return finish('retry');
            return finish(new SshConnectError(`node ${target.node}: could not start "${shown}": ${err.message}`, { cause: err }));
          }
          channel = ch;
          ch.on('error', () => undefined); // a failed write on a dying channel: 'close' decides the outcome
          if (stopping) return this.kill(target, shown, ch, stopping, () => finish(stoppedError()));
          ch.on('data', (d: Buffer) => emit('stdout', streams.stdout.red.push(d)));
          ch.stderr.on('data', (d: Buffer) => emit('stderr', streams.stderr.red.push(d)));
          ch.on('exit', (c: number | null, sig?: string) => { code = exitCodeOf(c, sig); });
          ch.on('close', () => {
            emit('stdout', streams.stdout.red.flush());
            emit('stderr', streams.stderr.red.flush());
            if (stopping) return finish(stoppedError());
            finish(code === undefined ? lost(conn) : resultOf(conn, code));
          });
          if (sent.stdin !== undefined) ch.write(sent.stdin);
          ch.end();
        });
      }, (err: Error) => finish(err));
    });
  }

  /** `command` on a PTY, its prompts answered (ssh-pty.ts); a sudo password goes first, redacted from the echo. */
  async dialogue(target: SshTarget, command: string, opts: DialogueOptions): Promise<DialogueResult> {
    const password = target.sudoPasswordFile && usesSudo(command) ? await readSudoPassword(target.sudoPasswordFile, target.node) : undefined;
    const conn = await this.connection(target);
    const sent = await this.withSudo(target, conn, command, undefined, password);
    this.log({ event: 'ssh.pty.start', node: target.node, command });
    const secrets = [...opts.secrets ?? [], ...password ? [password] : []];
    return runDialogue(conn.client, sent.command, { killGraceMs: this.killGraceMs, ...opts, first: sent.stdin, secrets });
  }
  private kill(target: SshTarget, shown: string, ch: ClientChannel, why: string, done: () => void): void {
    this.log({ event: 'ssh.exec.stop', node: target.node, command: shown, reason: why });
    stopRemoteCommand(ch, this.killGraceMs, done);
  }

  /** What sudo does for this target's user (preflight reports it); probes at most once per connection and password. */
  async sudoAccess(target: SshTarget): Promise<SudoAccess> {
    if (!target.sudoPasswordFile) return { mode: 'unconfigured' };
    const password = await readSudoPassword(target.sudoPasswordFile, target.node);
    return this.probed(target, await this.connection(target), password);
  }

  private probed(target: SshTarget, conn: Conn, password: string): Promise<SudoAccess> {
    if (conn.sudo?.password !== password) {
      conn.sudo = { password, access: probeSudo(conn.client, password) };
      conn.sudo.access.then((a) => this.log({ event: 'ssh.sudo', node: target.node, mode: a.mode }), () => undefined);
    }
    return conn.sudo.access;
  }

  /** The command as sent: unchanged, or in one root shell with the password ahead of its stdin. */
  private async withSudo(target: SshTarget, conn: Conn, command: string, stdin: string | undefined, password?: string) {
    if (!password) return { command, stdin };
    const access = await this.probed(target, conn, password);
    if (access.mode === 'rejected') {
      // Not sent again (every wrong attempt counts towards a lockout, pam_faillock); a corrected file is probed anew.
      throw new SudoPasswordError(rejectedMessage(target.node, target.username, target.sudoPasswordFile!, access.detail));
    }
    return access.mode === 'password' ? withSudoPassword(command, stdin, password) : { command, stdin };
  }

  /** Writes the file through SFTP (temporary name, mode, rename), so a reader never sees half a file. */
  async upload(target: SshTarget, content: string | Buffer, remotePath: string, mode = 0o644): Promise<void> {
    const conn = await this.connection(target);
    const started = Date.now();
    let sftp: SFTPWrapper | undefined;
    try {
      sftp = await conn.ssh.requestSFTP();
      await writeFileAtomically(sftp, remotePath, content, mode);
      this.log({ event: 'ssh.upload', node: target.node, remotePath, bytes: Buffer.byteLength(content), mode: mode.toString(8), durationMs: Date.now() - started });
    } catch (err) {
      const reason = (err as Error).message;
      if (conn.closed) {
        this.forget(target, conn);
        throw new SshConnectError(`node ${target.node}: connection lost while uploading ${remotePath}: ${reason}`, { cause: err });
      }
      throw new Error(`node ${target.node}: upload to ${remotePath} failed: ${reason}`, { cause: err });
    } finally {
      sftp?.end();
    }
  }

  async hostKeyOf(target: SshTarget): Promise<string> { return (await this.connection(target)).hostKey; }
  drop(target: SshTarget): void {
    const entry = this.entries.get(keyOf(target));
    this.entries.delete(keyOf(target));
    entry?.promise.then((c) => c.client.end(), () => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.tunnels.closeAll();
    await Promise.all(all.map((e) => e.promise.then((c) => {
      c.client.end();
      return Promise.race([c.closedPromise, new Promise((r) => setTimeout(r, 2000).unref())]);
    }, () => undefined)));
  }

  private forget(target: SshTarget, conn: Conn): void {
    const entry = this.entries.get(keyOf(target));
    if (entry?.conn === conn) this.entries.delete(keyOf(target));
    conn.client.end();
  }

  /** The pooled connection, opening one if none is alive; concurrent callers share one attempt. */
  private async connection(target: SshTarget): Promise<Conn> {
    const key = keyOf(target);
    let entry = this.entries.get(key);
    if (!entry || entry.conn?.closed) {
      const e: Entry = { promise: this.open(target) };
      e.promise.then((c) => { e.conn = c; }, () => { if (this.entries.get(key) === e) this.entries.delete(key); });
      this.entries.set(key, (entry = e));
    }
    const conn = await entry.promise;
    if (target.expectedHostKey && conn.hostKey !== target.expectedHostKey) {
      throw new HostKeyMismatchError(target.node, target.expectedHostKey, conn.hostKey, `${target.host}:${target.port}`);
    }
    return conn;
  }

  private async open(target: SshTarget): Promise<Conn> {
    const key = keyOf(target);
    const opts = { connectTimeoutMs: this.connectTimeoutMs, keepaliveIntervalMs: this.keepaliveIntervalMs, log: this.log, reconnect: this.seen.has(key) };
    const sock = target.bastion ? await this.tunnels.open(target, target.bastion, opts) : undefined;
    const conn = await openConnection({ ...target, sock }, opts);
    this.seen.add(key);
    return conn;
  }
}
