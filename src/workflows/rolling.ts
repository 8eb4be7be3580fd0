// One node at a time, the way every change to a running site's nodes goes (refresh-certs, upgrade): managers
// first, each node's work between gates that wait, from another manager, until the node is Ready and every
// datastore voter is there. With 3 voters, the cluster never has more than one of them away.
import type { SshTarget } from '../activities/ssh';
import type { SiteNode } from './site-context';

/** The activity that waits for a node to be Ready with `voters` voters (refresh-certs.ts's waitNodeHealthy). */
type WaitHealthy = (from: SshTarget, name: string, address: string, voters: number, timeoutMs: number, member?: boolean) => Promise<unknown>;

export interface RollingPlan<N extends SiteNode> {
  /** The nodes to act on, in any order: managers go first. */
  nodes: N[];
  /** Every manager of the site: the witnesses, and how many voters to expect. */
  managers: N[];
  target(n: N): SshTarget;
  timeoutMs: number;
  waitHealthy: WaitHealthy;
}

/** Where a node's health is read while it restarts: another manager, whose API answers meanwhile. */
export function witnessOf<N extends SiteNode>(managers: N[], node: N): N {
  return managers.find((m) => m.name !== node.name) ?? node;
}

/**
 * Runs `work` on each node in turn, managers first. `gate` waits until the node is Ready and every voter is
 * there (a worker is not one): the work calls it before it touches the node and once the node is back.
 */
export async function oneNodeAtATime<N extends SiteNode>(plan: RollingPlan<N>,
  work: (node: N, witness: SshTarget, gate: () => Promise<void>) => Promise<void>): Promise<void> {
  const voters = Math.min(3, plan.managers.length);
  const ordered = [...plan.nodes.filter((n) => n.role === 'manager'), ...plan.nodes.filter((n) => n.role !== 'manager')];
  for (const node of ordered) {
    const witness = plan.target(witnessOf(plan.managers, node));
    const member = node.role === 'manager';
    const gate = async () => { await plan.waitHealthy(witness, node.name, node.address, voters, plan.timeoutMs, ...(member ? [] : [false])); };
    await work(node, witness, gate);
  }
}
