// Nodes behind a jump host: one SSH connection to each bastion, shared by every node reached through it;
// each node's connection is a direct-tcpip channel on it (ssh2 forwardOut, what `ssh -J` does). The
// bastion's host key is pinned like a node's (configured, else the first one seen by this worker); a
// dropped bastion connection is opened again by the next node connection that needs it.
import type { Duplex } from 'node:stream';
import { openConnection, type Conn, type ConnectOptions } from './ssh-connect';
import { SshConnectError } from './ssh-errors';
import { expandHome } from './ssh-support';

export interface BastionTarget {
  host: string;
  port: number;
  username: string;
  privateKeyFile: string;
  /** "SHA256:..." to enforce; absent: the first fingerprint this worker sees is enforced from then on. */
  expectedHostKey?: string;
}

const addressOf = (b: BastionTarget) => `${b.username}@${b.host}:${b.port}`;
/** Shared only by nodes that name the same bastion with the same key file and pin (see SshPool's keyOf). */
const keyOf = (b: BastionTarget) => JSON.stringify([addressOf(b), expandHome(b.privateKeyFile), b.expectedHostKey ?? '']);

export class BastionTunnels {
  private readonly conns = new Map<string, Promise<Conn>>();
  private readonly firstSeen = new Map<string, string>();

  /** A stream to the node's sshd, carried by the bastion's connection. */
  async open(node: { node: string; host: string; port: number }, b: BastionTarget, o: ConnectOptions): Promise<Duplex> {
    const conn = await this.connection(b, o);
    return new Promise((resolve, reject) => {
      // OpenSSH answers only once its own connect to the node ends: to a node down for a reboot, minutes of lost
      // SYNs (seen on the real-node testbed). The same bound as a direct connection, then the caller tries again.
      let waiting = true;
      const timer = setTimeout(() => {
        waiting = false;
        reject(new SshConnectError(`the bastion ${b.host}:${b.port} did not open a connection to node ${node.node} ` +
          `(${node.host}:${node.port}) within ${o.connectTimeoutMs} ms (is the node up, and reachable from the bastion?)`));
      }, o.connectTimeoutMs);
      const forward = (cb: (err: Error | undefined, stream: Duplex) => void) => {
        // ssh2 throws "Not connected" at once when the bastion's connection closed since it was checked.
        try { conn.client.forwardOut('127.0.0.1', 0, node.host, node.port, cb); } catch (err) { cb(err as Error, undefined as unknown as Duplex); }
      };
      forward((err, stream) => {
        clearTimeout(timer);
        if (!waiting) { stream?.destroy(); return; } // too late: nobody uses it
        if (!err) return resolve(stream);
        reject(new SshConnectError(`the bastion ${b.host}:${b.port} could not open a connection to node ${node.node} ` +
          `(${node.host}:${node.port}): ${err.message} (check that the bastion reaches the node, and AllowTcpForwarding on the bastion)`));
      });
    });
  }

  private async connection(b: BastionTarget, o: ConnectOptions): Promise<Conn> {
    const key = keyOf(b);
    let entry = this.conns.get(key);
    const alive = entry ? await entry.then((c) => !c.closed, () => false) : false;
    if (!entry || !alive) {
      const reconnect = entry !== undefined;
      const expectedHostKey = b.expectedHostKey ?? this.firstSeen.get(addressOf(b));
      const opening = openConnection({ node: `bastion ${b.host}:${b.port}`, ...b, expectedHostKey }, { ...o, reconnect });
      this.conns.set(key, (entry = opening));
      opening.then((c) => { if (!this.firstSeen.has(addressOf(b))) this.firstSeen.set(addressOf(b), c.hostKey); },
        () => { if (this.conns.get(key) === opening) this.conns.delete(key); });
    }
    return entry;
  }

  closeAll(): void {
    for (const c of this.conns.values()) c.then((x) => x.client.end(), () => undefined);
    this.conns.clear();
  }
}
