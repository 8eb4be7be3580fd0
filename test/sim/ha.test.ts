// dqlite roles as MicroK8s reports them: three voters make high-availability, a fourth control-plane
// node is a standby, workers never appear in the datastore lines; two fleets run side by side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet } from '../../src/sim';
import * as mk from '../../src/activities/commands/microk8s';
import { connectAll, closeAll, eventually } from '../helpers/sim';
import { prep } from '../helpers/commands';

test('voters, a standby, a worker; and a second fleet on its own addresses', async () => {
  const fleet = await startFleet({ nodes: [{}, {}, {}, {}, { role: 'worker' }], seed: 4 });
  const other = await startFleet({ nodes: 3, seed: 4 });
  const c = await connectAll(fleet);
  try {
    assert.notEqual(other.spec.nodes[0].address.split('.').slice(0, 3).join('.'), fleet.spec.nodes[0].address.split('.').slice(0, 3).join('.'));
    assert.equal(other.spec.virtualIp.split('.')[2], other.spec.nodes[0].address.split('.')[2]);
    const names = fleet.spec.nodes.map((n) => n.name);
    await Promise.all(names.map(async (n) => {
      await c[n].run(prep.setHostname(n).command);
      await c[n].run(prep.installTools(fleet.spec.kloudspot.toolsUrl).command);
      await c[n].run(mk.waitReady(60).command);
    }));
    const first = names[0];
    const token = 'a'.repeat(32);
    const url = prep.joinUrlOf((await c[first].run(prep.addNode(token, 3600).command)).stdout, fleet.spec.nodes[0].address);
    for (const n of names.slice(1)) {
      const r = await c[n].run(prep.joinByHand(url, n === 'k8s-vm-5').command);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    const s = mk.parseStatus((await c[first].run(mk.waitReady(60).command)).stdout);
    const addr = fleet.spec.nodes.map((n) => `${n.address}:19001`);
    assert.deepEqual([s.highAvailability, s.datastoreMasters, s.datastoreStandbys], [true, addr.slice(0, 3), [addr[3]]]);
    // The same view from a standby.
    assert.deepEqual(mk.parseStatus((await c['k8s-vm-4'].run(mk.status().command)).stdout).datastoreStandbys, [addr[3]]);
    const nodes = await eventually(async () => {
      const ns = mk.parseKubeNodes((await c[first].run(mk.getNodes().command)).stdout);
      return ns.length === 5 && ns.every((x) => x.status === 'Ready') ? ns : undefined;
    });
    assert.deepEqual(nodes.map((x) => x.name), names);
    // Workers carry the clustered.lock and never appear in the datastore lines.
    assert.equal(fleet.node('k8s-vm-5').state.isWorker(), true);
  } finally {
    closeAll(c);
    await fleet.stop();
    await other.stop();
  }
});
