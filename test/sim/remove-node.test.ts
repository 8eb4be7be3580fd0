// `microk8s remove-node` as remove_node.py answers: refused without --force while the node is a dqlite member,
// with --force the member and the Node go (nothing printed, exit 0), again: "does not exist in Kubernetes" exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthFaults, startFleet } from '../../src/sim';
import * as mk from '../../src/activities/commands/microk8s';
import { connectAll, closeAll, eventually } from '../helpers/sim';
import { prep } from '../helpers/commands';

test('remove-node: a powered-off manager leaves dqlite and Kubernetes once', async () => {
  const fleet = await startFleet({ nodes: 3, seed: 7 });
  const c = await connectAll(fleet);
  try {
    const names = fleet.spec.nodes.map((n) => n.name);
    await Promise.all(names.map(async (n) => {
      await c[n].run(prep.setHostname(n).command);
      await c[n].run(prep.installTools(fleet.spec.kloudspot.toolsUrl).command);
      await c[n].run(mk.waitReady(60).command);
    }));
    const url = prep.joinUrlOf((await c['k8s-vm-1'].run(prep.addNode('b'.repeat(32), 3600).command)).stdout, fleet.spec.nodes[0].address);
    for (const n of names.slice(1)) assert.equal((await c[n].run(prep.joinByHand(url, false).command)).code, 0);
    const addr = fleet.spec.nodes.map((n) => `${n.address}:19001`);
    await new HealthFaults(fleet).powerOff('k8s-vm-2');
    await eventually(async () => mk.parseKubeNodes((await c['k8s-vm-1'].run(mk.getNodes().command)).stdout).find((x) => x.name === 'k8s-vm-2')?.status === 'NotReady');
    const read = mk.parseNodeJson((await c['k8s-vm-1'].run(mk.readNode('k8s-vm-2').command)).stdout);
    assert.deepEqual(read, { address: fleet.spec.nodes[1].address, ready: false });

    const plain = await c['k8s-vm-1'].run('sudo microk8s remove-node k8s-vm-2');
    assert.equal(plain.code, 1);
    assert.match(plain.stdout, /^Removal failed\. Node k8s-vm-2 is registered with dqlite\. Please, run first 'microk8s leave' on the departing node\. $/m);

    const forced = await c['k8s-vm-1'].run(mk.removeNode('k8s-vm-2').command);
    assert.deepEqual([forced.code, forced.stdout], [0, '']);
    assert.deepEqual(mk.parseStatus((await c['k8s-vm-1'].run(mk.status().command)).stdout).datastoreMasters, [addr[0], addr[2]]);
    assert.deepEqual(mk.parseKubeNodes((await c['k8s-vm-1'].run(mk.getNodes().command)).stdout).map((x) => x.name), ['k8s-vm-1', 'k8s-vm-3']);
    const gone = await c['k8s-vm-1'].run(mk.readNode('k8s-vm-2').command);
    assert.deepEqual([gone.code, gone.stderr], [1, 'Error from server (NotFound): nodes "k8s-vm-2" not found\n']);

    const again = await c['k8s-vm-1'].run(mk.removeNode('k8s-vm-2').command);
    assert.equal(again.code, 1);
    assert.equal(again.stdout, 'Node k8s-vm-2 does not exist in Kubernetes.\nAttempting to remove k8s-vm-2 from dqlite.\n');
    assert.equal(fleet.effects().filter((e) => /remove-node/.test(e.effect ?? '')).length, 1);
  } finally {
    closeAll(c);
    await fleet.stop();
  }
});
