// A real OpenSSH server on 127.0.0.1 for tests: throwaway host and client keys, its own config,
// nothing shared with the machine's sshd. As root it logs in a non-root user (created once,
// password field '*' so that UsePAM=no does not treat it as locked); otherwise it logs in as us.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = process.env.SSHD_PATH ?? '/usr/sbin/sshd';
const TEST_USER = 'ks-ssh-test';

export interface OpenSshServer {
  host: string;
  port: number;
  username: string;
  privateKeyFile: string;
  /** `ssh-keygen -lf` of the host key: "SHA256:..." */
  hostKeyFingerprint: string;
  /** A directory the login user can write to (markers, uploads, pid files). */
  workDir: string;
  /** sshd's own log (-e), for failure messages. */
  log(): string;
  /** Kills sshd and every session it serves (as a reboot would), then starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

function ensureTestUser(): { name: string; uid: number; gid: number } {
  let r = spawnSync('id', ['-u', TEST_USER], { encoding: 'utf8' });
  if (r.status !== 0) {
    // Exit 9: created concurrently by another test file; that is fine.
    const add = spawnSync('useradd', ['--create-home', '--shell', '/bin/bash', '--password', '*', TEST_USER], { encoding: 'utf8' });
    if (add.status !== 0 && add.status !== 9) throw new Error(`useradd ${TEST_USER} failed: ${add.stderr}`);
    r = spawnSync('id', ['-u', TEST_USER], { encoding: 'utf8' });
  }
  const uid = Number(r.stdout.trim());
  const gid = Number(run('id', ['-g', TEST_USER]).trim());
  return { name: TEST_USER, uid, gid };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function sshdVersion(): [number, number] {
  const m = /OpenSSH_(\d+)\.(\d+)/.exec(spawnSync(SSHD, ['-V'], { encoding: 'utf8' }).stderr ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Every process below `pid`, deepest last (session processes of a forked sshd are not in its group). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, pp] of parentOf) if (pp === p) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

export async function startOpenSsh(): Promise<OpenSshServer> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} not found: install Debian's openssh-server (apt-get install openssh-server)`);
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? ensureTestUser() : { name: userInfo().username, uid: -1, gid: -1 };
  if (asRoot) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation directory

  const dir = mkdtempSync(join(tmpdir(), 'ks-sshd-'));
  chmodSync(dir, 0o755); // the login user must reach authorized_keys and workDir
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const clientDir = join(dir, 'client');
  mkdirSync(clientDir, { mode: 0o700 });
  const privateKeyFile = join(clientDir, 'id_ed25519');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ks-test-host', '-f', hostKey]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ks-test-client', '-f', privateKeyFile]);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${privateKeyFile}.pub`), { mode: 0o644 });
  const hostKeyFingerprint = run('ssh-keygen', ['-lf', `${hostKey}.pub`]).split(' ')[1];
  const workDir = join(dir, 'work');
  mkdirSync(workDir, { mode: 0o755 });
  if (asRoot) chownSync(workDir, user.uid, user.gid);

  const host = '127.0.0.1';
  const [major, minor] = sshdVersion();
  const configFile = join(dir, 'sshd_config');
  const writeConfig = (port: number) => writeFileSync(configFile, [
    `ListenAddress ${host}:${port}`,
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    `AllowUsers ${user.name}`,
    'Subsystem sftp internal-sftp',
    `LogLevel ${process.env.SSHD_LOGLEVEL ?? 'VERBOSE'}`, // INFO or more: readiness is read from the log
    // OpenSSH 9.8+ penalises sources that fail; our tests fail handshakes on purpose.
    ...(major > 9 || (major === 9 && minor >= 8) ? ['PerSourcePenalties no'] : []),
  ].join('\n') + '\n');

  let child: ChildProcess | undefined;
  let log = '';
  let port = 0;
  /** Starts sshd and waits for its own "Server listening" line: only then is the port surely ours. */
  const start = async () => {
    const from = log.length;
    const c = spawn(SSHD, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    let exited = false;
    c.stderr!.on('data', (d) => { log += d; });
    c.once('exit', () => { exited = true; });
    const deadline = Date.now() + 10_000;
    while (!log.slice(from).includes(`Server listening on ${host} port ${port}`)) {
      if (exited) throw new Error(`sshd exited at start:\n${log.slice(from)}`);
      if (Date.now() > deadline) throw new Error(`sshd did not listen on ${host}:${port} within 10 s:\n${log.slice(from)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const pids = [c.pid!, ...descendants(c.pid!)];
    const gone = new Promise((r) => c.once('exit', r));
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    await gone;
  };

  try {
    // The free port can be taken by someone else before sshd binds it: then try another one.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeConfig(port);
      try {
        await start();
        break;
      } catch (err) {
        if (attempt >= 3 || !/Bind to port|Cannot bind/.test(log)) throw err;
      }
    }
  } catch (err) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    host,
    port,
    username: user.name,
    privateKeyFile,
    hostKeyFingerprint,
    workDir,
    log: () => log,
    async restart() { await kill(); await start(); },
    async stop() { await kill(); rmSync(dir, { recursive: true, force: true }); },
  };
}
