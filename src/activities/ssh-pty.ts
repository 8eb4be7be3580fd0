// A command that asks questions on a terminal (`kloudspot init`'s prompts): run with a PTY (ssh2 `exec` with
// `pty`), its output read as it comes, each prompt it waits on answered, or the command stopped. Never a guess
// and never a hang: a line the table does not know ends it, and so does a prompt that never comes.
import type { Client, ClientChannel } from 'ssh2';
import { promptLine, shownPrompt, type Reply } from './commands/kloudspot-init';
import { OutputTail, REDACTED, StreamRedactor } from './output-tail';
import { exitCodeOf, stopRemoteCommand } from './ssh-support';

export interface DialogueOptions {
  /** The reply to the line the command waits on (already sanitised). */
  reply: (prompt: string) => Reply;
  /** Texts never shown (answers that are secrets are added by the dialogue itself). */
  secrets?: string[];
  /** Quiet before the last line is read as a prompt: it may still be arriving. */
  settleMs?: number;
  /** Quiet with a last line no rule knows before it is judged an unknown prompt (a progress line may end later). */
  unknownAfterMs?: number;
  /** Longest wait for the next prompt or the end (the tool installs OpenEBS and waits for the pool in between). */
  promptTimeoutMs: number;
  signal?: AbortSignal;
  killGraceMs?: number;
  /** Written before anything else (the sudo password line of a password-protected sudo). */
  first?: string;
}

export interface TranscriptEntry { prompt: string; answer: string }
export interface DialogueResult { code: number; output: string; transcript: TranscriptEntry[] }

export class DialogueError extends Error {
  constructor(message: string, readonly why: 'unknown-prompt' | 'refused' | 'prompt-timeout' | 'aborted' | 'lost', readonly transcript: TranscriptEntry[], readonly output: string) {
    super(message);
    this.name = 'DialogueError';
  }
}

/** Runs `command` on a PTY of `client` and answers its prompts; resolves on exit whatever the code. */
export function runDialogue(client: Client, command: string, opts: DialogueOptions): Promise<DialogueResult> {
  const settleMs = opts.settleMs ?? 150;
  const unknownAfterMs = opts.unknownAfterMs ?? 3_000;
  const secrets = [...(opts.secrets ?? [])];
  return new Promise((resolve, reject) => {
    const tail = new OutputTail(64 * 1024);
    let red = new StreamRedactor(secrets);
    const transcript: TranscriptEntry[] = [];
    /** Output since the last answer: the prompt being waited on is its last line. */
    let pending = '';
    let lastData = Date.now();
    let lastPrompt = Date.now();
    let code: number | undefined;
    let settled = false;
    let channel: ClientChannel | undefined;
    const finish = (outcome: DialogueResult | DialogueError) => {
      if (settled) return;
      settled = true;
      clearInterval(tick);
      opts.signal?.removeEventListener('abort', onAbort);
      if (outcome instanceof Error) reject(outcome); else resolve(outcome);
    };
    /** Set once the dialogue gives up: the channel's close that follows is its end, not a result. */
    let failed: DialogueError | undefined;
    const fail = (why: DialogueError['why'], message: string) => {
      if (settled || failed) return;
      const err = (failed = new DialogueError(message, why, transcript, tail.toString()));
      if (!channel) return finish(err);
      stopRemoteCommand(channel, opts.killGraceMs ?? 2_000, () => finish(err));
      setTimeout(() => finish(err), 3 * (opts.killGraceMs ?? 2_000)).unref();
    };
    const onAbort = () => fail('aborted', `"${command}" was cancelled and stopped`);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const judge = () => {
      if (settled || failed || !channel || code !== undefined) return;
      const now = Date.now();
      const line = promptLine(pending);
      const quiet = now - lastData;
      if (line && quiet >= settleMs) {
        const r = opts.reply(line);
        if (r.kind === 'answer') {
          if (r.secret) { secrets.push(r.text); red = new StreamRedactor(secrets); }
          transcript.push({ prompt: line, answer: r.secret ? REDACTED : r.text });
          pending = '';
          lastPrompt = now;
          channel.write(`${r.text}\r`);
          return;
        }
        if (r.kind === 'wait') {
          if (now - lastPrompt >= opts.promptTimeoutMs) timedOut(line);
          return;
        }
        if (r.kind === 'refuse') return fail('refused', `it asked ${shownPrompt(line)}, which the installer will not answer: ${r.reason}`);
        if (quiet >= unknownAfterMs) {
          return fail('unknown-prompt', `it asked ${shownPrompt(line)}, a prompt the installer does not know (not in the seed's transcript): answer it by hand or extend the prompt table`);
        }
      }
      if (now - lastPrompt >= opts.promptTimeoutMs) timedOut(line);
    };
    const timedOut = (line: string) =>
      fail('prompt-timeout', `no prompt and no end within ${opts.promptTimeoutMs} ms after ${transcript.length} answer(s); last line ${shownPrompt(line || tail.toString())}`);
    const tick = setInterval(judge, Math.max(10, Math.min(settleMs, 100)));
    if (opts.signal?.aborted) return onAbort();

    client.exec(command, { pty: { term: 'dumb', cols: 200, rows: 50 } }, (err, ch) => {
      if (err) return finish(new DialogueError(`could not start "${command}": ${err.message}`, 'lost', transcript, ''));
      channel = ch;
      if (settled) return stopRemoteCommand(ch, opts.killGraceMs ?? 2_000, () => undefined);
      ch.on('error', () => undefined);
      const take = (d: Buffer) => {
        const text = red.push(d);
        tail.push(text);
        // Only the last line is ever read: a chatty install step must not grow this without bound.
        pending = (pending + text).slice(-8192);
        lastData = Date.now();
      };
      // A PTY merges stderr into its output; ssh2 still offers the stream.
      ch.on('data', take);
      ch.stderr.on('data', take);
      ch.on('exit', (c: number | null, sig?: string) => { code = exitCodeOf(c, sig); });
      ch.on('close', () => {
        tail.push(red.flush());
        if (failed) return finish(failed);
        if (code === undefined) return finish(new DialogueError(`the connection closed while "${command}" was running; its outcome is unknown`, 'lost', transcript, tail.toString()));
        finish({ code, output: tail.toString(), transcript });
      });
      if (opts.first !== undefined) ch.write(opts.first);
    });
  });
}
