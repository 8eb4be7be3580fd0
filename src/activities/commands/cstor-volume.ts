// OpenEBS after the community add-on: its release moved to a chart carrying cStor 3.4 (the add-on pins 3.3.x,
// whose volume controller creates PodDisruptionBudgets through policy/v1beta1, gone in Kubernetes 1.25:
// openebs-archive/cstor-operators#435, fixed by #436 in 3.4.0), and a throw-away volume that proves the pool.
import { KUBECTL, type KubeWait } from './kubectl';
import { STORAGE_CLASS } from './openebs';
import { cmd, query, sh, SUDO, type RemoteCommand } from './sh';

/** The add-on's release (canonical/microk8s-community-addons addons/openebs/enable): repo `openebs`, release and namespace `openebs`. */
export const OPENEBS_RELEASE = 'openebs';
export const OPENEBS_NAMESPACE = 'openebs';
/** openebs/charts tag openebs-3.4.0: Chart.yaml depends on cstor 3.4.0 (openebs-3.3.1: cstor 3.3.0). */
export const OPENEBS_CHART_VERSION = '3.4.0';

export const listOpenebsRelease = (): RemoteCommand => query(sh`${SUDO} microk8s helm3 list -n ${OPENEBS_NAMESPACE} -o json`);

/** `helm list -o json`: `[{"name":"openebs",...,"chart":"openebs-3.3.1","app_version":"3.3.0"}]`; the chart version, if the release is there. */
export function parseOpenebsChartVersion(text: string): string | undefined {
  const rows = JSON.parse(text) as { name?: string; chart?: string }[];
  const chart = rows.find((r) => r.name === OPENEBS_RELEASE)?.chart ?? '';
  return /^openebs-(\d+\.\d+\.\d+)$/.exec(chart)?.[1];
}

export function versionBelow(v: string, than: string): boolean {
  const a = v.split('.').map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** `--reuse-values` keeps the add-on's settings (cstor.enabled, the kubelet and var paths under $SNAP_COMMON). */
export const upgradeOpenebs = (timeoutSeconds: number): RemoteCommand =>
  cmd(sh`${SUDO} microk8s helm3 upgrade ${OPENEBS_RELEASE} openebs/openebs -n ${OPENEBS_NAMESPACE} --version ${OPENEBS_CHART_VERSION} --reuse-values --wait --timeout ${`${timeoutSeconds}s`}`);

/**
 * The release's Deployments (cStor admission server, cspc/cvc operators, localpv provisioner, NDM operator):
 * `microk8s enable openebs` returns before their pods are up, and until the admission server is Available its
 * webhook refuses every CStorPoolCluster ("failed calling webhook"). kubectl 1.32 `wait --help`; DeploymentAvailable.
 */
export const openebsDeploymentsAvailable: KubeWait = { resource: 'deployments', namespace: OPENEBS_NAMESPACE, for: 'condition=Available', all: true };
export const listOpenebsDeployments = (): RemoteCommand => query(sh`${KUBECTL} -n ${OPENEBS_NAMESPACE} get deployments -o json`);

/** Names of the Deployments whose Available condition is not True (apps/v1 DeploymentCondition), from `get -o json`. */
export function unavailableDeployments(json: string): { total: number; unavailable: string[] } {
  const list = JSON.parse(json) as { items?: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
  const items = list.items ?? [];
  const unavailable = items.filter((d) => !(d.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True'))
    .map((d) => (/^[a-z0-9][-a-z0-9.]{0,252}$/.test(d.metadata.name) ? d.metadata.name : '?'));
  return { total: items.length, unavailable };
}

export const PROBE_PVC = 'kloudspot-cstor-probe';
export const PROBE_NAMESPACE = 'default';

/** A small claim on the cStor StorageClass: with 3 replicas it is an HA volume, the case that needs a PDB. */
export function renderProbeClaim(storageClass = STORAGE_CLASS): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: PROBE_PVC, namespace: PROBE_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'kloudspot-installer' } },
    spec: { storageClassName: storageClass, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
}

export const readProbeClaim = (): RemoteCommand => query(sh`${KUBECTL} -n ${PROBE_NAMESPACE} get pvc ${PROBE_PVC} -o json`, { okCodes: [0, 1] });
/** The cStor volume's own claim (CStorVolumeConfig, named after the PV): Bound only once the controller provisioned it. */
export const readVolumeConfig = (pv: string): RemoteCommand => query(sh`${KUBECTL} -n ${OPENEBS_NAMESPACE} get cvc ${pv} -o json`, { okCodes: [0, 1] });
export const readVolumeEvents = (): RemoteCommand => query(sh`${KUBECTL} -n ${OPENEBS_NAMESPACE} get events -o json`);
export const deleteProbeClaim = (): RemoteCommand => cmd(sh`${KUBECTL} -n ${PROBE_NAMESPACE} delete pvc ${PROBE_PVC} --ignore-not-found --wait=false`);

export function parseClaim(text: string): { phase: string; volume?: string } {
  const j = JSON.parse(text) as { status?: { phase?: string }; spec?: { volumeName?: string } };
  const volume = j.spec?.volumeName;
  return { phase: j.status?.phase ?? '', volume: volume && /^[a-z0-9.-]{1,253}$/.test(volume) ? volume : undefined };
}

export const parsePhase = (text: string): string => String((JSON.parse(text) as { status?: { phase?: string } }).status?.phase ?? '');

/** The newest Warning event's message on an object (the CVC controller's `Provisioning` events). */
export function lastWarning(eventsJson: string, object: string): string | undefined {
  type Event = { type?: string; message?: string; involvedObject?: { name?: string }; lastTimestamp?: string };
  const items = (JSON.parse(eventsJson) as { items?: Event[] }).items ?? [];
  const mine = items.filter((e) => e.type === 'Warning' && e.involvedObject?.name === object);
  return mine.sort((a, b) => String(a.lastTimestamp).localeCompare(String(b.lastTimestamp))).pop()?.message?.replace(/[^\x20-\x7e]/g, '').slice(0, 500);
}
