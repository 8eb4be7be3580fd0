// A node behind a bastion reboots and the bastion's TCP connection to it dies without a FIN (the real-node
// testbed's reboot wait): the tunnelled connection's keepalive times out, and a command on it fails at once as
// a lost connection (which the reboot wait's poll retries) instead of hanging until its own timeout (5 min there).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { CommandTimeoutError, SshConnectError, SshPool, type SshTarget } from '../../src/activities/ssh';

let fleet: Fleet;
let pool: SshPool;
before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 45, latency: 'fast', bastion: true });
  pool = new SshPool({ connectTimeoutMs: 2000, keepaliveIntervalMs: 500 });
});
after(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

const targetOf = (name: string): SshTarget => {
  const n = fleet.node(name);
  const b = fleet.spec.ssh.bastion!;
  return {
    node: n.name, host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile,
    bastion: { host: b.host, port: b.port, username: b.user, privateKeyFile: fleet.keyFile, expectedHostKey: b.hostKey },
  };
};
const BOOT_ID = 'cat /proc/sys/kernel/random/boot_id';

test('a command running when the tunnel to its node goes silent fails as a lost connection within the keepalive, not its timeout',
  { timeout: 60_000 }, async () => {
    const t = targetOf('k8s-vm-1');
    const before1 = (await pool.exec(t, BOOT_ID)).stdout.trim();
    const running = pool.exec(t, 'sleep 40', { timeoutMs: 30_000 });
    running.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fleet.bastion!.silenceForwardsTo(fleet.node('k8s-vm-1').address), 1, 'one forward to the node was open');
    fleet.faults.reboot('k8s-vm-1', { downMs: 4000, authFailMs: 0 });
    const started = Date.now();
    await assert.rejects(running, (err: unknown) => {
      assert.ok(!(err instanceof CommandTimeoutError), `it waited for the command timeout: ${String(err)}`);
      assert.ok(err instanceof SshConnectError, String(err));
      assert.match((err as Error).message, /node k8s-vm-1: connection lost while "sleep 40" was running; its outcome is unknown/);
      return true;
    });
    const ms = Date.now() - started;
    console.log(`running command failed ${ms} ms after its tunnel went silent`);
    assert.ok(ms < 10_000, `failed only after ${ms} ms`);
    // The reboot wait polls again: the node answers with its new boot id once it is back.
    let after1 = '';
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && !after1;) {
      after1 = await pool.exec(t, BOOT_ID, { timeoutMs: 10_000 }).then((r) => r.stdout.trim(), () => '');
      if (!after1) await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(after1, /^[0-9a-f-]{36}$/);
    assert.notEqual(after1, before1, 'a new boot id');
  });

test('a command sent on a pooled connection whose tunnel already went silent fails promptly, not at its timeout', { timeout: 60_000 }, async () => {
  const t = targetOf('k8s-vm-2');
  await pool.exec(t, BOOT_ID);
  assert.equal(fleet.bastion!.silenceForwardsTo(fleet.node('k8s-vm-2').address), 1);
  fleet.faults.reboot('k8s-vm-2', { downMs: 20_000, authFailMs: 0 });
  const started = Date.now();
  await assert.rejects(pool.exec(t, BOOT_ID, { timeoutMs: 30_000 }), (err: unknown) => {
    assert.ok(err instanceof SshConnectError, String(err));
    return true;
  });
  const ms = Date.now() - started;
  console.log(`a read on the silent tunnel failed after ${ms} ms`);
  assert.ok(ms < 10_000, `failed only after ${ms} ms`);
});

test('a node that closes its connections as it reboots (the bastion passes on an EOF and keeps the channel half open, as OpenSSH does): ' +
  'the running command fails as a lost connection at once', { timeout: 60_000 }, async () => {
  const t = targetOf('k8s-vm-3');
  await pool.exec(t, BOOT_ID);
  const running = pool.exec(t, 'sleep 40', { timeoutMs: 30_000 });
  running.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  fleet.faults.reboot('k8s-vm-3', { downMs: 20_000, authFailMs: 0 });
  const started = Date.now();
  await assert.rejects(running, (err: unknown) => {
    assert.ok(!(err instanceof CommandTimeoutError), `it waited for the command timeout: ${String(err)}`);
    assert.match(String(err), /SshConnectError: node k8s-vm-3: connection lost while "sleep 40" was running; its outcome is unknown/);
    return true;
  });
  const ms = Date.now() - started;
  console.log(`running command failed ${ms} ms after its node closed the connection`);
  assert.ok(ms < 5_000, `failed only after ${ms} ms`);
});
