// The cvc-operator's replica scaling, as cstor-operators v3.x does it for CSI volumes: a person edits a
// CStorVolumeConfig's spec.policy.replicaPoolInfo, the admission webhook checks the edit against status.poolInfo
// (pkg/webhook/cvc.go validatePoolListChanges, validateReplicaScaling, validatePoolNames), and the controller
// deletes the replica of a pool taken out (its finalizer is the pool manager's to clear: a dead pool's must be
// cleared by hand, docs/troubleshooting/migrate_cstor_volume.md step 2) or creates one on a pool put in, which
// reconstructs from the healthy ones (openebs/api CStorVolumeReplicaPhase ReconstructingNewReplica) and turns
// Healthy; status.poolInfo follows once each change is through.
import type { Cluster } from './cluster-state';
import type { KubeObject } from './kube-store';
import { putReplica, refreshVolumePhases } from './volume-sim';

const healthyAt = new WeakMap<KubeObject, number>();

const desiredPools = (cvc: KubeObject) =>
  ((cvc.spec as { policy?: { replicaPoolInfo?: { poolName?: string }[] } }).policy?.replicaPoolInfo ?? []).map((p) => String(p.poolName ?? ''));
const currentPools = (cvc: KubeObject) => (cvc.status as { poolInfo?: string[] } | undefined)?.poolInfo ?? [];
const finalizers = (o: KubeObject) => (o.metadata.finalizers as string[] | undefined) ?? [];

/** The admission webhook's answer to a CVC whose replicaPoolInfo becomes `next`: undefined when allowed, else its message. */
export function deniedPoolChange(old: KubeObject, next: string[]): string | undefined {
  const current = currentPools(old);
  const modified = current.filter((p) => !next.includes(p));
  if ((old.status as { phase?: string }).phase !== 'Bound' && current.length !== next.length) {
    return 'Can\'t perform scaling of volume replicas when CVC is not in Bound state';
  }
  if (next.length >= current.length && modified.length > 0) {
    return `volume replica migration directly by modifying pool names [${modified.join(' ')}] is not yet supported`;
  }
  if (next.length < current.length && modified.length > 1) return `Can't perform more than one replica scale down requested scale down count ${modified.length}`;
  if (desiredPools(old).length !== current.length && desiredPools(old).length !== next.length) return `scaling of CVC ${old.metadata.name} is already in progress`;
  if (new Set(next).size !== next.length) return `duplicate pool names [${next.join(' ')}] found under spec of cvc ${old.metadata.name}`;
  return undefined;
}

/** The controller and the pool managers, brought up to `now`. */
export function syncVolumeReplicas(c: Cluster, now: number): void {
  for (const cvc of c.store.list('CStorVolumeConfig', 'openebs')) {
    const pv = cvc.metadata.name;
    const want = desiredPools(cvc);
    if (want.length === 0) continue;
    const replicas = c.store.list('CStorVolumeReplica', 'openebs', { 'cstorvolume.openebs.io/name': pv });
    const poolOf = (r: KubeObject) => r.metadata.labels?.['cstorpoolinstance.openebs.io/name'] ?? '';
    for (const r of replicas.filter((x) => !want.includes(poolOf(x)))) {
      const pool = c.store.get('CStorPoolInstance', 'openebs', poolOf(r));
      // A live pool manager clears its finalizer itself; a lost pool's stays until a person removes it.
      if ((pool?.status as { phase?: string } | undefined)?.phase === 'ONLINE') r.metadata.finalizers = [];
      if (finalizers(r).length === 0) c.store.delete('CStorVolumeReplica', 'openebs', r.metadata.name);
      else r.metadata.deletionTimestamp ??= new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    }
    for (const name of want) {
      const pool = c.store.get('CStorPoolInstance', 'openebs', name);
      if (!pool || (pool.status as { phase?: string }).phase !== 'ONLINE') continue;
      let r = c.store.get('CStorVolumeReplica', 'openebs', `${pv}-${name}`);
      if (!r) {
        r = putReplica(c, pv, pool, 'ReconstructingNewReplica');
        healthyAt.set(r, now + c.world.latency.ms('replicaRebuild'));
      }
      const at = healthyAt.get(r);
      if (at !== undefined && now >= at && (r.status as { phase?: string }).phase === 'ReconstructingNewReplica') {
        r.status = { ...(r.status as object), phase: 'Healthy' };
      }
    }
    const left = c.store.list('CStorVolumeReplica', 'openebs', { 'cstorvolume.openebs.io/name': pv });
    const healthy = (p: string) => left.some((r) => poolOf(r) === p && (r.status as { phase?: string }).phase === 'Healthy');
    const kept = currentPools(cvc).filter((p) => want.includes(p) || left.some((r) => poolOf(r) === p));
    cvc.status = { ...(cvc.status as object), poolInfo: [...kept, ...want.filter((p) => !kept.includes(p) && healthy(p))] };
    const cv = c.store.get('CStorVolume', 'openebs', pv);
    if (cv) cv.spec = { ...(cv.spec as object), replicationFactor: want.length };
  }
  refreshVolumePhases(c);
}
