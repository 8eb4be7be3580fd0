// MicroK8s clusters shared by the fleet: membership and dqlite roles, addons, and the Kubernetes
// objects the installer touches. Things that happen "over time" on a real cluster (nodes becoming
// Ready, NDM discovering disks, cStor pools coming ONLINE, pods starting) are derived from timestamps
// whenever the state is read (cluster-refresh.ts), so no background timers run.
import type { SimNode } from './node-state';
import { KubeStore, type KubeObject } from './kube-store';
import type { World } from './world';

export type MemberRole = 'voter' | 'standby' | 'spare' | 'worker';
export interface Member { node: SimNode; role: MemberRole; joinedAt: number }
export interface KubeNodeRecord {
  name: string; node: SimNode; createdAt: number; readyAt: number; stale: boolean;
  /** spec.unschedulable: kubectl cordon / drain set it, uncordon clears it. */
  unschedulable?: boolean;
}
export interface NdmRun { startedAt: number; exclude: string[]; include: string[]; ok: boolean }
export interface HelmRelease {
  name: string; namespace: string; chart: string; chartVersion: string; appVersion: string; revision: number;
  status: 'deployed' | 'failed' | 'pending-install' | 'uninstalled'; firstDeployed: number; lastDeployed: number;
  values: string; description: string;
}

/** Addons every fresh 1.29+ node has on: dns via the launch configuration, ha-cluster, helm, helm3. */
export const DEFAULT_ADDONS = ['dns', 'ha-cluster', 'helm', 'helm3'];

export class Cluster {
  readonly members = new Map<string, Member>();
  /** Until the first join, dqlite listens on 127.0.0.1:19001 (the agent rebinds it to the node's IP). */
  boundToIp = false;
  readonly addons = new Set(DEFAULT_ADDONS);
  metallbRanges: string[] = [];
  readonly kubeNodes = new Map<string, KubeNodeRecord>();
  readonly store: KubeStore;
  ndm: NdmRun | null = null;
  readonly releases = new Map<string, HelmRelease>();

  constructor(readonly id: number, readonly world: World, first: SimNode) {
    this.store = new KubeStore(world.rng.derive(`cluster-${id}`));
    this.members.set(first.name, { node: first, role: 'voter', joinedAt: Date.now() });
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
  }

  /** The first control-plane node: where kubectl and helm answers come from. */
  get primary(): SimNode {
    return [...this.members.values()][0].node;
  }

  dqliteAddress(node: SimNode): string {
    return this.boundToIp ? `${node.address}:19001` : '127.0.0.1:19001';
  }

  /** dqlite keeps 3 voters and up to 3 standbys; further control-plane nodes are spares. */
  rebalanceRoles(): void {
    let voters = 0;
    let standbys = 0;
    for (const m of this.members.values()) {
      if (m.role === 'worker') continue;
      if (voters < 3) { m.role = 'voter'; voters++; } else if (standbys < 3) { m.role = 'standby'; standbys++; } else m.role = 'spare';
    }
  }

  datastore(): { masters: string[]; standbys: string[] } {
    const up = [...this.members.values()].filter((m) => m.role !== 'worker');
    return {
      masters: up.filter((m) => m.role === 'voter').map((m) => this.dqliteAddress(m.node)),
      standbys: up.filter((m) => m.role === 'standby').map((m) => this.dqliteAddress(m.node)),
    };
  }

  /** A kubelet (re)registering under the node's current hostname; an old name stays behind, NotReady. */
  registerKubelet(node: SimNode, readyInMs: number): void {
    const name = node.hostname.toLowerCase();
    for (const rec of this.kubeNodes.values()) if (rec.node === node && rec.name !== name) rec.stale = true;
    const now = Date.now();
    const old = this.kubeNodes.get(name);
    this.kubeNodes.set(name, { name, node, createdAt: old?.createdAt ?? now, readyAt: now + readyInMs, stale: false, unschedulable: old?.unschedulable });
  }

  kubeNameOf(node: SimNode): string | undefined {
    return [...this.kubeNodes.values()].find((r) => r.node === node && !r.stale)?.name;
  }

  nodeReady(rec: KubeNodeRecord, now = Date.now()): boolean {
    return !rec.stale && rec.node.phase === 'up' && rec.node.microk8s.cluster === this && now >= rec.readyAt;
  }

  /** The API answers once the primary's services are up. */
  apiReady(now = Date.now()): boolean {
    const p = this.primary;
    return p.phase === 'up' && now >= p.microk8s.readyAt;
  }

  upNodes(): SimNode[] {
    return [...this.members.values()].map((m) => m.node).filter((n) => n.phase === 'up' && n.microk8s.cluster === this);
  }

  object(kind: string, ns: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(kind, ns, name);
  }
}

/** Creates the single-node cluster a fresh `snap install microk8s` starts as. */
export function newSingleNodeCluster(world: World, node: SimNode): Cluster {
  const c = new Cluster(world.nextClusterId(), world, node);
  node.microk8s.cluster = c;
  world.clusters.add(c);
  return c;
}

/** Moves `node` into `target` (microk8s join); its old single-node cluster is discarded. */
export function joinCluster(target: Cluster, node: SimNode, worker: boolean, readyInMs: number): void {
  const old = node.microk8s.cluster;
  if (old && old !== target) {
    old.members.delete(node.name);
    if (old.members.size === 0) target.world.clusters.delete(old);
  }
  target.boundToIp = true;
  target.members.set(node.name, { node, role: worker ? 'worker' : 'voter', joinedAt: Date.now() });
  target.rebalanceRoles();
  node.microk8s.cluster = target;
  node.microk8s.readyAt = Date.now() + readyInMs;
  node.microk8s.communityRepo = node.microk8s.communityRepo || false;
  target.registerKubelet(node, readyInMs);
}

/**
 * `microk8s leave` (leave.py): the node's dqlite entry is deleted from the cluster (a control-plane node) and
 * the node starts over as a single-node cluster of its own. Its Kubernetes Node object stays behind, NotReady,
 * until `microk8s remove-node` on a remaining node deletes it.
 */
export function leaveCluster(world: World, node: SimNode, readyInMs: number): void {
  const old = node.microk8s.cluster;
  if (old) {
    old.members.delete(node.name);
    old.rebalanceRoles();
    if (old.members.size === 0) world.clusters.delete(old);
  }
  const c = newSingleNodeCluster(world, node);
  node.microk8s.readyAt = Date.now() + readyInMs;
  c.registerKubelet(node, readyInMs);
}

/** `snap remove microk8s`: the node is out of every cluster, with nothing of the snap left. */
export function dropFromCluster(world: World, node: SimNode): void {
  const old = node.microk8s.cluster;
  if (!old) return;
  old.members.delete(node.name);
  for (const [name, rec] of old.kubeNodes) if (rec.node === node) old.kubeNodes.delete(name);
  if (old.members.size === 0) world.clusters.delete(old); else old.rebalanceRoles();
  delete node.microk8s.cluster;
}
