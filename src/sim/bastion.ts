// A simulated bastion (jump host, `sim --bastion`): an sshd that logs in the fleet's key as its user and
// serves only direct-tcpip channels (what `ssh -J` and ssh2's forwardOut ask for) to the fleet's node
// addresses, like OpenSSH with `PermitOpen` limited to the site. No shell, no exec.
import { createServer, connect, type Server as NetServer, type Socket } from 'node:net';
import { Server, type Connection, type ParsedKey } from 'ssh2';
import { ed25519KeyPair, fingerprintOfKey } from './ssh-server';

export class BastionServer {
  private tcp: NetServer | null = null;
  private readonly ssh: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hostKeyPem = ed25519KeyPair().private;
  /** Channels opened to nodes, in order: `host:port`. */
  readonly forwarded: string[] = [];
  /** Logins accepted (a dropped bastion shows as a second one). */
  logins = 0;
  /**
   * Leave channel requests unanswered, as OpenSSH does while its connect to the node is pending (a node down
   * for a reboot: the SYNs are lost until it is back). Seen on the real-node testbed.
   */
  stallForwards = false;
  port = 0;
  /** Open forwards, to cut them the way a dead TCP peer does (`silenceForwardsTo`). */
  private readonly relays = new Set<{ dest: string; silence: () => void }>();

  constructor(readonly address: string, private readonly clientKey: ParsedKey, private readonly user: string,
    private readonly allowed: (host: string, port: number) => boolean) {
    this.ssh = new Server({ hostKeys: [this.hostKeyPem], ident: 'OpenSSH_8.9p1 Ubuntu-3ubuntu0.10' }, (c) => this.onClient(c));
  }

  get fingerprint(): string {
    return fingerprintOfKey(this.hostKeyPem);
  }

  listen(port = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      const tcp = createServer((sock) => {
        this.sockets.add(sock);
        sock.on('close', () => this.sockets.delete(sock));
        sock.on('error', () => undefined);
        this.ssh.injectSocket(sock);
      });
      tcp.once('error', reject);
      tcp.listen(port, this.address, () => {
        const a = tcp.address();
        if (a && typeof a === 'object') this.port = a.port;
        this.tcp = tcp;
        resolve();
      });
    });
  }

  /**
   * The bastion's TCP connections to this node die without a FIN or RST (the node lost power, or went down for
   * a reboot before its sshd could close them): its channels stay open and swallow what is sent, and nothing
   * ever comes back. OpenSSH keeps such a channel until its own TCP retransmissions give up, many minutes.
   * Seen on the real-node testbed while a node rebooted.
   */
  silenceForwardsTo(host: string): number {
    const cut = [...this.relays].filter((r) => r.dest.startsWith(`${host}:`));
    for (const r of cut) r.silence();
    return cut.length;
  }

  /** Cuts every connection to the bastion, and with them every node connection it carries. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  close(): Promise<void> {
    this.dropAll();
    const tcp = this.tcp;
    this.tcp = null;
    return new Promise((resolve) => (tcp ? tcp.close(() => resolve()) : resolve()));
  }

  private onClient(client: Connection): void {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const k = this.clientKey;
      if (ctx.method !== 'publickey' || ctx.username !== this.user) return ctx.reject(['publickey']);
      if (ctx.key.algo !== k.type || !ctx.key.data.equals(k.getPublicSSH())) return ctx.reject(['publickey']);
      if (ctx.signature && ctx.blob && k.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
      ctx.accept();
    });
    client.on('ready', () => {
      this.logins++;
      client.on('session', (_accept, reject) => reject());
      client.on('tcpip', (accept, reject, info) => {
        if (!this.allowed(info.destIP, info.destPort)) return reject();
        if (this.stallForwards) return;
        const upstream = connect(info.destPort, info.destIP);
        upstream.once('error', () => reject());
        upstream.once('connect', () => {
          upstream.removeAllListeners('error');
          this.forwarded.push(`${info.destIP}:${info.destPort}`);
          const ch = accept();
          upstream.on('error', () => ch.destroy());
          ch.on('error', () => upstream.destroy());
          // OpenSSH half-closes: the node's FIN becomes a channel EOF, and the channel closes only once the client
          // has sent its own EOF or CLOSE too (ssh2's server would close at once).
          ch.pipe(upstream);
          upstream.pipe(ch, { end: false });
          let nodeEnded = false;
          let clientEnded = false;
          upstream.once('end', () => { nodeEnded = true; ch.eof(); if (clientEnded) ch.close(); });
          ch.once('end', () => { clientEnded = true; if (nodeEnded) ch.close(); });
          const relay = {
            dest: `${info.destIP}:${info.destPort}`,
            silence: () => {
              ch.unpipe(upstream);
              upstream.unpipe(ch);
              upstream.removeAllListeners('error');
              upstream.on('error', () => undefined);
              upstream.destroy();
              ch.resume(); // read and dropped, as the kernel's send buffer takes bytes a dead peer never acknowledges
              // Nor is the client's CHANNEL_CLOSE answered: OpenSSH closes the channel once its socket's output has
              // drained, which a dead peer never lets happen. (ssh2 answers a close unless it counts the channel closed.)
              (ch as unknown as { incoming: { state: string } }).incoming.state = 'closed';
            },
          };
          this.relays.add(relay);
          ch.on('close', () => this.relays.delete(relay));
        });
      });
    });
  }
}
