// Opening one SSH connection (to a node, or to the bastion a node is reached through): key file, pinned
// host key checked during key exchange, keepalives, and the bookkeeping of when it closes.
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import type { Client } from 'ssh2';
import { HostKeyMismatchError, SshConnectError, describeConnectFailure } from './ssh-errors';
import { expandHome, fingerprintOf, readPrivateKey } from './ssh-support';
import type { SshTarget } from './ssh';
import type { SudoAccess } from './ssh-sudo';

export interface Conn {
  ssh: NodeSSH;
  client: Client;
  hostKey: string;
  closed: boolean;
  closedPromise: Promise<void>;
  /** Called once when the connection is gone (see `whenGone`). */
  goneListeners: Set<() => void>;
  /** sudo's mode for the password it was probed with (ssh.sudoPasswordFile); probed on first need. */
  sudo?: { password: string; access: Promise<SudoAccess> };
}

/** What one SSH connection needs of a target; `node` may name a bastion (`bastion 203.0.113.10:22 (for k8s-vm-1)`). */
export interface Endpoint extends Pick<SshTarget, 'node' | 'host' | 'port' | 'username' | 'privateKeyFile' | 'expectedHostKey'> {
  /** A stream already connected to the server (a bastion's forwardOut); absent: a TCP connection. */
  sock?: Duplex;
}

export interface ConnectOptions {
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  log: (event: Record<string, unknown>) => void;
  /** First connection (`ssh.connect`) or a later one (`ssh.reconnect`). */
  reconnect: boolean;
}

/**
 * A connection is shared only by targets that would open the very same one: two sites on one address with
 * different key files (or different pinned host keys, or one through a bastion) each get their own, so a
 * key that the node does not accept is never hidden behind another site's authenticated session.
 */
export const connectionKey = (t: SshTarget): string => JSON.stringify([t.username, t.host, t.port, expandHome(t.privateKeyFile), t.expectedHostKey ?? '',
  t.bastion ? [t.bastion.username, t.bastion.host, t.bastion.port, expandHome(t.bastion.privateKeyFile), t.bastion.expectedHostKey ?? ''] : null]);

/**
 * Calls `f` once the connection is gone (at once if it is), after ssh2 has closed its channels itself; returns the
 * unsubscribe. A tunnelled connection whose keepalive timed out gets no such close: ssh2 sends CHANNEL_CLOSE on the
 * bastion's channel and waits for the answer, which OpenSSH holds while its TCP connection to the node is dead.
 */
export function whenGone(conn: Conn, f: () => void): () => void {
  const later = () => { setImmediate(f); };
  if (conn.closed) {
    later();
    return () => undefined;
  }
  conn.goneListeners.add(later);
  return () => { conn.goneListeners.delete(later); };
}

export async function openConnection(target: Endpoint, o: ConnectOptions): Promise<Conn> {
  const privateKey = await readPrivateKey(target.privateKeyFile, target.node,
    target.node.startsWith('bastion ') ? 'ssh.bastion.privateKeyFile (or nodes[].bastion.privateKeyFile)' : 'ssh.privateKeyFile');
  const started = Date.now();
  const ssh = new NodeSSH();
  let hostKey = '';
  let mismatch = false;
  const connecting = ssh.connect({
    host: target.host, port: target.port, username: target.username, privateKey, sock: target.sock,
    readyTimeout: o.connectTimeoutMs, keepaliveInterval: o.keepaliveIntervalMs, keepaliveCountMax: 3,
    // Runs during key exchange, before authentication: refusing here means nothing runs on that server.
    hostVerifier: (raw: Buffer) => {
      hostKey = fingerprintOf(raw);
      mismatch = target.expectedHostKey !== undefined && hostKey !== target.expectedHostKey;
      return !mismatch;
    },
  });
  connecting.catch(() => undefined); // awaited below, after our listeners are on
  // node-ssh stops listening for 'error' once connected; without our listener a later error would crash the worker.
  const client = ssh.connection;
  if (!client) throw new SshConnectError(`cannot connect to node ${target.node}: ${String(await connecting.then(() => 'no connection', (e) => e))}`);
  // Every exec is a few small packets (channel open, exec, stdin, EOF): with Nagle on, the later ones wait
  // for the node's delayed ACK, ~40 ms a command (docs/performance.md). A tunnelled stream has no socket.
  if (!target.sock) client.setNoDelay(true);
  let closedNow: () => void = () => undefined;
  const conn: Conn = { ssh, client, hostKey: '', closed: false, closedPromise: new Promise<void>((r) => { closedNow = r; }), goneListeners: new Set() };
  let lastError: Error | undefined;
  const onGone = () => {
    if (conn.closed) return;
    conn.closed = true;
    closedNow();
    for (const f of conn.goneListeners) f();
    conn.goneListeners.clear();
    // ssh2 ends the client when the tunnel's stream ends but leaves the bastion's channel half open: close it.
    target.sock?.destroy();
    if (conn.hostKey) o.log({ event: 'ssh.disconnect', node: target.node, host: target.host, port: target.port, error: lastError?.message });
  };
  client.on('error', (err: Error) => { lastError = err; onGone(); client.end(); });
  client.on('end', onGone).on('close', onGone);
  try {
    await connecting;
  } catch (err) {
    client.end();
    if (mismatch) {
      const e = new HostKeyMismatchError(target.node, target.expectedHostKey!, hostKey, `${target.host}:${target.port}`);
      if (target.sock === undefined && target.node.startsWith('bastion ')) e.message = e.message.replace('nodes[].hostKey', 'ssh.bastion.hostKey (or nodes[].bastion.hostKey)');
      throw e;
    }
    throw new SshConnectError(
      `cannot connect to node ${target.node} as ${target.username}@${target.host}:${target.port}: ${describeConnectFailure(err, o.connectTimeoutMs)}`,
      { cause: err },
    );
  }
  conn.hostKey = hostKey;
  o.log({ event: o.reconnect ? 'ssh.reconnect' : 'ssh.connect', node: target.node, host: target.host, port: target.port, username: target.username, hostKey, durationMs: Date.now() - started });
  return conn;
}
