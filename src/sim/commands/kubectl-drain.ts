// `kubectl cordon|uncordon|drain` (kubectl 1.32, staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go and
// pkg/drain/drain.go, cordon.go): the node's spec.unschedulable, and the lines kubectl prints. Every MicroK8s
// node runs the calico-node DaemonSet, so a drain without --ignore-daemonsets stops there, as the real one does.
// drain cordons, then evicts every other pod on the node through the eviction API, which refuses (429) a pod
// whose PodDisruptionBudget allows no disruption: kubectl prints `error when evicting pods/"p" -n "ns" (will
// retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.` and tries again every 5 s
// until --timeout (0: forever), then `error when evicting pods/"p" -n "ns": global timeout reached: 1m0s`.
// --disable-eviction deletes instead, bypassing the budgets. The node stays cordoned when the drain fails.
import type { Proc } from '../process';
import type { Cluster, KubeNodeRecord } from '../cluster-state';
import type { KubeObject } from '../kube-store';
import { podReady, reschedulePod } from '../chart-sim';
import type { Flags } from './kubectl-resources';

const PDB_REFUSAL = "Cannot evict pod as it would violate the pod's disruption budget.";

const calicoPod = (c: Cluster, name: string) => `kube-system/calico-node-${c.world.rng.derive(`calico-${name}`).alnum(5).toLowerCase()}`;

/** Go's time.Duration String(): 90s -> 1m30s, 60s -> 1m0s, 5s -> 5s. */
export function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}

function nodeRecord(p: Proc, c: Cluster, verb: string, name: string | undefined): KubeNodeRecord | undefined {
  if (!name) { p.err(`error: USAGE: ${verb} NODE [flags]\nSee 'kubectl ${verb} -h' for help and examples\n`); return undefined; }
  const r = c.kubeNodes.get(name);
  if (!r || r.stale) { p.err(`Error from server (NotFound): nodes "${name}" not found\n`); return undefined; }
  return r;
}

function setCordon(p: Proc, r: KubeNodeRecord, on: boolean): void {
  if (!!r.unschedulable === on) { p.out(`node/${r.name} already ${on ? 'cordoned' : 'uncordoned'}\n`); return; }
  r.unschedulable = on;
  p.out(`node/${r.name} ${on ? 'cordoned' : 'uncordoned'}\n`);
  p.effect(`kubectl ${on ? 'cordon' : 'uncordon'} ${r.name}`);
}

/** `kubectl cordon NODE` / `kubectl uncordon NODE`. */
export async function cordon(p: Proc, c: Cluster, f: Flags, on: boolean): Promise<number> {
  await p.work('command');
  const r = nodeRecord(p, c, on ? 'cordon' : 'uncordon', f.rest[0]);
  if (!r) return 1;
  setCordon(p, r, on);
  return 0;
}

const matches = (pdb: KubeObject, pod: KubeObject) => {
  const sel = ((pdb.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels) ?? {};
  return pdb.metadata.namespace === pod.metadata.namespace && Object.entries(sel).every(([k, v]) => pod.metadata.labels?.[k] === v);
};

/** The disruption controller's disruptionsAllowed for the budgets covering `pod`: the least of them. */
function disruptionsAllowed(c: Cluster, pod: KubeObject): number {
  let allowed = Infinity;
  for (const pdb of c.store.list('PodDisruptionBudget').filter((b) => matches(b, pod))) {
    const covered = c.store.list('Pod').filter((x) => matches(pdb, x));
    const healthy = covered.filter((x) => podReady(x)).length;
    const spec = pdb.spec as { minAvailable?: number; maxUnavailable?: number };
    allowed = Math.min(allowed, spec.minAvailable !== undefined ? healthy - spec.minAvailable : (spec.maxUnavailable ?? 0) - (covered.length - healthy));
  }
  return allowed;
}

export async function drain(p: Proc, c: Cluster, f: Flags): Promise<number> {
  await p.work('command');
  const r = nodeRecord(p, c, 'drain', f.rest[0]);
  if (!r) return 1;
  const timeoutS = Number((f.other.get('--timeout') ?? '0s').replace(/s$/, '')) || 0;
  const useEviction = f.other.get('--disable-eviction') !== 'true';
  setCordon(p, r, true);
  const fail = (why: string, last = `error: ${why}`) => {
    p.err(`error: unable to drain node "${r.name}" due to error: ${why}, continuing command...\nThere are pending nodes to be drained:\n ${r.name}\n${last}\n`);
    return 1;
  };
  const ds = calicoPod(c, r.name);
  if (!f.other.has('--ignore-daemonsets')) {
    const why = `cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${ds}`;
    return fail(why, why);
  }
  const pods = c.store.list('Pod').filter((x) => (x.spec as { nodeName?: string }).nodeName === r.name);
  const unmanaged = pods.filter((x) => !(x.metadata.ownerReferences as { controller?: boolean }[] | undefined)?.some((o) => o.controller));
  if (unmanaged.length && f.other.get('--force') !== 'true') {
    return fail(`cannot delete Pods that declare no controller (use --force to override): ${unmanaged.map((x) => `${x.metadata.namespace}/${x.metadata.name}`).join(', ')}`);
  }
  p.err(`Warning: ignoring DaemonSet-managed Pods: ${ds}\n`);
  const deadline = timeoutS > 0 ? Date.now() + p.world.latency.seconds(timeoutS) : Infinity;
  const others = () => [...c.kubeNodes.values()].filter((x) => x !== r && c.nodeReady(x) && !x.unschedulable).map((x) => x.name);
  const errors: string[] = [];
  for (const pod of pods) {
    const id = `pods/"${pod.metadata.name}" -n "${pod.metadata.namespace}"`;
    p.out(`${useEviction ? 'evicting' : 'deleting'} pod ${pod.metadata.namespace}/${pod.metadata.name}\n`);
    while (useEviction && disruptionsAllowed(c, pod) < 1) {
      if (Date.now() >= deadline) { errors.push(`error when evicting ${id}: global timeout reached: ${goDuration(timeoutS)}`); break; }
      p.err(`error when evicting ${id} (will retry after 5s): ${PDB_REFUSAL}\n`);
      await p.sleep(Math.max(1, Math.min(p.world.latency.seconds(5), deadline - Date.now())));
      p.out(`evicting pod ${pod.metadata.namespace}/${pod.metadata.name}\n`);
    }
    if (errors.length && errors[errors.length - 1].includes(id)) continue;
    const to = others();
    reschedulePod(c, pod, to.length ? to[pods.indexOf(pod) % to.length] : '');
    p.out(`pod/${pod.metadata.name} ${useEviction ? 'evicted' : 'deleted'}\n`);
    p.effect(`kubectl ${useEviction ? 'evict' : 'delete'} pod/${pod.metadata.namespace}/${pod.metadata.name}`);
  }
  if (errors.length) return fail(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  if (pods.length === 0) await p.work('podReady');
  p.out(`node/${r.name} drained\n`);
  return 0;
}
