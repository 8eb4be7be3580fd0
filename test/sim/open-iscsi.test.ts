// open-iscsi is not assumed (issue 16, item 10): on an image without it there is no iscsid unit to enable.
// The iscsid step installs the package first, then enables the service; where it is there, nothing is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simFleet, simTarget } from '../helpers/sim';
import type { SshTarget } from '../../src/activities/ssh';
import { createStorageActivities } from '../../src/activities/storage';
import { createClusterChecks } from '../../src/activities/checks/cluster';

const sim = simFleet({ nodes: [{ openIscsi: false }, {}, {}], seed: 15, latency: 'fast' });

const target = (name: string): SshTarget => simTarget(sim.fleet, name);

test('a node without open-iscsi gets it installed, then iscsid enabled; one with it only the service', { timeout: 60_000 }, async () => {
  const deps = { pool: sim.pool };
  const check = await createClusterChecks(deps).iscsid(target('k8s-vm-1'));
  assert.deepEqual(check, { done: false, detail: 'apt-get install open-iscsi; systemctl enable --now iscsid' });
  assert.equal((await createStorageActivities(deps).enableIscsid(target('k8s-vm-1'))).changed, true);
  assert.equal((await createClusterChecks(deps).iscsid(target('k8s-vm-1'))).done, true);
  assert.ok(sim.fleet.node('k8s-vm-1').state.installed.has('open-iscsi'));
  assert.equal((await createStorageActivities(deps).enableIscsid(target('k8s-vm-2'))).changed, true);
  const installs = sim.fleet.audit().filter((e) => / install open-iscsi$/.test(e.command)).map((e) => e.node);
  assert.deepEqual(installs, ['k8s-vm-1']);
});
