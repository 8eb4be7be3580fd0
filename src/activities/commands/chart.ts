// The Kloudspot chart (the seed's "Prepare Kloudspot Configuration" and "Deploy Kloudspot Helm Chart").
// Files, manifests and pod states only: the programs are kloudspot (tools.ts), helm (helm.ts) and kubectl.
import { X509Certificate } from 'node:crypto';
import { KUBECTL, type KubeWait } from './kubectl';
import { STORAGE_CLASS } from './openebs';
import { cmd, query, sh, type RemoteCommand } from './sh';

export const VALUES_FILE = '/etc/kloudspot/values.yaml';
export const RELEASE = 'kloudspot';
export const CHART_NAMESPACE = 'default';
export const TLS_SECRET = 'kloudspot-tls';
export const TLS_CERT_FILE = '/etc/kloudspot/tls.crt';
export const TLS_KEY_FILE = '/etc/kloudspot/tls.key';

/**
 * Every live pod of the chart Ready. Finished pods are left out: a Job's pod that Succeeded is never Ready, and
 * a Failed one (an evicted pod, a failed Job attempt) stays Failed until someone deletes it while its
 * controller runs a replacement, which this waits for instead.
 */
export const podsReady: KubeWait = {
  resource: 'pod', namespace: CHART_NAMESPACE, for: 'condition=Ready', all: true, fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
};
export const listPods = (): RemoteCommand => query(sh`${KUBECTL} -n ${CHART_NAMESPACE} get pods -o json`);
export const tlsSecretExists = (): RemoteCommand =>
  query(sh`${KUBECTL} -n ${CHART_NAMESPACE} get secret ${TLS_SECRET} -o name`, { okCodes: [0, 1] });
/**
 * kubectl's words for a missing object: the API server's NotFound status (apimachinery errors.NewNotFound:
 * `<resource> "<name>" not found`) printed as `Error from server (NotFound): secrets "x" not found`. Exit 1
 * with `The connection to the server ... was refused` (MicroK8s stopped) says nothing about the Secret.
 */
export const kubeNotFound = (resource: string, name: string) => (stderr: string): boolean =>
  stderr.split('\n').includes(`Error from server (NotFound): ${resource} "${name}" not found`);
export const tlsSecretMissing = kubeNotFound('secrets', TLS_SECRET);
/**
 * Only the certificate of the ingress TLS Secret (never tls.key): base64 PEM, no newline; absent Secret: rc 1,
 * `Error from server (NotFound): secrets "kloudspot-tls" not found`. kubectl JSONPath escapes the key's dot.
 */
export const readTlsCertificate = (): RemoteCommand =>
  query(sh`${KUBECTL} -n ${CHART_NAMESPACE} get secret ${TLS_SECRET} -o ${'jsonpath={.data.tls\\.crt}'}`, { okCodes: [0, 1] });
/** The certificate's end (epoch ms) and subject CN from readTlsCertificate's base64 output. */
export function parseTlsCertificate(base64: string): { notAfter: number; subject: string } {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/=]+$/.test(text)) throw new Error('the TLS Secret\'s tls.crt is not base64');
  const cert = new X509Certificate(Buffer.from(text, 'base64').toString('utf8'));
  const cn = /^CN=([\w.*-]{1,253})$/m.exec(cert.subject)?.[1] ?? '?';
  return { notAfter: Date.parse(cert.validTo), subject: cn };
}
/**
 * The Secret `kubectl create secret tls` would make, applied from stdin: create-or-update in one idempotent
 * server-side apply (`secret/x serverside-applied`), and the private key never rests in a file on the node
 * (so no crash between writing and removing a key file can leave it there). The pair was checked first.
 */
export const applyTlsSecretManifest = (certificatePem: string, privateKeyPem: string): RemoteCommand => {
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  const secret = {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls',
    metadata: { name: TLS_SECRET, namespace: CHART_NAMESPACE },
    data: { 'tls.crt': b64(certificatePem), 'tls.key': b64(privateKeyPem) },
  };
  // Server-side apply: a client-side apply would copy the whole Secret, key included, into the
  // kubectl.kubernetes.io/last-applied-configuration annotation, readable by anyone who may read annotations.
  return cmd(sh`${KUBECTL} apply --server-side --field-manager=kloudspot-installer -f -`, { stdin: `${JSON.stringify(secret, null, 2)}\n`, redact: [privateKeyPem, b64(privateKeyPem)] });
};
export interface ChartValuesInput {
  site: string;
  customer: string;
  dnsHostname: string;
  virtualIp: string;
  features: { kloudManage: boolean; kloudInsights: boolean; kloudHybrid: boolean };
  storage: { elasticsearch: number; streamState: number; insightsDatabase: number; kafka: number; zookeeper: number };
  volumeGroup: string;
  tls: 'uploaded' | 'self-signed';
  /** Spec chart.storageClasses (absent in runs from before: the cStor class only). */
  storageClasses?: { shared: string; unshared?: string };
  /** Spec chart.values: extra values by dotted key, never one the installer writes (chart-schema.ts). */
  extraValues?: Record<string, string | number | boolean>;
}

