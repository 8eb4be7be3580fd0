// The SSH layer against a real OpenSSH sshd on 127.0.0.1 (see helpers/openssh.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CommandAbortedError, CommandTimeoutError, HostKeyMismatchError, SshConnectError, SshKeyFileError, SshPool, type SshTarget,
} from '../../src/activities/ssh';
import { startOpenSsh, type OpenSshServer } from '../helpers/openssh';

let s: OpenSshServer;
let pool: SshPool;
let target: SshTarget;
const events: Record<string, unknown>[] = [];
const T = { timeout: 20_000 };
const WRONG_KEY = 'SHA256:' + 'A'.repeat(43);

before(async () => {
  s = await startOpenSsh();
  target = { node: 'vm-1', host: s.host, port: s.port, username: s.username, privateKeyFile: s.privateKeyFile };
  pool = new SshPool({ connectTimeoutMs: 5000, killGraceMs: 500, log: (e) => events.push(e) });
});
after(async () => {
  await pool?.closeAll();
  await s?.stop();
});

const file = (name: string) => join(s.workDir, name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Dead means gone from /proc, or a zombie nobody has reaped yet (it runs nothing any more). */
function alive(pid: number): boolean {
  return !/^(gone|[ZX])/.test(procState(pid));
}
/** Asserts the process is dead, allowing the kernel a moment to finish tearing it down. */
async function assertStopped(pid: number, what: string): Promise<void> {
  const deadline = Date.now() + 400;
  while (alive(pid) && Date.now() < deadline) await sleep(20);
  assert.ok(!alive(pid), `${what} ${pid} still runs: ${procState(pid)}`);
}
function procState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2) + ' ' + stat.slice(0, stat.lastIndexOf(')') + 1);
  } catch {
    return 'gone';
  }
}

/** A command that records the shell's and a child's pids, says "started", waits, then would leave a marker. */
function longCommand(tag: string, seconds = 300, prelude = ''): string {
  return `${prelude}sleep ${seconds} & echo $$ $! > ${file(`${tag}.pids`)}; echo started; wait $!; touch ${file(`${tag}.marker`)}`;
}
function startedSignal(): { onOutput: (stream: string, chunk: string) => void; started: Promise<void> } {
  let ready!: () => void;
  const started = new Promise<void>((r) => { ready = r; });
  return { started, onOutput: (stream, chunk) => { if (stream === 'stdout' && chunk.includes('started')) ready(); } };
}
function pidsOf(tag: string): number[] {
  return readFileSync(file(`${tag}.pids`), 'utf8').trim().split(' ').map(Number);
}

test('exit codes: 0 and non-zero both resolve; stderr is kept apart from stdout', T, async () => {
  const ok = await pool.exec(target, 'echo hello; id -un');
  assert.equal(ok.code, 0);
  assert.equal(ok.stdout, `hello\n${s.username}\n`);
  assert.equal(ok.stderr, '');
  assert.equal(ok.hostKey, s.hostKeyFingerprint);
  const bad = await pool.exec(target, 'echo out; echo oops >&2; exit 3');
  assert.equal(bad.code, 3);
  assert.equal(bad.stdout, 'out\n');
  assert.equal(bad.stderr, 'oops\n');
  assert.ok(bad.durationMs >= 0);
  const signalled = await pool.exec(target, 'kill -USR1 $$');
  assert.equal(signalled.code, 128 + 10);
});

test('stdin is delivered, then EOF (also beyond one SSH window)', T, async () => {
  const r = await pool.exec(target, 'cat', { stdin: 'line 1\nline 2\n' });
  assert.equal(r.stdout, 'line 1\nline 2\n');
  const big = 'x'.repeat(3 * 1024 * 1024);
  const n = await pool.exec(target, 'wc -c', { stdin: big });
  assert.equal(n.stdout.trim(), String(big.length));
  const none = await pool.exec(target, 'cat; echo done'); // no stdin: EOF at once, no hang
  assert.equal(none.stdout, 'done\n');
});

test('output is bounded to the last tailBytes, with a cut marker', T, async () => {
  const r = await pool.exec(target, "head -c 200000 /dev/zero | tr '\\0' x; echo END", { tailBytes: 4096 });
  assert.ok(Buffer.byteLength(r.stdout) <= 4096, `tail is ${Buffer.byteLength(r.stdout)} bytes`);
  const m = /^\[\.\.\. (\d+) bytes cut\]\n(x+END\n)$/.exec(r.stdout);
  assert.ok(m, r.stdout.slice(0, 80));
  assert.equal(Number(m[1]) + m[2].length, 200_004);
  const small = await pool.exec(target, 'echo short', { tailBytes: 4096 });
  assert.equal(small.stdout, 'short\n');
});

