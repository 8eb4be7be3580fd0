// replace-node's volume replica move against the simulated cvc-operator, on a cluster whose CStorPoolCluster
// already moved the dead node's pool to the new node: each volume first loses the lost pool (its replica's
// finalizer released by hand), then gains the new one, whose replica reconstructs before it is Healthy. A wait
// shorter than the rebuild times out saying what it saw (the workflow turns that into a question: retry waits
// again, abort stops); the next look finishes; a third changes nothing. A pool renamed in one edit is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { FAST } from '../../src/sim/latency';
import type { KubeObject } from '../../src/sim/kube-store';
import { provisionVolume } from '../../src/sim/volume-sim';
import { SshPool } from '../../src/activities/ssh';
import { run } from '../../src/activities/run';
import { createReplaceNodeActivities } from '../../src/activities/replace-node';
import { setReplicaPools } from '../../src/activities/commands/cstor-replicas';
import { openebsOnOneNode } from '../helpers/openebs-node';

let fleet: Fleet;
let pool: SshPool;
before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 23, latency: { ...FAST, ms: { ...FAST.ms, replicaRebuild: 5000 } } });
  pool = new SshPool();
});
after(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

const cspi = (name: string, host: string): KubeObject => ({
  apiVersion: 'cstor.openebs.io/v1', kind: 'CStorPoolInstance',
  metadata: { name, namespace: 'openebs', labels: { 'openebs.io/cstor-pool-cluster': 'cstor-storage', 'kubernetes.io/hostname': host } },
  spec: { hostName: host }, status: { phase: 'ONLINE' },
});

test('replicas on a lost pool move to the new pool in two edits, rebuild, and a short wait times out first', { timeout: 90_000 }, async () => {
  const { t, deps } = await openebsOnOneNode(fleet, pool, 'k8s-vm-1');
  const c = fleet.clusterOf('k8s-vm-1')!;
  // Three pools (a, b, old), two volumes with a replica on each; then old's node dies and its pool goes with the
  // CSPC's move (the cspc-operator deletes it), new's pool comes ONLINE.
  for (const [name, host] of [['cstor-storage-aaaa', 'a'], ['cstor-storage-bbbb', 'b'], ['cstor-storage-oooo', 'old']]) c.store.put(cspi(name, host));
  c.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'cstor-csi' }, provisioner: 'cstor.csi.openebs.io', parameters: { replicaCount: '3' } });
  provisionVolume(c, 'data-web-0');
  provisionVolume(c, 'data-web-1');
  const volumes = c.store.list('CStorVolume', 'openebs').map((v) => v.metadata.name);
  assert.equal(volumes.length, 2);
  for (const r of c.store.list('CStorVolumeReplica', 'openebs')) if (r.metadata.labels?.['cstorpoolinstance.openebs.io/hostname'] === 'old') r.status = { phase: 'Offline' };
  c.store.delete('CStorPoolInstance', 'openebs', 'cstor-storage-oooo');
  c.store.put(cspi('cstor-storage-nnnn', 'new'));

  // The edit the brief first had in mind, the pool name replaced at once: cStor's webhook refuses it.
  const once = await run(deps, t, { ...setReplicaPools(volumes[0], ['cstor-storage-aaaa', 'cstor-storage-bbbb', 'cstor-storage-nnnn']), okCodes: [1] });
  assert.equal(once.code, 1);
  assert.equal(once.stderr, 'Error from server (BadRequest): admission webhook "admission-webhook.cstor.openebs.io" denied the request: ' +
    'volume replica migration directly by modifying pool names [cstor-storage-oooo] is not yet supported\n');

  const acts = createReplaceNodeActivities(deps);
  // Short waits, each answered "retry", until one times out on the rebuild (5 s) it is waiting for.
  let seen = '';
  for (let i = 0; i < 10 && !/ReconstructingNewReplica/.test(seen); i++) {
    await assert.rejects(acts.moveVolumeReplicas(t, 'old', 'new', 1000), (e: Error & { type?: string }) => {
      seen = e.message;
      return e.type === 'WaitTimedOut' && /^timed out after 1 s waiting for every cStor volume's replicas Healthy on live pools/.test(e.message);
    });
  }
  assert.match(seen, new RegExp(`${volumes[0]} \\(volume Degraded; pools cstor-storage-aaaa cstor-storage-bbbb cstor-storage-nnnn; replicas not Healthy: cstor-storage-nnnn ReconstructingNewReplica\\)`));
  const rebuilding = c.store.list('CStorVolumeReplica', 'openebs').filter((r) => r.metadata.labels?.['cstorpoolinstance.openebs.io/hostname'] === 'new');
  assert.deepEqual(rebuilding.map((r) => (r.status as { phase: string }).phase), ['ReconstructingNewReplica', 'ReconstructingNewReplica']);
  assert.deepEqual((await acts.moveVolumeReplicas(t, 'old', 'new', 20_000)).changed, false, 'the second look only waits');
  for (const pv of volumes) {
    const cvr = c.store.list('CStorVolumeReplica', 'openebs', { 'cstorvolume.openebs.io/name': pv });
    assert.deepEqual(cvr.map((r) => `${r.metadata.labels!['cstorpoolinstance.openebs.io/hostname']} ${(r.status as { phase: string }).phase}`).sort(),
      ['a Healthy', 'b Healthy', 'new Healthy']);
    const cvc = c.store.get('CStorVolumeConfig', 'openebs', pv)!;
    assert.deepEqual((cvc.status as { poolInfo: string[] }).poolInfo, ['cstor-storage-aaaa', 'cstor-storage-bbbb', 'cstor-storage-nnnn']);
    assert.equal((c.store.get('CStorVolume', 'openebs', pv)!.status as { phase: string }).phase, 'Healthy');
  }
  const edits = fleet.effects('k8s-vm-1').map((e) => e.effect ?? '').filter((e) => e.startsWith('kubectl patch'));
  assert.equal(edits.length, 6, `per volume: lost pool out, its replica released, new pool in (${edits.join('; ')})`);
  const again = await acts.moveVolumeReplicas(t, 'old', 'new', 5_000);
  assert.equal(again.changed, false);
  assert.match(again.detail ?? '', /^2 cStor volumes already Healthy on live pools$/);
  assert.deepEqual(fleet.duplicateEffects(), []);
});
