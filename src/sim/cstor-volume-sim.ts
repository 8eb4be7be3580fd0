// cStor volumes as the CSI driver and the CVC controller make them: a claim on a cstor.csi.openebs.io class binds
// to a PV at once (CreateVolume returns once the CStorVolumeConfig exists), and the CVC goes Bound when the
// controller provisioned it. cStor 3.3.0 builds a PodDisruptionBudget for volumes of 3+ replicas through
// policy/v1beta1, not served from Kubernetes 1.25: the CVC stays Pending with a Warning `Provisioning` event
// (openebs-archive/cstor-operators v3.3.0 pkg/controllers/cstorvolumeconfig/{controller,volume_operations}.go; #435).
import type { Cluster } from './cluster-state';
import type { KubeObject } from './kube-store';
import { KUBERNETES_VERSION } from './addons-data';

const bindAt = new WeakMap<KubeObject, number>();

/** The cStor version the openebs release deploys: its chart's cstor dependency (openebs/charts Chart.yaml). */
export function cstorVersion(c: Cluster): string | undefined {
  const r = c.releases.get('openebs');
  if (!r) return undefined;
  const minor = Number(r.chartVersion.split('.')[1]);
  return `3.${Math.max(3, Math.min(minor, 6))}.0`;
}

const below = (v: string, major: number, minor: number) => {
  const [a, b] = v.replace(/^v/, '').split('.').map(Number);
  return a < major || (a === major && b < minor);
};

/** A new claim: provisioned a little later if its class is cStor's. */
export function claimCreated(c: Cluster, pvc: KubeObject): void {
  const sc = c.store.get('StorageClass', undefined, String((pvc.spec as { storageClassName?: string }).storageClassName ?? ''));
  if (sc?.provisioner !== 'cstor.csi.openebs.io') return;
  bindAt.set(pvc, Date.now() + c.world.latency.ms('podReady'));
}

export function syncCstorVolumes(c: Cluster, now: number): void {
  for (const pvc of c.store.list('PersistentVolumeClaim', undefined)) {
    const at = bindAt.get(pvc);
    if (at === undefined || now < at || (pvc.status as { phase?: string } | undefined)?.phase === 'Bound') continue;
    const scName = String((pvc.spec as { storageClassName?: string }).storageClassName);
    const sc = c.store.get('StorageClass', undefined, scName);
    const params = (sc?.parameters ?? {}) as Record<string, string>;
    const pv = `pvc-${String(pvc.metadata.uid)}`;
    const size = (pvc.spec as { resources?: { requests?: { storage?: string } } }).resources?.requests?.storage ?? '1Gi';
    c.store.put({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pv, annotations: { 'pv.kubernetes.io/provisioned-by': 'cstor.csi.openebs.io' } },
      spec: { capacity: { storage: size }, claimRef: { name: pvc.metadata.name, namespace: pvc.metadata.namespace }, storageClassName: scName,
        persistentVolumeReclaimPolicy: 'Delete', csi: { driver: 'cstor.csi.openebs.io', volumeHandle: pv } },
      status: { phase: 'Bound' },
    });
    pvc.spec = { ...(pvc.spec as object), volumeName: pv };
    pvc.status = { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: size } };
    const replicas = Number(params.replicaCount ?? '1');
    const pools = c.store.list('CStorPoolInstance', 'openebs', { 'openebs.io/cstor-pool-cluster': params.cstorPoolCluster ?? '' }).slice(0, replicas);
    const stuck = replicas >= 3 && below(cstorVersion(c) ?? '3.3.0', 3, 4) && !below(KUBERNETES_VERSION, 1, 25);
    c.store.put({
      apiVersion: 'cstor.openebs.io/v1', kind: 'CStorVolumeConfig',
      metadata: { name: pv, namespace: 'openebs', labels: { 'openebs.io/cstor-pool-cluster': params.cstorPoolCluster ?? '' }, finalizers: ['cvc.openebs.io/finalizer'] },
      spec: { capacity: { storage: size }, provision: { capacity: { storage: size }, replicaCount: replicas } },
      status: { phase: stuck ? 'Pending' : 'Bound', ...(stuck ? {} : { capacity: { storage: size } }) },
      versionDetails: { desired: cstorVersion(c), status: { current: cstorVersion(c) } },
    });
    if (stuck) {
      const selector = pools.map((p) => `openebs.io/${p.metadata.name}=true`).join(',');
      const stamp = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
      c.store.put({
        apiVersion: 'v1', kind: 'Event', metadata: { name: `${pv}.${now.toString(16)}`, namespace: 'openebs' },
        involvedObject: { apiVersion: 'cstor.openebs.io/v1', kind: 'CStorVolumeConfig', name: pv, namespace: 'openebs' },
        reason: 'Provisioning', type: 'Warning', source: { component: 'cstorvolumeclaim-controller' }, count: 1,
        firstTimestamp: stamp, lastTimestamp: stamp,
        message: `failed to create PDB for volume: ${pv}: failed to list PDB belongs to pools with selector ${selector}: the server could not find the requested resource`,
      });
    }
  }
  // After an upgrade to 3.4+, the controller provisions the volumes it left Pending (policy/v1 PDBs).
  if (!below(cstorVersion(c) ?? '3.3.0', 3, 4)) {
    for (const cvc of c.store.list('CStorVolumeConfig', 'openebs')) {
      const st = cvc.status as { phase?: string };
      if (st.phase === 'Pending') cvc.status = { phase: 'Bound', capacity: (cvc.spec as { capacity: unknown }).capacity };
    }
  }
}

/** Deleting a claim: reclaim policy Delete removes its PV and cStor volume. */
export function claimDeleted(c: Cluster, pvc: KubeObject): void {
  const pv = (pvc.spec as { volumeName?: string }).volumeName;
  if (!pv) return;
  c.store.delete('PersistentVolume', undefined, pv);
  c.store.delete('CStorVolumeConfig', 'openebs', pv);
}
