// open-iscsi is not assumed (issue 16, item 10): on an image without it there is no iscsid unit to enable.
// The iscsid step installs the package first, then enables the service; where it is there, nothing is installed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { simTarget } from '../helpers/sim';
import { SshPool, type SshTarget } from '../../src/activities/ssh';
import { createStorageActivities } from '../../src/activities/storage';
import { createClusterChecks } from '../../src/activities/checks/cluster';

let fleet: Fleet;
let pool: SshPool;
before(async () => {
  fleet = await startFleet({ nodes: [{ openIscsi: false }, {}, {}], seed: 15, latency: 'fast' });
  pool = new SshPool();
});
after(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

const target = (name: string): SshTarget => simTarget(fleet, name);

test('a node without open-iscsi gets it installed, then iscsid enabled; one with it only the service', { timeout: 60_000 }, async () => {
  const deps = { pool };
  const check = await createClusterChecks(deps).iscsid(target('k8s-vm-1'));
  assert.deepEqual(check, { done: false, detail: 'apt-get install open-iscsi; systemctl enable --now iscsid' });
  assert.equal((await createStorageActivities(deps).enableIscsid(target('k8s-vm-1'))).changed, true);
  assert.equal((await createClusterChecks(deps).iscsid(target('k8s-vm-1'))).done, true);
  assert.ok(fleet.node('k8s-vm-1').state.installed.has('open-iscsi'));
  assert.equal((await createStorageActivities(deps).enableIscsid(target('k8s-vm-2'))).changed, true);
  const installs = fleet.audit().filter((e) => / install open-iscsi$/.test(e.command)).map((e) => e.node);
  assert.deepEqual(installs, ['k8s-vm-1']);
});
