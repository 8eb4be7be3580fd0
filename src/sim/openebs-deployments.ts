// The OpenEBS release's Deployments (openebs/charts 3.3.1 with its cstor 3.3.0 dependency, and 3.4.0): created
// by `microk8s enable openebs` and replaced by `helm upgrade`, each Available only once its pod is up, a
// while after. Until the cStor admission server is Available, its webhook refuses every CStorPoolCluster.
import type { Cluster } from './cluster-state';
import type { KubeObject } from './kube-store';
import type { Proc } from './process';

export const OPENEBS_DEPLOYMENTS = [
  'openebs-cstor-admission-server', 'openebs-cstor-cspc-operator', 'openebs-cstor-cvc-operator', 'openebs-localpv-provisioner', 'openebs-ndm-operator',
];
const ADMISSION_SERVER = 'openebs-cstor-admission-server';

const availableAt = new WeakMap<KubeObject, number>();

const condition = (available: boolean, at: string) => ({
  type: 'Available', status: available ? 'True' : 'False', lastTransitionTime: at, lastUpdateTime: at,
  reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
  message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
});

function setStatus(d: KubeObject, available: boolean, at: number): void {
  const iso = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  d.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: available ? 1 : 0, availableReplicas: available ? 1 : 0,
    ...(available ? {} : { unavailableReplicas: 1 }), conditions: [condition(available, iso)] };
}

/** Every OpenEBS Deployment (re)started at `now`: unavailable until its pod is Ready (podReady later). */
export function startOpenebsDeployments(c: Cluster, chartVersion: string, now: number): void {
  for (const name of OPENEBS_DEPLOYMENTS) {
    const d = c.store.put({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, namespace: 'openebs', labels: { app: 'openebs', chart: `openebs-${chartVersion}`, heritage: 'Helm', release: 'openebs' } },
      spec: { replicas: 1 },
    });
    setStatus(d, false, now);
    availableAt.set(d, now + c.world.latency.ms('podReady'));
  }
}

/** Deployments whose pod has come up since the last look become Available. */
export function syncOpenebsDeployments(c: Cluster, now: number): void {
  for (const d of c.store.list('Deployment', 'openebs')) {
    const at = availableAt.get(d);
    if (at !== undefined && now >= at) {
      setStatus(d, true, at);
      availableAt.delete(d);
    }
  }
}

/** The API server's answer when the cStor webhook has no ready endpoint (failurePolicy Fail), or null. */
export function webhookUnreachable(c: Cluster, source: string, creating: boolean): string | null {
  syncOpenebsDeployments(c, Date.now());
  const d = c.store.get('Deployment', 'openebs', ADMISSION_SERVER);
  if (!d || availableAt.get(d) === undefined) return null;
  return `Error from server (InternalError): error when ${creating ? 'creating' : 'applying patch'} "${source}": Internal error occurred: failed calling webhook ` +
    `"admission-webhook.cstor.openebs.io": failed to call webhook: Post "https://${ADMISSION_SERVER}.openebs.svc:443/validate?timeout=5s": ` +
    'dial tcp 10.152.183.97:443: connect: connection refused\n';
}

/** `helm upgrade --wait`: returns once every Deployment of the release is Available. */
export async function untilOpenebsAvailable(p: Proc, c: Cluster): Promise<void> {
  for (;;) {
    syncOpenebsDeployments(c, Date.now());
    if (c.store.list('Deployment', 'openebs').every((d) => availableAt.get(d) === undefined)) return;
    await p.sleep(25);
  }
}
