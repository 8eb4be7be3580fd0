// The whole install on a real dev server against simulated nodes over real SSH: bare nodes to a ready
// chart, with a block-device question and a certificate upload answered by signal; then a second run
// that must change nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { startFleet, type Fleet } from '../../src/sim';
import { makeCertificate } from '../../src/client/certs';
import { startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import { recordHistory, startInstallEnv, status, waitForQuestion, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

function assertSeedState(fleet: Fleet) {
  const names = fleet.spec.nodes.map((n) => n.name);
  for (const fn of fleet.fleetNodes) {
    const node = fn.state;
    assert.equal(node.hostname, fn.name, `${fn.name} hostname`);
    const hosts = node.files.get('/etc/hosts')?.content ?? '';
    assert.match(hosts, new RegExp(`^127\\.0\\.1\\.1 ${fn.name}$`, 'm'));
    for (const n of fleet.spec.nodes) assert.match(hosts, new RegExp(`^${n.address.replace(/\./g, '\\.')} ${n.name}$`, 'm'));
    assert.ok([...node.lvs.values()].some((lv) => lv.name === 'shared'), `${fn.name} has ubuntu-vg/shared`);
    assert.ok(node.files.has('/etc/netplan/60-kloudspot-static.yaml'), `${fn.name} netplan`);
  }
  const cluster = fleet.clusterOf(names[0]);
  assert.ok(cluster, 'a cluster exists');
  for (const n of names) assert.equal(fleet.clusterOf(n), cluster, `${n} is in the cluster`);
  return cluster!;
}

test('3-node install: bare nodes to a ready chart, questions answered by signal; a re-run changes nothing', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'three', severalBlockDevices: [1], seed: 3 });
  try {
    const handle = await startInstall(env.client, fleet.spec);

    const bd = await waitForQuestion(handle, (q) => q.kind === 'blockDevice');
    assert.equal(bd.node, fleet.spec.nodes[1].name);
    assert.equal(bd.options?.length, 2);
    // A wrong answer through the update is refused at once, and the question stays.
    await assert.rejects(handle.executeUpdate(api.chooseBlockDeviceUpdate, { args: [{ node: bd.node!, blockDevice: 'blockdevice-nope' }] }),
      (e: Error) => e instanceof WorkflowUpdateFailedError || /not a candidate/.test(e.message));
    // A wrong answer through the signal is noted on the question.
    await handle.signal(api.chooseBlockDeviceSignal, { node: bd.node!, blockDevice: 'blockdevice-nope' });
    await waitForQuestion(handle, (q) => q.kind === 'blockDevice' && /not a candidate/.test(q.lastError ?? ''));
    await handle.signal(api.chooseBlockDeviceSignal, { node: bd.node!, blockDevice: bd.options![1] });

    await waitForQuestion(handle, (q) => q.kind === 'certificate');
    const wrong = makeCertificate('someone-else.example');
    await assert.rejects(handle.executeUpdate(api.uploadCertificateUpdate, { args: [wrong] }),
      (e: Error) => e instanceof WorkflowUpdateFailedError && /does not cover/.test(e.cause?.message ?? ''));
    const s1 = await status(handle);
    assert.match(s1.questions.find((q) => q.kind === 'certificate')?.lastError ?? '', /does not cover/);
    await handle.signal(api.uploadCertificateSignal, makeCertificate(fleet.spec.dnsHostname));

    const final = await handle.result() as api.InstallStatus;
    assert.equal(final.state, 'completed');
    assert.equal(final.phase, 'done');
    const cluster = assertSeedState(fleet);
    assert.deepEqual(fleet.duplicateEffects(), [], 'no side effect happened twice');
    await recordHistory(env.client, handle.workflowId, 'install-3-nodes_v3');
    await recordHistory(env.client, `${handle.workflowId}/prepare/k8s-vm-2`, 'prepare-node_v3');

    const effectsBefore = fleet.effects().length;
    const again = await startInstall(env.client, fleet.spec);
    const second = await again.result() as api.InstallStatus;
    assert.equal(second.state, 'completed');
    const newEffects = fleet.effects().slice(effectsBefore);
    assert.deepEqual(newEffects.map((e) => `${e.node}: ${e.effect}`), [], 'the second run changed nothing');
    assert.ok(cluster);
  } finally {
    await fleet.stop();
  }
});

test('5-node install: 3 managers and 2 workers joined with --worker, a worker asks for its block device', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 5, site: 'five', severalBlockDevices: [4], seed: 5 });
  try {
    const handle = await startInstall(env.client, fleet.spec);
    const bd = await waitForQuestion(handle, (q) => q.kind === 'blockDevice');
    assert.equal(bd.node, 'k8s-vm-5');
    await handle.signal(api.chooseBlockDeviceSignal, { node: bd.node!, blockDevice: bd.options![0] });
    await waitForQuestion(handle, (q) => q.kind === 'certificate');
    await handle.signal(api.uploadCertificateSignal, makeCertificate(fleet.spec.dnsHostname));
    const final = await handle.result() as api.InstallStatus;
    assert.equal(final.state, 'completed');
    assertSeedState(fleet);
    const roles = Object.fromEntries(final.nodes.map((n) => [n.name, n.role]));
    assert.deepEqual(roles, { 'k8s-vm-1': 'manager', 'k8s-vm-2': 'manager', 'k8s-vm-3': 'manager', 'k8s-vm-4': 'worker', 'k8s-vm-5': 'worker' });
    const workerJoins = fleet.effects().filter((e) => /microk8s join .* as worker/.test(e.effect ?? '')).map((e) => e.node);
    assert.deepEqual(workerJoins.sort(), ['k8s-vm-4', 'k8s-vm-5']);
    assert.deepEqual(fleet.duplicateEffects(), []);
    await recordHistory(env.client, handle.workflowId, 'install-5-nodes_v3');
  } finally {
    await fleet.stop();
  }
});
