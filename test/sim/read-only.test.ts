// plan's guarantee, at the layer that enforces it: with read-only deps, run() refuses every command not built
// with query() before it reaches the node; the plan activities, run for real on a simulated node, change nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { startFleet, type Fleet } from '../../src/sim';
import { SshPool } from '../../src/activities/ssh';
import { run } from '../../src/activities/run';
import { createPlanActivities } from '../../src/activities/plan';
import { setHostname, readStaticHostname } from '../../src/activities/commands/systemd';
import { FailureType } from '../../src/activities/failures';

let fleet: Fleet;
let pool: SshPool;
before(async () => { fleet = await startFleet({ nodes: 3, seed: 21 }); pool = new SshPool(); });
after(async () => { await pool?.closeAll(); await fleet?.stop(); });

const target = () => {
  const n = fleet.fleetNodes[0];
  return { node: n.name, host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile };
};

test('read-only deps: a command that may change the node is refused before it is sent; a query() runs', async () => {
  const deps = { pool, readOnly: true };
  const seen = fleet.audit().length;
  await assert.rejects(run(deps, target(), setHostname('changed')),
    (e: unknown) => e instanceof ApplicationFailure && e.type === FailureType.NotReadOnly && e.nonRetryable && /may only read/.test(e.message));
  assert.equal(fleet.audit().length, seen, 'the refused command never reached the node');
  assert.notEqual(fleet.fleetNodes[0].state.hostname, 'changed');
  assert.equal((await run(deps, target(), readStaticHostname())).code, 0);
});

test('the plan activities on a bare node: every prepare step judged, no side effect', async () => {
  const { planNode } = createPlanActivities({ pool });
  const n = fleet.spec.nodes[0];
  const { prefixLength, gateway, nameservers } = fleet.spec.network;
  const steps = await planNode(target(), {
    name: n.name, allNodes: [{ name: n.name, address: n.address }],
    address: { interface: n.interface, address: n.address, prefixLength, gateway, nameservers },
    volumeGroup: fleet.spec.lvm.volumeGroup, sharedVolumeSize: fleet.spec.lvm.sharedVolumeSize,
  });
  const rolling = ['drain', 'node-ready', 'uncordon', 'voters-back'];
  assert.deepEqual(steps.map((s) => s.step), ['apt-upgrade', 'reboot', ...rolling, 'hostname', 'kubelet-name', 'hosts-file', 'static-address',
    'kloudspot-tools', 'shared-volume', 'reboot-again', ...rolling.map((r) => `${r}-again`), 'iscsid']);
  const state = (step: string) => steps.find((s) => s.step === step)?.state;
  for (const step of ['apt-upgrade', 'hostname', 'hosts-file', 'static-address', 'kloudspot-tools', 'shared-volume', 'iscsid']) assert.equal(state(step), 'change', step);
  // A bare node is in no cluster: its reboots drain nothing; MicroK8s comes after the hostname (no kubelet rename).
  for (const step of [...rolling, ...rolling.map((r) => `${r}-again`), 'kubelet-name']) assert.equal(state(step), 'done', step);
  assert.ok(steps.every((s) => s.node === n.name));
  assert.deepEqual(fleet.effects(), [], 'planning changed nothing');
});
