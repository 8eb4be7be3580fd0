// Small pieces of the SSH layer that touch ssh2 details: fingerprints, key files, remote signals,
// exit codes and atomic SFTP writes.
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants as osConstants, homedir } from 'node:os';
import { utils, type ClientChannel, type SFTPWrapper } from 'ssh2';
import { SshKeyFileError } from './ssh-errors';

/** OpenSSH's SHA256 fingerprint, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(rawHostKey: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(rawHostKey).digest('base64').replace(/=+$/, '');
}

/** Secret files (SSH keys, the sudo password) are small: anything bigger is not one. */
export const SECRET_FILE_MAX_BYTES = 16 * 1024;

export const expandHome = (file: string): string => (file.startsWith('~/') ? homedir() + file.slice(1) : file);

/**
 * Reads a small secret file named by a spec field. Opened non-blocking and checked on the open descriptor
 * (no race with a swap): a FIFO, a device such as /dev/zero or a directory is refused at once instead of
 * hanging or filling memory, and so is a file over 16 KiB. Errors say which field, which file and why,
 * never the content. Returns undefined-free text or throws `problem` (what is wrong, without the fix).
 */
export async function readSecretFile(file: string, field: string): Promise<string> {
  const path = expandHome(file);
  let handle;
  try {
    handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY);
  } catch (err) {
    throw new SecretFileProblem(`cannot read ${path} (${field}): ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new SecretFileProblem(`${path} (${field}) is not a regular file (${kindOf(st)})`);
    if (st.size > SECRET_FILE_MAX_BYTES) throw new SecretFileProblem(`${path} (${field}) is ${st.size} bytes, more than a key or password file holds (16 KiB at most)`);
    const buf = Buffer.alloc(SECRET_FILE_MAX_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > SECRET_FILE_MAX_BYTES) throw new SecretFileProblem(`${path} (${field}) grew past 16 KiB while it was read`);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export class SecretFileProblem extends Error {}

function kindOf(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean; isSocket(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** Reads and checks the private key; errors name the field, the file and the fix, never the key's content. */
export async function readPrivateKey(privateKeyFile: string, node: string, field = 'ssh.privateKeyFile'): Promise<string> {
  const file = expandHome(privateKeyFile);
  let text: string;
  try {
    text = await readSecretFile(privateKeyFile, field);
  } catch (err) {
    if (!(err instanceof SecretFileProblem)) throw err;
    throw new SshKeyFileError(
      `the SSH private key for node ${node}: ${err.message}. Fix: place the private key whose ` +
        'public half is in the nodes\' authorized_keys at that path on the worker (a regular file, readable by the worker\'s user), ' +
        `or correct ${field} in the site spec.`,
    );
  }
  const parsed = utils.parseKey(text);
  if (parsed instanceof Error) {
    // parseKey's messages describe the format only; the key text itself never goes into an error.
    throw new SshKeyFileError(
      `the SSH private key ${file} (for node ${node}) cannot be used: ${parsed.message}. Fix: use an ` +
        `unencrypted OpenSSH or PEM private key (e.g. ssh-keygen -t ed25519 -N '' -f <file>) and authorize its public half on the nodes (${field}).`,
    );
  }
  return text;
}

/**
 * Sends a "signal" channel request. ssh2's ClientChannel.signal() silently does nothing once we have
 * sent EOF on stdin (it checks `writable`), but the protocol allows the request after EOF and
 * OpenSSH (>= 7.9) honours it with killpg() on the session's process group, so we go through
 * ssh2's protocol object (ssh2 1.x internals; the public method is the fallback).
 */
export function sendSignal(ch: ClientChannel, sig: 'TERM' | 'KILL'): void {
  const c = ch as unknown as { _client?: { _protocol?: { signal?: (id: number, s: string) => void } }; outgoing?: { id: number; state: string } };
  try {
    // 'eof' is the state after our end(); 'closing'/'closed' mean the channel is on its way out.
    if (c.outgoing?.state !== 'open' && c.outgoing?.state !== 'eof') return;
    if (typeof c._client?._protocol?.signal === 'function') c._client._protocol.signal(c.outgoing.id, sig);
    else ch.signal(sig);
  } catch { /* the channel is closing; nothing left to stop */ }
}

/**
 * Stops a remote command. A closed channel does not kill a command without a pty on OpenSSH, so
 * we send the "signal" channel request (OpenSSH >= 7.9 answers it with killpg on the session's
 * process group): TERM, then KILL after the grace period, then close the channel.
 */
export function stopRemoteCommand(ch: ClientChannel, graceMs: number, done: () => void): void {
  const t1 = setTimeout(() => sendSignal(ch, 'KILL'), graceMs);
  const t2 = setTimeout(() => ch.close(), 2 * graceMs);
  const t3 = setTimeout(done, 3 * graceMs); // a hung connection never sends 'close'
  ch.once('close', () => { [t1, t2, t3].forEach(clearTimeout); done(); });
  sendSignal(ch, 'TERM');
}

/** The shell's convention: a death by signal N is 128+N; unknown signal or no status at all: 255. */
export function exitCodeOf(code: number | null | undefined, signal: string | undefined): number {
  if (typeof code === 'number') return code;
  const signo = signal ? (osConstants.signals as Record<string, number>)[signal.startsWith('SIG') ? signal : `SIG${signal}`] : undefined;
  return signo ? 128 + signo : 255;
}

const call = (fn: (cb: (err?: Error | null) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

/** Writes under a temporary name, sets the mode (not subject to umask), then renames into place. */
export async function writeFileAtomically(sftp: SFTPWrapper, remotePath: string, content: string | Buffer, mode: number): Promise<void> {
  const tmp = `${remotePath}.ks-${randomBytes(4).toString('hex')}`;
  try {
    await call((cb) => sftp.writeFile(tmp, content, { mode }, cb));
    await call((cb) => sftp.chmod(tmp, mode, cb));
    try {
      await call((cb) => sftp.ext_openssh_rename(tmp, remotePath, cb)); // POSIX rename: replaces atomically
    } catch {
      await call((cb) => sftp.unlink(remotePath, cb)).catch(() => undefined);
      await call((cb) => sftp.rename(tmp, remotePath, cb));
    }
  } catch (err) {
    await call((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
    throw err;
  }
}
