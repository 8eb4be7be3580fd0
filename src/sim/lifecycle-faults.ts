// What the lifecycle operations (upgrade, backup, replace-node) meet on a running site: a PodDisruptionBudget
// that keeps a drain from finishing, a dbctl that writes empty backups. Kept apart from health-faults.ts (the doctor's) so both grow independently.
import type { Fleet } from './fleet';
import type { KubeObject } from './kube-store';
import { EMPTY_BACKUPS } from './commands/microk8s-dbctl';

export class LifecycleFaults {
  constructor(private readonly fleet: Fleet) {}

  /**
   * A budget with minAvailable 1 over a single-replica pod scheduled on `node`: every eviction of that pod is
   * refused (429) until the budget goes or a drain deletes instead of evicting. Returns `<ns>/<pod>`.
   */
  pdbBlocksDrain(node: string): string {
    const c = this.fleet.clusterOf(node);
    const pod = c?.store.list('Pod').find((p) => (p.spec as { nodeName?: string }).nodeName === node && p.metadata.labels?.['app.kubernetes.io/name']);
    if (!c || !pod) throw new Error(`no pod runs on ${node}`);
    const name = pod.metadata.labels!['app.kubernetes.io/name'];
    const pdb: KubeObject = {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
      metadata: { name: `${name}-pdb`, namespace: pod.metadata.namespace },
      spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': name } } },
    };
    c.store.put(pdb);
    return `${pod.metadata.namespace}/${pod.metadata.name}`;
  }

  /** `microk8s dbctl backup` on `node` succeeds but its archive holds no keys (microk8s#4308); `false` mends it. */
  emptyBackups(node: string, on = true): void {
    const n = this.fleet.node(node).state;
    if (on) EMPTY_BACKUPS.add(n); else EMPTY_BACKUPS.delete(n);
  }
}
