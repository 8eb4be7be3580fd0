// A tiny Kubernetes object store: what `kubectl apply/get/create` read and write. Objects are kept as
// plain JSON (as the API server returns them); `apply` compares against the last applied configuration
// the way kubectl's three-way merge decides between created, configured and unchanged.
import type { Rng } from './random';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [key: string]: unknown;
}

/** kind -> resource (plural, lowercase) and API group, as kubectl names them in `kind.group/name`. */
export const RESOURCES: Record<string, { plural: string; group: string; namespaced: boolean; short?: string[] }> = {
  ConfigMap: { plural: 'configmaps', group: '', namespaced: true, short: ['cm', 'configmap'] },
  Secret: { plural: 'secrets', group: '', namespaced: true, short: ['secret'] },
  Pod: { plural: 'pods', group: '', namespaced: true, short: ['po', 'pod'] },
  PodDisruptionBudget: { plural: 'poddisruptionbudgets', group: 'policy', namespaced: true, short: ['pdb', 'poddisruptionbudget'] },
  Namespace: { plural: 'namespaces', group: '', namespaced: false, short: ['ns', 'namespace'] },
  Node: { plural: 'nodes', group: '', namespaced: false, short: ['no', 'node'] },
  DaemonSet: { plural: 'daemonsets', group: 'apps', namespaced: true, short: ['ds', 'daemonset'] },
  Deployment: { plural: 'deployments', group: 'apps', namespaced: true, short: ['deploy', 'deployment'] },
  StorageClass: { plural: 'storageclasses', group: 'storage.k8s.io', namespaced: false, short: ['sc', 'storageclass'] },
  BlockDevice: { plural: 'blockdevices', group: 'openebs.io', namespaced: true, short: ['bd', 'blockdevice'] },
  CStorPoolCluster: { plural: 'cstorpoolclusters', group: 'cstor.openebs.io', namespaced: true, short: ['cspc', 'cstorpoolcluster'] },
  CStorPoolInstance: { plural: 'cstorpoolinstances', group: 'cstor.openebs.io', namespaced: true, short: ['cspi', 'cstorpoolinstance'] },
  CStorVolume: { plural: 'cstorvolumes', group: 'cstor.openebs.io', namespaced: true, short: ['cv', 'cstorvolume'] },
  CStorVolumeReplica: { plural: 'cstorvolumereplicas', group: 'cstor.openebs.io', namespaced: true, short: ['cvr', 'cstorvolumereplica'] },
  PersistentVolumeClaim: { plural: 'persistentvolumeclaims', group: '', namespaced: true, short: ['pvc', 'persistentvolumeclaim'] },
  PersistentVolume: { plural: 'persistentvolumes', group: '', namespaced: false, short: ['pv', 'persistentvolume'] },
  Event: { plural: 'events', group: '', namespaced: true, short: ['ev', 'event'] },
  CStorVolumeConfig: { plural: 'cstorvolumeconfigs', group: 'cstor.openebs.io', namespaced: true, short: ['cvc', 'cstorvolumeconfig'] },
  IPAddressPool: { plural: 'ipaddresspools', group: 'metallb.io', namespaced: true, short: ['ipaddresspool'] },
};

/** Finds a kind from what a user typed: `bd`, `blockdevices`, `cspi`, `configmap`, `daemonset.apps`... */
export function kindOf(resource: string): string | undefined {
  const r = resource.toLowerCase().split('.')[0];
  for (const [kind, info] of Object.entries(RESOURCES)) {
    if (info.plural === r || kind.toLowerCase() === r || info.short?.includes(r)) return kind;
  }
  return undefined;
}

/** `configmap`, `daemonset.apps`, `cstorpoolcluster.cstor.openebs.io`: kubectl's kindString (the core group has none). */
export function kindString(kind: string): string {
  const info = RESOURCES[kind];
  return info?.group ? `${kind.toLowerCase()}.${info.group}` : kind.toLowerCase();
}

