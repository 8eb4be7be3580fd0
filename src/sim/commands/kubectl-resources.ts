// The API server's side of kubectl get and wait: which resource a command names, whether its kind is served
// (CRDs arrive with their add-on), and the objects of that kind now. A leaf shared by kubectl.ts and
// kubectl-wait.ts.
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import { RESOURCES, kindOf, type KubeObject } from '../kube-store';
import { KUBERNETES_VERSION } from '../addons-data';
import { refreshCluster } from '../cluster-refresh';

export const REFUSED = 'The connection to the server 127.0.0.1:16443 was refused - did you specify the right host or port?\n';
const CRD_KINDS: Record<string, string> = { BlockDevice: 'openebs', CStorPoolCluster: 'openebs', CStorPoolInstance: 'openebs', CStorVolume: 'openebs', CStorVolumeReplica: 'openebs',
  IPAddressPool: 'metallb' };

export function kindServed(c: Cluster, kind: string): boolean {
  const addon = CRD_KINDS[kind];
  return !addon || c.addons.has(addon);
}

export interface Flags {
  ns?: string;
  output?: string;
  selector?: Record<string, string>;
  noHeaders: boolean;
  files: string[];
  rest: string[];
  other: Map<string, string>;
}

function nodeObjects(c: Cluster): KubeObject[] {
  return [...c.kubeNodes.values()].sort((a, b) => a.name.localeCompare(b.name)).map((r) => ({
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: r.name, labels: { 'kubernetes.io/hostname': r.name, 'kubernetes.io/os': 'linux', 'microk8s.io/cluster': 'true' }, creationTimestamp: new Date(r.createdAt).toISOString() },
    spec: r.unschedulable ? { unschedulable: true } : {},
    status: {
      addresses: [{ address: r.node.address, type: 'InternalIP' }, { address: r.name, type: 'Hostname' }],
      conditions: [{ type: 'Ready', status: c.nodeReady(r) ? 'True' : 'Unknown' }],
      nodeInfo: { kubeletVersion: KUBERNETES_VERSION, osImage: 'Ubuntu 22.04.4 LTS' },
    },
  }));
}

export interface ResourceArg { kind: string; info: (typeof RESOURCES)[string]; ns?: string; wanted?: string }

/** `type`, `type name` or `type/name` as get and wait take them; undefined (error printed) for a type not served. */
export function resourceArg(p: Proc, c: Cluster, f: Flags): ResourceArg | undefined {
  const [resource, name] = f.rest;
  const [res, slashName] = resource.split('/');
  const kind = kindOf(res);
  if (!kind || !kindServed(c, kind)) { p.err(`error: the server doesn't have a resource type "${res}"\n`); return undefined; }
  const info = RESOURCES[kind];
  return { kind, info, ns: info.namespaced ? f.ns ?? 'default' : undefined, wanted: name ?? slashName };
}

/** The objects of a kind as the API server has them now (time-based state brought up to date first). */
export function listObjects(c: Cluster, r: ResourceArg, selector?: Record<string, string>): KubeObject[] {
  refreshCluster(c);
  return r.kind === 'Node' ? nodeObjects(c) : c.store.list(r.kind, r.ns, selector);
}
