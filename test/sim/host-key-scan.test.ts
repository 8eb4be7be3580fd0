// The first-contact host key read (src/activities/host-key-scan.ts): the node's fingerprint as `ssh-keygen -lf`
// prints it, from the key exchange alone: no login and no command on the node, directly or through a bastion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostKeyScanActivities, scanHostKey } from '../../src/activities/host-key-scan';
import { SshPool } from '../../src/activities/ssh';
import { startFleet } from '../../src/sim';
import { simTarget } from '../helpers/sim';

test('a direct node: its key from the key exchange, no login, no command; a closed port is a clear error', { timeout: 60_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'scan', seed: 81 });
  try {
    for (const n of fleet.nodes) assert.equal(await scanHostKey(simTarget(fleet, n.name)), fleet.node(n.name).hostKeyFingerprint);
    assert.match(fleet.node('k8s-vm-1').hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.deepEqual(fleet.nodes.map((n) => fleet.node(n.name).server.logins), [0, 0, 0], 'nobody logged in');
    assert.deepEqual(fleet.audit(), [], 'no command ran');
    // The impostor's key is what is shown: the person compares it, nothing is trusted here.
    const real = fleet.node('k8s-vm-2').hostKeyFingerprint;
    fleet.faults.wrongHostKey('k8s-vm-2');
    const shown = await scanHostKey(simTarget(fleet, 'k8s-vm-2'));
    assert.notEqual(shown, real);
    assert.equal(shown, fleet.node('k8s-vm-2').hostKeyFingerprint);
    await assert.rejects(scanHostKey({ ...simTarget(fleet, 'k8s-vm-3'), port: 1 }, 3000), /cannot read the host key of node k8s-vm-3 at .*:1: /);
  } finally {
    await fleet.stop();
  }
});

test('behind a bastion: the node\'s key through the tunnel, and no command on the node', { timeout: 60_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'scan-bastion', seed: 82, bastion: true });
  const pool = new SshPool();
  try {
    const b = fleet.spec.ssh.bastion!;
    const target = { ...simTarget(fleet, 'k8s-vm-1'), bastion: { host: b.host, port: b.port, username: b.user, privateKeyFile: fleet.keyFile, expectedHostKey: b.hostKey } };
    assert.equal(await createHostKeyScanActivities({ pool }).readHostKey(target), fleet.node('k8s-vm-1').hostKeyFingerprint);
    assert.deepEqual(fleet.audit('k8s-vm-1'), [], 'no command ran on the node');
  } finally {
    await pool.closeAll();
    await fleet.stop();
  }
});
