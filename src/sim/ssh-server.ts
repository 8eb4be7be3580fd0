// One node's sshd: an ssh2 Server fed by our own TCP listener on the node's loopback address, so a
// reboot can close the port (connection refused), then accept TCP but refuse logins (a booting sshd),
// and a fault can cut connections or change the host key. Only `exec` is served, with stdin, the
// `signal` request, exit status or exit signal, and stderr.
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { Server, utils, type Connection, type ParsedKey, type ServerChannel, type SFTPWrapper } from 'ssh2';
import type { SimNode } from './node-state';
import { Killed, StreamInput } from './process';

export interface ExecRequest {
  node: SimNode;
  command: string;
  connection: number;
  stdin: StreamInput;
  out: (t: string) => void;
  err: (t: string) => void;
  signal: AbortSignal;
  drop: () => void;
  /** The client asked for a PTY (`pty-req`) before `exec`. */
  tty: boolean;
}

export function fingerprintOfKey(publicOrPrivate: string | ParsedKey): string {
  const parsed = typeof publicOrPrivate === 'string' ? utils.parseKey(publicOrPrivate) : publicOrPrivate;
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return `SHA256:${createHash('sha256').update(key.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
}

/**
 * An ed25519 pair ssh2 can read back. Its generateKeyPairSync('ed25519') strips a leading zero byte from
 * about one public key in 256, and parseKey then refuses the pair (mscdex/ssh2#1390, #1513): draw again.
 */
export function ed25519KeyPair(): { private: string; public: string } {
  for (;;) {
    const k = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(k.public) instanceof Error) && !(utils.parseKey(k.private) instanceof Error)) return k;
  }
}

export class NodeServer {
  private tcp: NetServer | null = null;
  private ssh: Server;
  private readonly sockets = new Set<Socket>();
  private readonly running = new Set<AbortController>();
  private connectionSeq = 0;
  private hostKeyPem: string;
  /** Serves the `sftp` subsystem when set. */
  sftpHandler?: (sftp: SFTPWrapper, connection: number) => void;

  constructor(
    readonly node: SimNode,
    public port: number,
    hostKeyPem: string,
    private readonly clientKey: ParsedKey,
    private readonly user: string,
    private readonly exec: (req: ExecRequest) => Promise<number>,
  ) {
    this.hostKeyPem = hostKeyPem;
    this.ssh = this.makeServer();
  }

  get hostKey(): string {
    return this.hostKeyPem;
  }

  get fingerprint(): string {
    return fingerprintOfKey(this.hostKeyPem);
  }

  /** Serves the next connections with another host key (an impostor, or the real one back). */
  setHostKey(pem: string): void {
    this.hostKeyPem = pem;
    this.ssh = this.makeServer();
  }

  private makeServer(): Server {
    return new Server({ hostKeys: [this.hostKeyPem], ident: 'OpenSSH_8.9p1 Ubuntu-3ubuntu0.10' }, (client) => this.onClient(client));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.tcp) return resolve();
      const tcp = createServer((sock) => {
        this.sockets.add(sock);
        // Without it ssh2's small reply writes wait for the client's delayed ACK: 44 ms per exec here against
        // 9.5 ms measured on a real OpenSSH sshd over loopback (docs/performance.md).
        sock.setNoDelay(true);
        sock.on('close', () => this.sockets.delete(sock));
        sock.on('error', () => undefined);
        this.ssh.injectSocket(sock);
      });
      tcp.once('error', reject);
      tcp.listen(this.port, this.node.address, () => {
        tcp.off('error', reject);
        const a = tcp.address();
        if (a && typeof a === 'object') this.port = a.port;
        tcp.on('error', () => undefined);
        this.tcp = tcp;
        resolve();
      });
    });
  }

  /** Logins accepted so far (a client that only reads the host key never gets this far). */
  logins = 0;

  /** Stops accepting: new connections are refused. Existing ones stay until dropped. */
  close(): Promise<void> {
    const tcp = this.tcp;
    this.tcp = null;
    return new Promise((resolve) => (tcp ? tcp.close(() => resolve()) : resolve()));
  }

  /** The port actually bound (when asked for port 0). */
  boundPort(): number {
    const a = this.tcp?.address();
    return a && typeof a === 'object' ? a.port : this.port;
  }

  get listening(): boolean {
    return this.tcp !== null;
  }

  /** Kills every running command with `signal` and cuts every connection at once. */
  dropAll(signal = 'KILL'): void {
    for (const ac of this.running) ac.abort(signal);
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private onClient(client: Connection): void {
    const id = ++this.connectionSeq;
    const sock = (client as unknown as { _sock?: Socket })._sock;
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      // A booting machine's sshd answers but PAM (pam_nologin) turns logins away until boot finishes.
      if (this.node.phase !== 'up') return ctx.reject(['publickey']);
      if (ctx.method !== 'publickey' || ctx.username !== this.user) return ctx.reject(['publickey']);
      const k = this.clientKey;
      if (ctx.key.algo !== k.type || !ctx.key.data.equals(k.getPublicSSH())) return ctx.reject(['publickey']);
      if (ctx.signature && ctx.blob && k.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
      if (ctx.signature) this.logins++;
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        let current: AbortController | null = null;
        let tty = false;
        // ssh2's server stops answering channel requests once the client sent EOF on stdin; OpenSSH
        // still honours `signal` then (clients end stdin right after starting a command), so reopen.
        session.on('eof', () => { (session as unknown as { _ending: boolean })._ending = false; });
        session.on('env', (accept) => accept?.());
        session.on('pty', (accept) => { tty = true; accept?.(); });
        session.on('signal', (accept, _reject, info) => {
          accept?.();
          current?.abort(info.name.replace(/^SIG/, ''));
        });
        session.on('exec', (accept, _reject, info) => {
          const stream = accept();
          if (!stream) return;
          const ac = new AbortController();
          current = ac;
          this.running.add(ac);
          this.serve(stream, ac, id, info.command, () => { sock?.destroy(); client.end(); }, tty);
        });
        session.on('shell', (_accept, reject) => reject?.());
        session.on('sftp', (accept, reject) => {
          if (!this.sftpHandler) return reject?.();
          const sftp = accept();
          if (sftp) this.sftpHandler(sftp, id);
        });
      });
    });
  }

  /**
   * On a PTY the terminal's line discipline (termios defaults: ICRNL, ECHO, ONLCR) is played: a typed CR reaches
   * the program as NL and is echoed back, output NL goes out as CR NL, and stderr shares the one terminal.
   */
  private serve(stream: ServerChannel, ac: AbortController, connection: number, command: string, drop: () => void, tty = false): void {
    const stdin = new StreamInput(ac.signal);
    let open = true;
    const onlcr = (t: string) => (tty ? t.replace(/\r?\n/g, '\r\n') : t);
    stream.on('data', (d: Buffer) => {
      const text = tty ? d.toString('utf8').replace(/\r/g, '\n') : d.toString('utf8');
      if (tty && open) stream.write(onlcr(text));
      stdin.push(text);
    });
    stream.on('end', () => stdin.end());
    stream.on('error', () => undefined);
    stream.on('close', () => {
      open = false;
      if (!ac.signal.aborted) ac.abort('HUP');
    });
    const write = (f: (t: string) => void) => (t: string) => { if (open && t) f(t); };
    this.exec({
      node: this.node, command, connection, stdin, signal: ac.signal, drop, tty,
      out: write((t) => stream.write(onlcr(t))),
      err: write((t) => (tty ? stream.write(onlcr(t)) : stream.stderr.write(t))),
    }).then(
      (code) => {
        if (open) { stream.exit(code); stream.end(); }
      },
      (err) => {
        if (open) {
          if (err instanceof Killed) stream.exit(err.signal, false, '');
          else { stream.stderr.write(`simulator error: ${(err as Error).message}\n`); stream.exit(255); }
          stream.end();
        }
      },
    ).finally(() => this.running.delete(ac));
  }
}
