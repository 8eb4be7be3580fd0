// The Kloudspot chart as `kloudspot start|update|stop` deploys it: a Helm release `kloudspot` in
// namespace default and a handful of pods that become Ready over time. Pods on shared (cStor) volumes
// stay Pending until the cstor-csi StorageClass exists and a pool is ONLINE, as unbound PVCs would.
import * as yaml from 'js-yaml';
import type { Cluster, HelmRelease } from './cluster-state';
import type { KubeObject } from './kube-store';
import { sharedStorageReady } from './storage-sim';
import { provisionVolume } from './volume-sim';

interface PodPlan { name: string; component: string; shared: boolean }
interface PodTiming { readyAt: number | null; shared: boolean; node: string }
const timing = new WeakMap<KubeObject, PodTiming>();

export const CHART_VERSION = '5.2.0';

/** The pods a release runs, from the features in values.yaml (`features.kloudInsights` ...). */
export function podPlan(valuesYaml: string, suffix: (n: number) => string): PodPlan[] {
  let features: Record<string, unknown> = {};
  try {
    features = ((yaml.load(valuesYaml) as { features?: Record<string, unknown> } | null)?.features) ?? {};
  } catch { /* the chart would fail to render; keep the base pods */ }
  const plan: PodPlan[] = [
    { name: `kloudspot-web-${suffix(10)}-${suffix(5)}`, component: 'web', shared: false },
    { name: `kloudspot-api-${suffix(10)}-${suffix(5)}`, component: 'api', shared: false },
    { name: 'redis-master-0', component: 'redis', shared: false },
  ];
  if (features.kloudInsights) {
    plan.push(
      { name: 'mongodb-0', component: 'mongodb', shared: false },
      { name: 'kafka-0', component: 'kafka', shared: false },
      { name: 'zookeeper-0', component: 'zookeeper', shared: false },
      { name: 'elasticsearch-master-0', component: 'elasticsearch', shared: true },
      { name: `flink-jobmanager-${suffix(10)}-${suffix(5)}`, component: 'flink-jobmanager', shared: true },
    );
  }
  if (features.kloudManage) plan.push({ name: `kloudmanage-${suffix(10)}-${suffix(5)}`, component: 'kloudmanage', shared: false });
  if (features.kloudHybrid) plan.push({ name: `kloudhybrid-${suffix(10)}-${suffix(5)}`, component: 'kloudhybrid', shared: false });
  return plan;
}

function podObject(p: PodPlan, node: string, revision: number): KubeObject {
  // The chart's pods belong to StatefulSets (`-0`) and Deployments' ReplicaSets: kubectl drain evicts only
  // pods with a controller (without --force).
  const stateful = p.name.endsWith('-0');
  const owner = stateful ? p.name.slice(0, -2) : p.name.split('-').slice(0, -1).join('-');
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: p.name, namespace: 'default',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: stateful ? 'StatefulSet' : 'ReplicaSet', name: owner, controller: true, blockOwnerDeletion: true }],
      labels: { 'app.kubernetes.io/instance': 'kloudspot', 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/name': p.component, 'helm.sh/revision': String(revision) },
    },
    spec: { containers: [{ image: `registry.kloudspot.com/kloudspot/${p.component}:${CHART_VERSION}`, name: p.component }], nodeName: node, restartPolicy: 'Always' },
    status: {},
  };
}

/** Schedules the release's pods round-robin over the ready nodes. */
export function deployPods(c: Cluster, release: HelmRelease): void {
  for (const old of c.store.list('Pod', 'default', { 'app.kubernetes.io/instance': release.name })) c.store.delete('Pod', 'default', old.metadata.name);
  const rng = c.world.rng.derive(`pods-${release.name}-${release.revision}`);
  const nodes = [...c.kubeNodes.values()].filter((r) => c.nodeReady(r) && !r.unschedulable).map((r) => r.name);
  const plan = podPlan(release.values, (n) => rng.alnum(n));
  plan.forEach((p, i) => {
    const node = nodes.length ? nodes[i % nodes.length] : '';
    const stored = c.store.put(podObject(p, p.shared ? '' : node, release.revision));
    timing.set(stored, { readyAt: p.shared ? null : Date.now() + c.world.latency.ms('podReady'), shared: p.shared, node });
  });
  syncPods(c, Date.now());
}

/**
 * The kubelet evicts a Deployment's pod (node pressure): the pod stays, phase Failed with reason Evicted
 * (kubelet eviction manager: `The node was low on resource: ...`), until someone deletes it; its
 * ReplicaSet starts a replacement under a new name, Ready after the usual start time. Returns both names.
 */
export function evictPod(c: Cluster, name: string): { evicted: string; replacement: string } {
  const pod = c.store.get('Pod', 'default', name);
  const t = pod && timing.get(pod);
  if (!pod || !t || !/-[a-z0-9]{10}-[a-z0-9]{5}$/.test(name)) throw new Error(`${name} is not a running Deployment pod of the chart`);
  timing.delete(pod);
  const started = (pod.status as { startTime?: string } | undefined)?.startTime;
  pod.status = {
    message: 'The node was low on resource: ephemeral-storage. Threshold quantity: 2Gi, available: 1536Mi. ',
    phase: 'Failed', reason: 'Evicted', ...(started ? { startTime: started } : {}),
  };
  const rng = c.world.rng.derive(`evict-${name}`);
  const replacement = `${name.replace(/-[a-z0-9]{5}$/, '')}-${rng.alnum(5)}`;
  const labels = pod.metadata.labels ?? {};
  const revision = Number(labels['helm.sh/revision'] ?? 1);
  const stored = c.store.put(podObject({ name: replacement, component: labels['app.kubernetes.io/name'] ?? 'web', shared: false }, t.node, revision));
  timing.set(stored, { ...t, readyAt: Date.now() + c.world.latency.ms('podReady') });
  syncPods(c, Date.now());
  return { evicted: name, replacement };
}

