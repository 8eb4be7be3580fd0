// Bastion tunnelling against real OpenSSH (issue 18): one sshd is the jump host, another the node; the pool
// reaches the node only through a direct-tcpip channel on the bastion's connection, pins the bastion's host
// key, and opens the bastion again after it went away (sshd killed with its sessions, then back).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HostKeyMismatchError, SshPool, type SshTarget } from '../../src/activities/ssh';
import { startOpenSsh, type OpenSshServer } from '../helpers/openssh';

let bastion: OpenSshServer;
let node: OpenSshServer;
let pool: SshPool;
const events: Record<string, unknown>[] = [];

before(async () => {
  bastion = await startOpenSsh();
  node = await startOpenSsh();
  pool = new SshPool({ connectTimeoutMs: 5000, killGraceMs: 500, log: (e) => events.push(e) });
});
after(async () => {
  await pool?.closeAll();
  await node?.stop();
  await bastion?.stop();
});

const through = (hostKey = bastion.hostKeyFingerprint): SshTarget => ({
  node: 'vm-1', host: node.host, port: node.port, username: node.username, privateKeyFile: node.privateKeyFile,
  expectedHostKey: node.hostKeyFingerprint,
  bastion: { host: bastion.host, port: bastion.port, username: bastion.username, privateKeyFile: bastion.privateKeyFile, expectedHostKey: hostKey },
});

test('a command runs on the node through the bastion; the node sees the bastion as its client; the node key is still checked', { timeout: 30_000 }, async () => {
  const r = await pool.exec(through(), 'echo "$SSH_CONNECTION"');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.hostKey, node.hostKeyFingerprint, 'the node\'s own host key, end to end');
  // SSH_CONNECTION = client-ip client-port server-ip server-port: the server port is the node's.
  assert.equal(r.stdout.trim().split(' ')[3], String(node.port));
  const b = events.find((e) => e.event === 'ssh.connect' && String(e.node).startsWith('bastion '));
  assert.equal(b?.hostKey, bastion.hostKeyFingerprint);
  assert.match(bastion.log(), /Accepted publickey for /, 'the bastion logged the login');
});

test('after the bastion dies and comes back, the next command reconnects through it', { timeout: 60_000 }, async () => {
  await bastion.restart(); // kills sshd and its sessions: the tunnelled node connection goes with them
  await new Promise((r) => setTimeout(r, 300));
  const r = await pool.exec(through(), 'echo again');
  assert.equal(r.stdout, 'again\n');
  assert.ok(events.some((e) => e.event === 'ssh.reconnect' && String(e.node).startsWith('bastion ')), JSON.stringify(events));
});

test('a bastion with another host key than the pinned one is refused; the node is never contacted', { timeout: 30_000 }, async () => {
  const other = new SshPool({ connectTimeoutMs: 5000 });
  const before = node.log().split('\n').filter((l) => l.includes('Connection from')).length;
  try {
    await assert.rejects(other.exec(through(node.hostKeyFingerprint), 'true'), (err: unknown) => {
      assert.ok(err instanceof HostKeyMismatchError);
      assert.ok(err.message.includes(bastion.hostKeyFingerprint) && err.message.includes('ssh.bastion.hostKey'), err.message);
      return true;
    });
    assert.equal(node.log().split('\n').filter((l) => l.includes('Connection from')).length, before, 'no connection reached the node');
  } finally {
    await other.closeAll();
  }
});