test('abort stops the remote command: its processes are gone and it never goes on', T, async () => {
  const ctl = new AbortController();
  const { started, onOutput } = startedSignal();
  const t0 = Date.now();
  const running = pool.exec(target, longCommand('abort', 3), { signal: ctl.signal, onOutput });
  await started;
  const [shell, child] = pidsOf('abort');
  assert.ok(alive(shell) && alive(child), 'the command runs before the abort');
  ctl.abort();
  await assert.rejects(running, (err: unknown) => err instanceof CommandAbortedError && /cancelled/.test(err.message));
  // By the time the promise rejects the processes are dead (or the kernel is finishing their exit).
  await assertStopped(shell, 'shell');
  await assertStopped(child, 'sleep');
  await sleep(3500 - (Date.now() - t0)); // past the 3 s sleep: had the shell survived, it would have touched the marker
  assert.equal(existsSync(file('abort.marker')), false);
  const after = await pool.exec(target, 'echo still usable');
  assert.equal(after.stdout, 'still usable\n');
});

test('a timeout stops the remote command too, escalating to KILL when TERM is ignored', T, async () => {
  const t0 = Date.now();
  await assert.rejects(pool.exec(target, longCommand('timeout'), { timeoutMs: 700 }), (err: unknown) =>
    err instanceof CommandTimeoutError && err.details.stdout === 'started\n');
  for (const pid of pidsOf('timeout')) await assertStopped(pid, 'process');
  assert.ok(Date.now() - t0 >= 700);

  // `trap '' TERM` is inherited by the child: only KILL (after killGraceMs) ends them.
  await assert.rejects(pool.exec(target, longCommand('stubborn', 300, "trap '' TERM; "), { timeoutMs: 700 }), CommandTimeoutError);
  for (const pid of pidsOf('stubborn')) await assertStopped(pid, 'TERM-ignoring process');
  assert.equal(existsSync(file('stubborn.marker')), false);
  assert.ok(events.some((e) => e.event === 'ssh.exec.stop' && e.reason === 'timeout'));
});

test('an already aborted signal runs nothing', T, async () => {
  await assert.rejects(pool.exec(target, `touch ${file('pre-aborted')}`, { signal: AbortSignal.abort() }), CommandAbortedError);
  await sleep(200);
  assert.equal(existsSync(file('pre-aborted')), false);
});

test('upload writes the content with the mode, and replaces an existing file', T, async () => {
  const path = file('uploaded.conf');
  await pool.upload(target, 'first\n', path, 0o640);
  assert.equal(readFileSync(path, 'utf8'), 'first\n');
  assert.equal(statSync(path).mode & 0o777, 0o640);
  await pool.upload(target, Buffer.from([0, 1, 2, 255]), path, 0o600);
  assert.deepEqual([...readFileSync(path)], [0, 1, 2, 255]);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const r = await pool.exec(target, `ls -a ${s.workDir}`);
  assert.doesNotMatch(r.stdout, /\.ks-/, 'no temporary file left behind');
  await assert.rejects(pool.upload(target, 'x', '/proc/forbidden/file'), /upload to \/proc\/forbidden\/file failed/);
});

test('after sshd restarts (dropping every session) the same pool reconnects; a command cut off rejects as retryable', T, async () => {
  const r1 = await pool.exec(target, 'echo before');
  assert.equal(r1.code, 0);
  const { started, onOutput } = startedSignal();
  const cut = pool.exec(target, longCommand('cut'), { onOutput }).catch((e: unknown) => e);
  await started;
  await s.restart();
  assert.ok(await cut);
  await assert.rejects(cut.then((e) => { throw e; }), (err: unknown) => err instanceof SshConnectError && err.retryable && /connection lost/.test(err.message));
  const r2 = await pool.exec(target, 'echo after');
  assert.equal(r2.stdout, 'after\n');
  assert.ok(events.some((e) => e.event === 'ssh.reconnect'));
  await s.restart(); // and with no command running when it goes away
  assert.equal((await pool.exec(target, 'echo again')).stdout, 'again\n');
});

test('a wrong host key is refused before authentication: the error names both keys and nothing runs', T, async () => {
  const fresh = new SshPool({ connectTimeoutMs: 5000 });
  const accepted = () => s.log().split('\n').filter((l) => l.includes('Accepted publickey')).length;
  const before = accepted();
  try {
    await assert.rejects(fresh.exec({ ...target, expectedHostKey: WRONG_KEY }, `touch ${file('mismatch')}`), (err: unknown) => {
      assert.ok(err instanceof HostKeyMismatchError);
      assert.equal(err.retryable, false);
      assert.equal(err.expected, WRONG_KEY);
      assert.equal(err.actual, s.hostKeyFingerprint);
      assert.equal(err.node, 'vm-1');
      assert.ok(err.message.includes(WRONG_KEY) && err.message.includes(s.hostKeyFingerprint));
      assert.match(err.message, /nodes\[\]\.hostKey/);
      return true;
    });
    assert.equal(accepted(), before, 'the client never authenticated');
  } finally {
    await fresh.closeAll();
  }
  // A pooled connection opened on trust is not reused for a caller that pins another key.
  await pool.exec(target, 'true');
  await assert.rejects(pool.exec({ ...target, expectedHostKey: WRONG_KEY }, `touch ${file('mismatch')}`), HostKeyMismatchError);
  await sleep(200);
  assert.equal(existsSync(file('mismatch')), false);
});

