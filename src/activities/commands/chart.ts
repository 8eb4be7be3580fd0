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

/** Every pod of the chart Ready; a finished Job's pod (Succeeded) is never Ready and counts as done in parsePods too. */
export const podsReady: KubeWait = { resource: 'pod', namespace: CHART_NAMESPACE, for: 'condition=Ready', all: true, fieldSelector: 'status.phase!=Succeeded' };
export const listPods = (): RemoteCommand => query(sh`${KUBECTL} -n ${CHART_NAMESPACE} get pods -o json`);
export const tlsSecretExists = (): RemoteCommand =>
  query(sh`${KUBECTL} -n ${CHART_NAMESPACE} get secret ${TLS_SECRET} -o name`, { okCodes: [0, 1] });
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
}

/**
 * The values file `kloudspot init` would write from the same answers (hostname, customer, features,
 * storage per volume, TLS). The chart's own key names are not public: these follow the seed's questions.
 */
export function renderValues(v: ChartValuesInput): string {
  const lines = [
    '# Written by kloudspot-installer from the site spec; `kloudspot update --update-helm` applies changes.',
    `site: ${v.site}`,
    'global:',
    `  hostname: ${v.dnsHostname}`,
    `  customerRef: ${v.customer}`,
    `  loadBalancerIP: ${v.virtualIp}`,
    'features:',
    `  kloudManage: ${v.features.kloudManage}`,
    `  kloudInsights: ${v.features.kloudInsights}`,
    `  kloudHybrid: ${v.features.kloudHybrid}`,
    'storage:',
    `  sharedStorageClass: ${STORAGE_CLASS}`,
    `  unsharedVolumeGroup: ${v.volumeGroup}`,
    '  volumes:',
    `    elasticsearch: ${v.storage.elasticsearch}Gi`,
    `    streamState: ${v.storage.streamState}Gi`,
    `    insightsDatabase: ${v.storage.insightsDatabase}Gi`,
    `    kafka: ${v.storage.kafka}Gi`,
    `    zookeeper: ${v.storage.zookeeper}Gi`,
    'ingress:',
    `  tlsSecret: ${v.tls === 'uploaded' ? TLS_SECRET : '""'}`,
    '',
  ];
  return lines.join('\n');
}

export interface PodState { name: string; phase: string; ready: boolean; restarts: number; reason?: string }

export function parsePods(json: string): PodState[] {
  const list = JSON.parse(json) as { items?: {
    metadata: { name: string };
    status?: {
      phase?: string;
      conditions?: { type: string; status: string }[];
      containerStatuses?: { restartCount?: number; state?: { waiting?: { reason?: string } } }[];
    };
  }[] };
  return (list.items ?? []).map((p) => ({
    name: p.metadata.name,
    phase: p.status?.phase ?? 'Unknown',
    ready: p.status?.phase === 'Succeeded' || (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    restarts: (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
    reason: p.status?.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason,
  }));
}
