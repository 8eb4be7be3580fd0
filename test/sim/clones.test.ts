// Cloned nodes (issue 16, item 8): a clone made from a configured machine keeps its /etc/machine-id and SSH
// host keys. Preflight reads the machine-id of every node and, comparing the nodes' facts, names each pair
// with the fix, before anything changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simFleet } from '../helpers/sim';
import type { Fleet } from '../../src/sim';
import type { SshTarget } from '../../src/activities/ssh';
import { createPreflightActivities, type PreflightResult } from '../../src/activities/preflight';
import { cloneProblems, NEW_HOST_KEYS, NEW_MACHINE_ID } from '../../src/workflows/clones';

const sim = simFleet({ nodes: 3, seed: 8, latency: 'fast' });

const input = (f: Fleet) => ({
  peers: f.spec.nodes.map((n) => ({ name: n.name, address: n.address })), virtualIp: f.spec.virtualIp,
  volumeGroup: f.spec.lvm.volumeGroup, sharedVolumeSize: f.spec.lvm.sharedVolumeSize, unsharedGb: 14, heavy: false,
});

async function facts() {
  const acts = createPreflightActivities({ pool: sim.pool });
  return Promise.all(sim.fleet.nodes.map(async (n) => {
    const t: SshTarget = { node: n.name, host: n.address, port: n.port, username: sim.fleet.spec.ssh.user, privateKeyFile: sim.fleet.keyFile };
    return (await new MockActivityEnvironment().run(acts.preflightNode, t, input(sim.fleet)) as PreflightResult).facts;
  }));
}

test('distinct machines: every machine-id read, no clone problem', async () => {
  const f = await facts();
  assert.ok(f.every((x) => /^[0-9a-f]{32}$/.test(x.machineId ?? '')), JSON.stringify(f.map((x) => x.machineId)));
  assert.equal(new Set(f.map((x) => x.machineId)).size, 3);
  assert.deepEqual([...cloneProblems(f)], []);
});

test('k8s-vm-3 cloned from k8s-vm-2: both named, machine-id and host key, each with its fix', async () => {
  await sim.pool.closeAll();
  sim.fleet.faults.cloneOf('k8s-vm-3', 'k8s-vm-2');
  const problems = cloneProblems(await facts());
  assert.deepEqual([...problems.keys()].sort(), ['k8s-vm-2', 'k8s-vm-3']);
  const p3 = problems.get('k8s-vm-3')!;
  assert.equal(p3.length, 2);
  assert.match(p3[0], /^shares \/etc\/machine-id [0-9a-f]{8}\.\.\. with k8s-vm-2: /);
  assert.ok(p3[0].endsWith(`\`${NEW_MACHINE_ID}\``));
  assert.match(p3[1], /^shares its SSH host key SHA256:\S+ with k8s-vm-2: /);
  assert.ok(p3[1].includes(NEW_HOST_KEYS));
  assert.match(problems.get('k8s-vm-2')![0], /with k8s-vm-3: /);
});