test('trust on first use: the fingerprint equals ssh-keygen -lf, and pinning it works', T, async () => {
  const fresh = new SshPool();
  try {
    assert.equal(await fresh.hostKeyOf(target), s.hostKeyFingerprint);
    const pinned = await fresh.exec({ ...target, expectedHostKey: s.hostKeyFingerprint }, 'echo pinned');
    assert.equal(pinned.stdout, 'pinned\n');
    assert.equal(pinned.hostKey, s.hostKeyFingerprint);
  } finally {
    await fresh.closeAll();
  }
});

test('secrets are redacted from the command, the output (even split across chunks), errors and logs', T, async () => {
  const secret = 'hunter2-s3cr3t';
  const seen: string[] = [];
  const r = await pool.exec(target, `echo token=${secret}; printf hunt; sleep 0.3; printf 'er2-s3cr3t\\n'; echo ${secret} >&2; exit 4`, {
    redact: [secret], onOutput: (_stream, chunk) => seen.push(chunk),
  });
  assert.equal(r.code, 4);
  assert.equal(r.command, 'echo token=[REDACTED]; printf hunt; sleep 0.3; printf \'er2-s3cr3t\\n\'; echo [REDACTED] >&2; exit 4');
  assert.equal(r.stdout, 'token=[REDACTED]\n[REDACTED]\n');
  assert.equal(r.stderr, '[REDACTED]\n');
  assert.ok(!seen.join('').includes(secret) && !seen.join('').includes('hunter2'));
  const timedOut = await pool.exec(target, `sleep 5 # ${secret}`, { redact: [secret], timeoutMs: 200 }).catch((e: Error) => e);
  assert.ok(timedOut instanceof CommandTimeoutError && timedOut.message.includes('[REDACTED]') && !timedOut.message.includes(secret));
  assert.ok(!JSON.stringify(events).includes(secret), 'a logged event holds the secret');
  assert.ok(events.some((e) => e.event === 'ssh.exec.end' && e.code === 4 && String(e.command).includes('[REDACTED]')));
});

test('concurrent first calls share one connection; two commands run at once on it', T, async () => {
  const log: Record<string, unknown>[] = [];
  const fresh = new SshPool({ log: (e) => log.push(e) });
  try {
    const timed = 'date +%s%N; sleep 0.5; date +%s%N';
    const [a, b] = (await Promise.all([fresh.exec(target, timed), fresh.exec(target, timed)]))
      .map((r) => r.stdout.trim().split('\n').map(BigInt));
    assert.ok(a[0] < b[1] && b[0] < a[1], 'the two commands ran at the same time');
    assert.equal(log.filter((e) => e.event === 'ssh.connect').length, 1);
  } finally {
    await fresh.closeAll();
  }
});

test('connection and key-file problems are reported clearly, never with the key', T, async () => {
  const pool = new SshPool(); // the key is read when a connection opens: not from the shared, connected pool
  const dir = mkdtempSync(join(tmpdir(), 'ks-keys-'));
  const missing = join(dir, 'missing');
  await assert.rejects(pool.exec({ ...target, node: 'vm-9', privateKeyFile: missing }, 'true'), (err: unknown) =>
    err instanceof SshKeyFileError && !err.retryable && err.message.includes(missing) && /ENOENT/.test(err.message));
  const garbage = join(dir, 'garbage');
  writeFileSync(garbage, 'NOT-A-KEY-BUT-SECRET-MATERIAL\n');
  await assert.rejects(pool.exec({ ...target, node: 'vm-9', privateKeyFile: garbage }, 'true'), (err: unknown) =>
    err instanceof SshKeyFileError && err.message.includes(garbage) && !err.message.includes('SECRET-MATERIAL'));
  const home = process.env.HOME;
  process.env.HOME = dir; // os.homedir() follows $HOME: "~/" is expanded against it
  writeFileSync(join(dir, 'id'), readFileSync(s.privateKeyFile));
  try {
    const viaHome = new SshPool();
    assert.equal((await viaHome.exec({ ...target, privateKeyFile: '~/id' }, 'echo home')).stdout, 'home\n');
    await viaHome.closeAll();
  } finally {
    process.env.HOME = home;
    rmSync(dir, { recursive: true, force: true });
  }
  await assert.rejects(pool.exec({ ...target, node: 'vm-8', port: 1 }, 'true'), (err: unknown) =>
    err instanceof SshConnectError && err.retryable && /vm-8/.test(err.message) && /refused/.test(err.message));
  await pool.closeAll();
});
