// What several microk8s subcommands (status, enable, helm3, kubectl) and the kloudspot tools ask of a node's
// MicroK8s: is it ready, which add-ons it has, the permission error. A leaf, so the subcommands do not import
// microk8s.ts (which imports them).
import type { Proc } from '../process';
import type { SimNode } from '../node-state';
import { CORE_ADDONS, COMMUNITY_ADDONS } from '../addons-data';

export const NO_PERMISSION = (user: string) => 'Insufficient permissions to access MicroK8s.\n' +
  `You can either try again with sudo or add the user ${user} to the 'microk8s' group:\n\n    sudo usermod -a -G microk8s ${user}\n` +
  "    sudo chown -R $USER ~/.kube\n\nAfter this, reload the user groups either via a reboot or by running 'newgrp microk8s'.\n";
export const NOT_RUNNING = 'microk8s is not running. Use microk8s inspect for a deeper inspection.\n';

/** status.py is_cluster_ready(): the API answers and some node is Ready. */
export function clusterReady(node: SimNode, now = Date.now()): boolean {
  const c = node.microk8s.cluster;
  if (!c || node.phase !== 'up' || now < node.microk8s.readyAt || !c.apiReady(now)) return false;
  return [...c.kubeNodes.values()].some((r) => c.nodeReady(r, now));
}

/** Polls until ready or the timeout (seconds on a real node, scaled) passes; 0 waits forever. */
export async function waitReady(p: Proc, timeoutS: number): Promise<boolean> {
  const deadline = timeoutS > 0 ? Date.now() + p.world.latency.seconds(timeoutS) : Infinity;
  for (;;) {
    if (clusterReady(p.node)) return true;
    if (Date.now() >= deadline) return false;
    await p.sleep(Math.min(50, Math.max(1, deadline - Date.now())));
  }
}

/** Addons this node can list: core, plus community once its repository was cloned here. */
export function availableAddons(node: SimNode): { repo: string; name: string; description: string }[] {
  const list = CORE_ADDONS.map(([name, description]) => ({ repo: 'core', name, description }));
  if (node.microk8s.communityRepo) list.unshift(...COMMUNITY_ADDONS.map(([name, description]) => ({ repo: 'community', name, description })));
  return list;
}

export function addonEnabled(node: SimNode, name: string): boolean {
  if (name === 'community') return node.microk8s.communityRepo;
  if (name === 'helm' || name === 'helm3' || name === 'ha-cluster') return true;
  return node.microk8s.cluster?.addons.has(name) ?? false;
}
