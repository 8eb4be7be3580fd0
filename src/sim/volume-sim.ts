// cStor volumes as the cvc-operator makes them for a PVC on the cstor-csi StorageClass: one CStorVolume
// (phase Healthy once its replicas are) and one CStorVolumeReplica per pool instance, replicaCount of them.
// Names and labels from cstor-operators pkg/controllers/cstorvolumeconfig/volume_operations.go (getCVRLabels:
// cstorvolume.openebs.io/name, cstorpoolinstance.openebs.io/name|hostname; a replica is named <pv>-<cspi>);
// phases from volume-mgmt/start.go (CStorVolume) and openebs/api cstor/v1 (CStorVolumeReplica "Healthy").
import type { Cluster } from './cluster-state';
import type { KubeObject } from './kube-store';

/** Provisions the volume of a claim once (the chart's StatefulSet claims on cstor-csi). */
export function provisionVolume(c: Cluster, claim: string): void {
  if (c.store.list('CStorVolume', 'openebs').some((v) => v.metadata.labels?.['openebs.io/persistent-volume-claim'] === claim)) return;
  const sc = c.store.get('StorageClass', undefined, 'cstor-csi');
  const count = Number((sc?.parameters as Record<string, string> | undefined)?.replicaCount ?? 1);
  const pools = c.store.list('CStorPoolInstance', 'openebs').filter((i) => (i.status as { phase: string }).phase === 'ONLINE').slice(0, count);
  const pv = `pvc-${c.world.rng.derive(`pv-${claim}`).uuid()}`;
  const version = { 'openebs.io/version': '3.3.0' };
  c.store.put({
    apiVersion: 'cstor.openebs.io/v1', kind: 'CStorVolume',
    metadata: { name: pv, namespace: 'openebs', labels: { 'openebs.io/persistent-volume': pv, 'openebs.io/persistent-volume-claim': claim, ...version } },
    spec: { capacity: '10Gi', consistencyFactor: Math.floor(count / 2) + 1, replicationFactor: count, iqn: `iqn.2016-09.com.openebs.cstor:${pv}` },
    status: { capacity: '10Gi', phase: 'Healthy', replicaStatuses: [] },
  });
  for (const pool of pools) {
    putReplica(c, pv, pool, 'Healthy');
  }
  // Its claim on the pools (cstor-operators: the controller fills spec.policy.replicaPoolInfo and status.poolInfo once Bound).
  const poolInfo = pools.map((p) => ({ poolName: p.metadata.name }));
  c.store.put({
    apiVersion: 'cstor.openebs.io/v1', kind: 'CStorVolumeConfig',
    metadata: { name: pv, namespace: 'openebs', labels: { 'openebs.io/cstor-pool-cluster': 'cstor-storage' }, finalizers: ['cvc.openebs.io/finalizer'] },
    spec: { capacity: { storage: '10Gi' }, provision: { capacity: { storage: '10Gi' }, replicaCount: count }, policy: { replicaPoolInfo: poolInfo } },
    status: { phase: 'Bound', capacity: { storage: '10Gi' }, poolInfo: pools.map((p) => p.metadata.name) },
  });
}

/** A replica of `pv` on `pool`, named and labelled as getCVRLabels makes it; the pool manager's finalizer on it. */
export function putReplica(c: Cluster, pv: string, pool: KubeObject, phase: string): KubeObject {
  return c.store.put({
    apiVersion: 'cstor.openebs.io/v1', kind: 'CStorVolumeReplica',
    metadata: {
      name: `${pv}-${pool.metadata.name}`, namespace: 'openebs', finalizers: ['cstorvolumereplica.openebs.io/finalizer'],
      labels: {
        'cstorpoolinstance.openebs.io/name': pool.metadata.name, 'cstorpoolinstance.openebs.io/hostname': (pool.spec as { hostName: string }).hostName,
        'cstorvolume.openebs.io/name': pv, 'openebs.io/persistent-volume': pv, 'openebs.io/version': '3.3.0',
      },
    },
    spec: { capacity: '10Gi', targetIP: '10.152.183.10' },
    status: { capacity: { total: '6K', used: '6K' }, phase },
  });
}

/** The target's view: Healthy when every replica is, Degraded while a quorum of them is, Offline below it. */
export function refreshVolumePhases(c: Cluster): void {
  for (const v of c.store.list('CStorVolume', 'openebs')) {
    const replicas = c.store.list('CStorVolumeReplica', 'openebs', { 'cstorvolume.openebs.io/name': v.metadata.name });
    const healthy = replicas.filter((r) => (r.status as { phase: string }).phase === 'Healthy').length;
    const quorum = Number((v.spec as { consistencyFactor: number }).consistencyFactor);
    v.status = { ...(v.status as object), phase: healthy === replicas.length ? 'Healthy' : healthy >= quorum ? 'Degraded' : 'Offline' };
  }
}

/** The replicas on `node`'s pool take `phase`; their volumes turn Degraded (quorum left) or Offline, as the target reports. */
export function setReplicaPhase(c: Cluster, node: string, phase: string): KubeObject[] {
  const hit = c.store.list('CStorVolumeReplica', 'openebs').filter((r) => r.metadata.labels?.['cstorpoolinstance.openebs.io/hostname'] === node);
  for (const r of hit) r.status = { ...(r.status as object), phase };
  refreshVolumePhases(c);
  return hit;
}
