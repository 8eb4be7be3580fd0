// `microk8s leave` and `microk8s remove-node` as the 1.32 snap answers: the wrappers
// (microk8s-resources/wrappers/microk8s-leave.wrapper, microk8s-remove-node.wrapper) and
// scripts/wrappers/leave.py, remove_node.py from canonical/microk8s (docs/commands.md).
import type { Proc } from '../process';
import { leaveCluster } from '../cluster-state';
import { NO_PERMISSION } from './microk8s-state';

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

export async function removeNode(p: Proc, args: string[]): Promise<number> {
  const node = p.node;
  if (!p.root) { p.out(ELEVATED); return 50; }
  const force = args.includes('--force');
  const rest = args.filter((a) => a !== '--force');
  if (rest.length !== 1) {
    if (rest.length === 0) { p.err("Usage: microk8s remove-node [OPTIONS] NODE\nTry 'microk8s remove-node -h' for help.\n\nError: Missing argument 'NODE'.\n"); return 2; }
    p.out('Please provide the node and the optional --force flag.\n');
    return 1;
  }
  const name = rest[0];
  const c = node.microk8s.cluster;
  if (!c) { p.out(NO_PERMISSION(p.world.user)); return 1; }
  await p.work('command');
  const rec = c.kubeNodes.get(name);
  const inDqlite = [...c.members.values()].find((m) => m.role !== 'worker' && m.node !== node && (m.node.name === name || m.node.address === name));
  if (!rec) {
    p.err(`Error from server (NotFound): nodes "${name}" not found\n`);
    p.out(`Node ${name} does not exist in Kubernetes.\n`);
    if (force) {
      p.out(`Attempting to remove ${name} from dqlite.\n`);
      // remove_node.py matches the dqlite endpoints by the address given.
      if (inDqlite && inDqlite.node.address === name) {
        p.out('Removing node entry found in dqlite.\n');
        c.members.delete(inDqlite.node.name);
        c.rebalanceRoles();
        p.effect(`microk8s remove-node ${name} --force (dqlite entry)`);
      }
    }
    return 1;
  }
  if (inDqlite && !force) {
    p.out(`Removal failed. Node ${name} is registered with dqlite. Please, run first 'microk8s leave' on the departing node. \n` +
      'If the node is not available anymore and will never attempt to join the cluster in the future use the \'--force\' flag \n' +
      'to unregister the node while removing it.\n');
    return 1;
  }
  if (inDqlite) { c.members.delete(inDqlite.node.name); c.rebalanceRoles(); }
  // A worker that never left is dropped too: the cluster forgets it.
  const member = c.members.get(rec.node.name);
  if (member && member.node !== node && member.role === 'worker') c.members.delete(rec.node.name);
  c.kubeNodes.delete(name);
  p.effect(`microk8s remove-node ${name}${force ? ' --force' : ''}`);
  return 0;
}
