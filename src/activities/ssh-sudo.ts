// sudo with a password (ssh.sudoPasswordFile). The password is read by the worker from its file, written on
// the command's stdin ahead of the command's own stdin (`sudo -S -p ''` reads exactly one line), and
// redacted from everything the SSH layer returns or logs: never in argv, history, logs or a node's disk.
import type { Client } from 'ssh2';
import { shellQuote } from './commands/sh';
import { SecretFileProblem, readSecretFile } from './ssh-support';

/** What sudo on a node does for the SSH user: decided once per connection (and password) by two probes. */
export type SudoAccess =
  | { mode: 'unconfigured' }
  | { mode: 'passwordless' }
  | { mode: 'password' }
  | { mode: 'rejected'; detail: string };

/** sudo needs the password on stdin, but there is none or sudo refuses it: not worth retrying until a person acts. */
export class SudoPasswordError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'SudoPasswordError';
  }
}

/** The first line of the file; errors name the file and the fix, never its content. */
export async function readSudoPassword(file: string, node: string): Promise<string> {
  let text: string;
  try {
    text = await readSecretFile(file, 'ssh.sudoPasswordFile');
  } catch (err) {
    if (!(err instanceof SecretFileProblem)) throw err;
    throw new SudoPasswordError(`the sudo password file for node ${node}: ${err.message}. ` +
      'Fix: put the SSH user\'s password on the first line of that file on the worker (mode 600), or correct ssh.sudoPasswordFile in the site spec.');
  }
  const password = text.split(/\r?\n/)[0];
  if (!password) {
    throw new SudoPasswordError(`the sudo password file ${file} (for node ${node}) has an empty first line. ` +
      'Fix: put the SSH user\'s password on the first line of that file.');
  }
  return password;
}

/** Commands that call sudo anywhere (`sudo x`, `curl ... | sudo bash`) need the password. */
export function usesSudo(command: string): boolean {
  return /(^|[\s;&|(])sudo\s/.test(command);
}

/**
 * One root shell for the whole command: `sudo -S -p '' sh -c '<command>'`. The inner sudo calls run as root
 * and never ask, so the one password line is read once, by the outer sudo, and the rest of stdin is the
 * command's own. The password is on stdin only; argv shows the command as it was.
 */
export function withSudoPassword(command: string, stdin: string | undefined, password: string): { command: string; stdin: string } {
  return { command: `sudo -S -p '' sh -c ${shellQuote(command)}`, stdin: `${password}\n${stdin ?? ''}` };
}

/** The two probes: does sudo run without a password; if not, does it take this one (-k: not a cached ticket). */
export const PROBE_PASSWORDLESS = 'sudo -n true';
export const PROBE_PASSWORD = "sudo -S -p '' -k true";

interface Probed { code: number | null; stderr: string }

/** Runs one probe on the raw connection: no pool bookkeeping, no logging of its stdin. */
export function probe(client: Client, command: string, stdin?: string): Promise<Probed> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, ch) => {
      if (err) return reject(err);
      let stderr = '';
      let code: number | null = null;
      ch.on('data', () => undefined);
      ch.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
      ch.on('exit', (c: number | null) => { code = c; });
      ch.on('close', () => resolve({ code, stderr }));
      ch.on('error', () => undefined);
      if (stdin !== undefined) ch.write(stdin);
      ch.end();
    });
  });
}

/** Decides the node's sudo mode for this password: passwordless, password accepted, or rejected (sudo's words). */
export async function probeSudo(client: Client, password: string): Promise<SudoAccess> {
  const free = await probe(client, PROBE_PASSWORDLESS);
  if (free.code === 0) return { mode: 'passwordless' };
  const withPw = await probe(client, PROBE_PASSWORD, `${password}\n`);
  if (withPw.code === 0) return { mode: 'password' };
  const said = withPw.stderr.split(password).join('[REDACTED]').trim().split('\n').filter(Boolean);
  return { mode: 'rejected', detail: said.slice(-2).join('; ') || `sudo exited ${withPw.code}` };
}

export function rejectedMessage(node: string, user: string, file: string, detail: string): string {
  return `sudo on node ${node} does not accept the password in ${file} for ${user} (sudo said: ${detail}). ` +
    `Fix: put ${user}'s login password on the first line of ${file}, or set ssh.sudoPasswordFile (or nodes[].sudoPasswordFile) to the right file.`;
}
