// `microk8s leave` as the 1.32 snap answers (remove-node: microk8s-remove-node.ts): the wrappers
// (microk8s-resources/wrappers/microk8s-leave.wrapper, microk8s-remove-node.wrapper) and
// scripts/wrappers/leave.py, remove_node.py from canonical/microk8s (docs/commands.md).
import type { Proc } from '../process';
import { leaveCluster } from '../cluster-state';

const ELEVATED = 'Elevated permissions is needed for this operation. Please run this command with sudo.\n';

/** The wrapper's test: a joined node has no-cert-reissue; a worker has clustered.lock. A lone node has neither. */
function clustered(p: Proc): boolean {
  const c = p.node.microk8s.cluster;
  return !!c && c.members.size > 1 && c.members.has(p.node.name);
}

export async function leave(p: Proc): Promise<number> {
  const node = p.node;
  if (!p.root) { p.out(ELEVATED); return 50; }
  if (!clustered(p)) { p.out('This MicroK8s deployment is not acting as a node in a cluster.\n'); return 1; }
  const c = node.microk8s.cluster!;
  const me = c.members.get(node.name)!;
  const readyIn = p.world.latency.ms('microk8sStart');
  if (me.role === 'worker') {
    p.out('Configuring services.\n');
    await p.work('command');
    p.out('Generating new cluster certificates.\n');
    await p.sleep(p.world.latency.ms('join') / 2);
    leaveCluster(p.world, node, readyIn);
    p.effect(`microk8s leave ${node.name} (worker)`);
    p.out('Waiting for node to start.  \n');
    return 0;
  }
  // is_leader_without_successor(): the only voter of a cluster with other nodes must stay.
  const voters = [...c.members.values()].filter((m) => m.role === 'voter');
  if (voters.length === 1 && me.role === 'voter') {
    p.out('This node currently holds the only copy of the Kubernetes database so it cannot leave the cluster.\n' +
      "To remove this node you can either first remove all other nodes with 'microk8s remove-node' or\n" +
      'form a highly available cluster by adding at least three nodes.\n');
    return 3;
  }
  // Services stop, then `sleep(10)`, then the DELETE to another dqlite member.
  await p.sleep(p.world.latency.ms('join') / 2);
  leaveCluster(p.world, node, readyIn);
  p.effect(`microk8s leave ${node.name} (control-plane)`);
  p.out('Generating new cluster certificates.\nWaiting for node to start.  \n');
  return 0;
}