/** An evicted pod's controller starts it again on `node` (the sim keeps its name). */
export function reschedulePod(c: Cluster, pod: KubeObject, node: string): void {
  const t = timing.get(pod);
  (pod.spec as { nodeName: string }).nodeName = node;
  if (t) { t.node = node; t.readyAt = Date.now() + c.world.latency.ms('podReady'); }
  syncPods(c, Date.now());
}

/** A pod counts towards its disruption budget while it is Ready. */
export function podReady(pod: KubeObject, now = Date.now()): boolean {
  const t = timing.get(pod);
  return !!t && t.readyAt !== null && now >= t.readyAt;
}

/** A fault: the pods whose name starts with `prefix` stop (or start again) being Ready, as a crash-looping container. */
export function podNeverReady(c: Cluster, prefix: string, broken: boolean): void {
  const pods = c.store.list('Pod', 'default').filter((p) => p.metadata.name.startsWith(prefix));
  if (!pods.length) throw new Error(`no pod ${prefix}*`);
  for (const pod of pods) {
    const t = timing.get(pod);
    if (t) t.readyAt = broken ? Infinity : Date.now();
  }
}

export function removePods(c: Cluster, release: string): void {
  for (const p of c.store.list('Pod', 'default', { 'app.kubernetes.io/instance': release })) c.store.delete('Pod', 'default', p.metadata.name);
}

const ts = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function syncPods(c: Cluster, now: number): void {
  const storage = sharedStorageReady(c);
  for (const pod of c.store.list('Pod', 'default')) {
    const t = timing.get(pod);
    if (!t) continue;
    if (t.readyAt === null && t.shared && storage) {
      t.readyAt = now + c.world.latency.ms('podReady');
      (pod.spec as { nodeName: string }).nodeName = t.node;
      provisionVolume(c, `data-${pod.metadata.name}`);
    }
    const created = Date.parse(String(pod.metadata.creationTimestamp));
    const hostIP = c.kubeNodes.get(t.node)?.node.address;
    if (t.readyAt === null) {
      pod.status = {
        conditions: [{ lastProbeTime: null, lastTransitionTime: ts(created), message: `0/${c.kubeNodes.size} nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/${c.kubeNodes.size} nodes are available: ${c.kubeNodes.size} Preemption is not helpful for scheduling.`, reason: 'Unschedulable', status: 'False', type: 'PodScheduled' }],
        phase: 'Pending', qosClass: 'BestEffort',
      };
      continue;
    }
    const ready = now >= t.readyAt;
    const component = (pod.metadata.labels ?? {})['app.kubernetes.io/name'];
    pod.status = {
      conditions: [
        { lastProbeTime: null, lastTransitionTime: ts(created), status: 'True', type: 'Initialized' },
        { lastProbeTime: null, lastTransitionTime: ts(ready ? t.readyAt : created), status: ready ? 'True' : 'False', type: 'Ready', ...(ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${component}]` }) },
        { lastProbeTime: null, lastTransitionTime: ts(ready ? t.readyAt : created), status: ready ? 'True' : 'False', type: 'ContainersReady', ...(ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${component}]` }) },
        { lastProbeTime: null, lastTransitionTime: ts(created), status: 'True', type: 'PodScheduled' },
      ],
      containerStatuses: [{
        image: `registry.kloudspot.com/kloudspot/${component}:${CHART_VERSION}`, name: component, ready, restartCount: 0, started: ready,
        state: ready ? { running: { startedAt: ts(t.readyAt) } } : { waiting: { reason: 'ContainerCreating' } },
      }],
      hostIP, phase: ready ? 'Running' : 'Pending', podIP: ready ? `10.1.${(hostIP ?? '0.0.0.0').split('.')[3]}.${10 + c.store.list('Pod').indexOf(pod)}` : undefined,
      qosClass: 'BestEffort', startTime: ts(created),
    };
  }
}

/** `helm status -o json` (helm v3 cmd/helm/status.go: the release with its chart stripped, one line). */
export function helmStatusJson(r: HelmRelease): string {
  const t = (ms: number) => new Date(ms).toISOString().replace('Z', '000000Z');
  return JSON.stringify({
    name: r.name,
    info: { first_deployed: t(r.firstDeployed), last_deployed: t(r.lastDeployed), deleted: '', description: r.description, status: r.status, notes: `Kloudspot ${CHART_VERSION} is deployed. Open https://<dnsHostname>/ once all pods are ready.\n` },
    config: (() => { try { return yaml.load(r.values) ?? {}; } catch { return {}; } })(),
    manifest: `---\n# Source: kloudspot/templates/web.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: kloudspot-web\n`,
    version: r.revision,
    namespace: r.namespace,
  }) + '\n';
}

/** The table helm prints after install/upgrade (helm v3 status.go WriteTable). */
export function helmTable(r: HelmRelease): string {
  const d = new Date(r.lastDeployed);
  const when = d.toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, (_m, wd, day, mon, yr, time) => `${wd} ${mon} ${String(day).padStart(2, ' ')} ${time} ${yr}`);
  return `NAME: ${r.name}\nLAST DEPLOYED: ${when}\nNAMESPACE: ${r.namespace}\nSTATUS: ${r.status}\nREVISION: ${r.revision}\nTEST SUITE: None\n`;
}