/** A YAML double-quoted scalar (JSON's string syntax is YAML's): "null", "true", "1e3" or "0x1F" stay strings. */
const str = (v: string): string => JSON.stringify(v);
const scalar = (v: string | number | boolean): string => (typeof v === 'string' ? str(v) : String(v));

/** Values as an ordered tree whose leaves are YAML scalars already written out. */
interface Tree { [key: string]: string | Tree }

function put(tree: Tree, path: string, leaf: string): void {
  const keys = path.split('.');
  let at = tree;
  for (const k of keys.slice(0, -1)) {
    const next = at[k];
    if (typeof next === 'string') throw new Error(`values key ${path} lies under the value ${k}`);
    at = next ?? (at[k] = {});
  }
  at[keys[keys.length - 1]] = leaf;
}

/** Block YAML, two spaces a level; keys are plain (chart-schema.ts VALUE_PATH), leaves already quoted. */
function emit(tree: Tree, indent = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${indent}${k}: ${v}`] : [`${indent}${k}:`, ...emit(v, `${indent}  `)]));
}

/**
 * The values file `kloudspot init` would write from the same answers (hostname, customer, features,
 * storage per volume, TLS). The chart's own key names are not public: these follow the seed's questions
 * (README "The chart's values"). Every string is quoted: a plain `customerRef: null` would reach the chart as YAML null.
 */
export function renderValues(v: ChartValuesInput): string {
  const tree: Tree = {};
  put(tree, 'site', str(v.site));
  put(tree, 'global.hostname', str(v.dnsHostname));
  put(tree, 'global.customerRef', str(v.customer));
  put(tree, 'global.loadBalancerIP', str(v.virtualIp));
  for (const f of ['kloudManage', 'kloudInsights', 'kloudHybrid'] as const) put(tree, `features.${f}`, String(v.features[f] === true));
  put(tree, 'storage.sharedStorageClass', str(v.storageClasses?.shared ?? STORAGE_CLASS));
  if (v.storageClasses?.unshared) put(tree, 'storage.unsharedStorageClass', str(v.storageClasses.unshared));
  put(tree, 'storage.unsharedVolumeGroup', str(v.volumeGroup));
  for (const k of ['elasticsearch', 'streamState', 'insightsDatabase', 'kafka', 'zookeeper'] as const) put(tree, `storage.volumes.${k}`, str(`${v.storage[k]}Gi`));
  put(tree, 'ingress.tlsSecret', str(v.tls === 'uploaded' ? TLS_SECRET : ''));
  for (const [k, x] of Object.entries(v.extraValues ?? {})) put(tree, k, scalar(x));
  return ['# Written by kloudspot-installer from the site spec; `kloudspot update --update-helm` applies changes.', ...emit(tree), ''].join('\n');
}

export interface PodState {
  name: string; phase: string; ready: boolean; restarts: number; reason?: string;
  /** Succeeded or Failed: its containers ended and will not restart (pod phase, core/v1 PodPhase); not judged for readiness. */
  finished: boolean;
}

export function parsePods(json: string): PodState[] {
  const list = JSON.parse(json) as { items?: {
    metadata: { name: string };
    status?: {
      phase?: string;
      /** `Evicted` on a pod the kubelet evicted. */
      reason?: string;
      conditions?: { type: string; status: string }[];
      containerStatuses?: { restartCount?: number; state?: { waiting?: { reason?: string } } }[];
    };
  }[] };
  return (list.items ?? []).map((p) => ({
    name: p.metadata.name,
    phase: p.status?.phase ?? 'Unknown',
    ready: p.status?.phase === 'Succeeded' || (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    restarts: (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
    reason: p.status?.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason ?? p.status?.reason,
    finished: p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed',
  }));
}
