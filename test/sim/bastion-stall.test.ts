// A bastion that does not answer a channel request (OpenSSH's connect to a node down for its reboot is still
// pending): the node connection fails within the connect timeout, as a direct one would, instead of hanging
// until the command's own timeout (5 min; seen on the real-node testbed during a reboot wait).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { SshConnectError, SshPool, type SshTarget } from '../../src/activities/ssh';

let fleet: Fleet;
let pool: SshPool;
before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 44, latency: 'fast', bastion: true });
  pool = new SshPool({ connectTimeoutMs: 2000 });
});
after(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

test('a stalled bastion channel is an SSH connect failure within the connect timeout; the next attempt goes through', { timeout: 60_000 }, async () => {
  const n = fleet.node('k8s-vm-1');
  const b = fleet.spec.ssh.bastion!;
  const target: SshTarget = {
    node: n.name, host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile,
    bastion: { host: b.host, port: b.port, username: b.user, privateKeyFile: fleet.keyFile, expectedHostKey: b.hostKey },
  };
  fleet.bastion!.stallForwards = true;
  const started = Date.now();
  await assert.rejects(pool.exec(target, 'cat /proc/sys/kernel/random/boot_id', { timeoutMs: 30_000 }), (err: unknown) => {
    assert.ok(err instanceof SshConnectError, String(err));
    assert.match((err as Error).message, /the bastion .* did not open a connection to node k8s-vm-1 .* within 2000 ms/);
    return true;
  });
  assert.ok(Date.now() - started < 15_000, `gave up after ${Date.now() - started} ms`);
  fleet.bastion!.stallForwards = false;
  const r = await pool.exec(target, 'cat /proc/sys/kernel/random/boot_id');
  assert.match(r.stdout, /^[0-9a-f-]{36}\n$/);
});
