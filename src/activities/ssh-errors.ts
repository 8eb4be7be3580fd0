// Errors of the SSH layer. `retryable` tells the activity wrapper whether Temporal should retry
// (connection trouble: yes, a booting sshd may refuse for a while) or stop and ask a person.

/** Connection refused/reset/timed out, authentication refused, or the connection lost mid-command. */
export class SshConnectError extends Error {
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SshConnectError';
  }
}

/** The server presented a host key other than the pinned one; nothing was run on it. */
export class HostKeyMismatchError extends Error {
  readonly retryable = false;
  constructor(readonly node: string, readonly expected: string, readonly actual: string, where: string) {
    super(
      `host key mismatch for node ${node} (${where}): expected ${expected}, the server presented ${actual}. ` +
        'Nothing was run on it. Either the node was reinstalled or another machine answers at its address. ' +
        'Verify the key on the node itself (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on its console), ' +
        'then update nodes[].hostKey in the site spec, or start a new install if the key was recorded on first use.',
    );
    this.name = 'HostKeyMismatchError';
  }
}

/** The private key file cannot be read or used: a worker configuration problem, not worth retrying. */
export class SshKeyFileError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'SshKeyFileError';
  }
}

/** What a stopped command had produced: the redacted command and the bounded, redacted output tails. */
export interface StoppedCommand {
  node: string;
  command: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** The command ran longer than its timeout; it was stopped on the node (TERM, then KILL). */
export class CommandTimeoutError extends Error {
  readonly retryable = true;
  constructor(message: string, readonly details: StoppedCommand) {
    super(message);
    this.name = 'CommandTimeoutError';
  }
}

/** The caller aborted (activity cancelled); the command was stopped on the node (TERM, then KILL). */
export class CommandAbortedError extends Error {
  readonly retryable = false;
  constructor(message: string, readonly details: StoppedCommand) {
    super(message);
    this.name = 'CommandAbortedError';
  }
}

/** A readable reason for a failed connection attempt, from ssh2's error `level` and Node's socket codes. */
export function describeConnectFailure(err: unknown, connectTimeoutMs: number): string {
  const e = err as { level?: string; code?: string; message?: string } | undefined;
  const message = e?.message ?? String(err);
  switch (e?.code ?? e?.level) {
    case 'ECONNREFUSED': return 'connection refused (sshd not running yet, or the node is rebooting)';
    case 'ECONNRESET': return 'connection reset by the node';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `${message} (check the node's address and the network)`;
    case 'ETIMEDOUT': case 'client-timeout':
      return `no SSH handshake within ${connectTimeoutMs} ms (node down, rebooting, or a firewall drops port 22)`;
    case 'client-authentication':
      return 'authentication refused: the public half of ssh.privateKeyFile must be in the user\'s ' +
        '~/.ssh/authorized_keys on the node (a node that is still booting may refuse for a while)';
    default: return message;
  }
}
