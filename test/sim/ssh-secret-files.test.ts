// Issue 17, finding 9: secret files named by the spec are small regular files (a FIFO or /dev/zero is refused
// at once, naming the field, instead of hanging or filling memory), and the SSH pool shares a connection only
// between targets with the same key file and pinned host key: two sites on one address keep their own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { startFleet, type Fleet } from '../../src/sim';
import { HostKeyMismatchError, SshConnectError, SshKeyFileError, SshPool, SudoPasswordError, type SshTarget } from '../../src/activities/ssh';

let fleet: Fleet;
let dir: string;
const pools: SshPool[] = [];
const pool = () => { const p = new SshPool({ connectTimeoutMs: 5000 }); pools.push(p); return p; };
const target = (over: Partial<SshTarget> = {}): SshTarget => {
  const n = fleet.node('k8s-vm-1');
  return { node: 'k8s-vm-1', host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile, ...over };
};

before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 51 });
  dir = mkdtempSync(join(tmpdir(), 'ks-secret-files-'));
});
after(async () => {
  await Promise.all(pools.map((p) => p.closeAll()));
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Settles within `ms` or fails the test: a read that hangs on a FIFO must not pass by timing out elsewhere. */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { t = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(t);
  }
}

test('a FIFO, /dev/zero, a directory or a 20 KiB file as ssh.privateKeyFile is refused at once, naming the field', async () => {
  const fifo = join(dir, 'key.fifo');
  execFileSync('mkfifo', [fifo]);
  const big = join(dir, 'big.key');
  writeFileSync(big, 'x'.repeat(20 * 1024));
  for (const [file, why] of [[fifo, /is not a regular file \(a FIFO\)/], ['/dev/zero', /is not a regular file \(a character device\)/],
    [dir, /is not a regular file \(a directory\)/], [big, /is 20480 bytes, more than a key or password file holds \(16 KiB at most\)/]] as const) {
    await assert.rejects(within(3000, pool().exec(target({ privateKeyFile: file }), 'true')), (err: Error) => {
      assert.ok(err instanceof SshKeyFileError, `${file}: ${err.name}: ${err.message}`);
      assert.match(err.message, why);
      assert.match(err.message, /\(ssh\.privateKeyFile\)/);
      assert.match(err.message, /Fix: /);
      return true;
    });
  }
});

test('a FIFO as ssh.sudoPasswordFile is refused at once, naming the field', async () => {
  const fifo = join(dir, 'sudo.fifo');
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(within(3000, pool().exec(target({ sudoPasswordFile: fifo }), 'sudo true')), (err: Error) => {
    assert.ok(err instanceof SudoPasswordError, `${err.name}: ${err.message}`);
    assert.match(err.message, /\(ssh\.sudoPasswordFile\) is not a regular file \(a FIFO\)/);
    return true;
  });
});

test('two sites on one address with different key files or host-key pins do not share a connection', async () => {
  const p = pool();
  assert.equal((await p.exec(target(), 'whoami')).code, 0);
  // Another site names the same host, port and user with a key the node does not accept: its own connection, refused.
  const other = join(dir, 'other.key');
  writeFileSync(other, utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
  await assert.rejects(p.exec(target({ privateKeyFile: other }), 'whoami'), (err: Error) => {
    assert.ok(err instanceof SshConnectError, `${err.name}: ${err.message}`);
    assert.match(err.message, /authentication/i);
    return true;
  });
  // A site whose pin differs from the key this connection saw: refused before any command.
  await assert.rejects(p.exec(target({ expectedHostKey: 'SHA256:' + 'A'.repeat(43) }), 'whoami'), HostKeyMismatchError);
  // The first site's connection still works.
  assert.equal((await p.exec(target(), 'whoami')).code, 0);
});