/** `configmap/x`, `daemonset.apps/x`, `storageclass.storage.k8s.io/x`: how kubectl prints an object. */
export function qualifiedName(kind: string, name: string): string {
  return `${kindString(kind)}/${name}`;
}

/** Go's encoding/json sorts map keys; kubectl prints unstructured objects with 4-space indent. */
export function kubeJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 4);
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export const listJson = (items: unknown[]): string =>
  kubeJson({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } });

const key = (kind: string, ns: string | undefined, name: string) => `${kind}/${ns ?? ''}/${name}`;

/** What the user gave (without server fields), canonical, to compare applies. */
function appliedConfig(obj: KubeObject): string {
  const { metadata, ...rest } = obj;
  const m: Record<string, unknown> = { name: metadata.name };
  if (metadata.namespace) m.namespace = metadata.namespace;
  if (metadata.labels) m.labels = metadata.labels;
  if (metadata.annotations) m.annotations = metadata.annotations;
  return JSON.stringify(sortKeys({ ...rest, metadata: m }));
}

export class KubeStore {
  private readonly objects = new Map<string, KubeObject>();
  private resourceVersion = 1000;

  constructor(private readonly rng: Rng) {}

  get(kind: string, ns: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(key(kind, RESOURCES[kind]?.namespaced ? ns : undefined, name));
  }

  list(kind: string, ns?: string, selector?: Record<string, string>): KubeObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind && (ns === undefined || !RESOURCES[kind]?.namespaced || o.metadata.namespace === ns) &&
      Object.entries(selector ?? {}).every(([k, v]) => o.metadata.labels?.[k] === v))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Stores an object as the server would: uid, resourceVersion, creationTimestamp. */
  put(obj: KubeObject): KubeObject {
    const ns = RESOURCES[obj.kind]?.namespaced ? obj.metadata.namespace ?? 'default' : undefined;
    const k = key(obj.kind, ns, obj.metadata.name);
    const old = this.objects.get(k);
    const stored: KubeObject = {
      ...obj,
      metadata: {
        ...obj.metadata,
        ...(ns ? { namespace: ns } : {}),
        uid: (old?.metadata.uid as string | undefined) ?? this.rng.uuid(),
        creationTimestamp: (old?.metadata.creationTimestamp as string | undefined) ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        resourceVersion: String(++this.resourceVersion),
        generation: ((old?.metadata.generation as number | undefined) ?? 0) + 1,
      },
    };
    this.objects.set(k, stored);
    return stored;
  }

  delete(kind: string, ns: string | undefined, name: string): boolean {
    return this.objects.delete(key(kind, RESOURCES[kind]?.namespaced ? ns ?? 'default' : undefined, name));
  }

  /**
   * kubectl apply: created, configured (the applied configuration changed) or unchanged. Client-side apply
   * records the object in the last-applied-configuration annotation; server-side apply (`--server-side`) does
   * not, but, like the API server, keeps that annotation current on an object that already has it.
   */
  apply(obj: KubeObject, o: { serverSide?: boolean } = {}): { result: 'created' | 'configured' | 'unchanged'; stored: KubeObject } {
    const ns = RESOURCES[obj.kind]?.namespaced ? obj.metadata.namespace ?? 'default' : undefined;
    const old = this.get(obj.kind, ns, obj.metadata.name);
    const config = appliedConfig({ ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } });
    const lastApplied = old?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    if (old && lastApplied === config) return { result: 'unchanged', stored: old };
    if (o.serverSide && old && JSON.stringify(old) === JSON.stringify({ ...old, ...obj, metadata: { ...old.metadata, ...obj.metadata } })) return { result: 'unchanged', stored: old };
    const annotations = { ...(obj.metadata.annotations ?? {}), ...(!o.serverSide || lastApplied ? { 'kubectl.kubernetes.io/last-applied-configuration': config } : {}) };
    const merged: KubeObject = old
      ? { ...old, ...obj, metadata: { ...old.metadata, ...obj.metadata, annotations } }
      : { ...obj, metadata: { ...obj.metadata, annotations } };
    const stored = this.put(merged);
    return { result: old ? 'configured' : 'created', stored };
  }
}
