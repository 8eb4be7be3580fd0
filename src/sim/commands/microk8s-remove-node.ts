// `microk8s remove-node NODE [--force]` as canonical/microk8s answers it (d099c907): the wrapper
// (microk8s-resources/wrappers/microk8s-remove-node.wrapper) refuses on a worker and checks its arguments, then
// scripts/wrappers/remove_node.py: the node's InternalIP from `kubectl get no NODE -o json`; if that address is
// another dqlite member, `--force` removes it from dqlite (without: "Removal failed ... run first 'microk8s leave'");
// then the node's tokens go and `kubectl delete no NODE` runs. Nothing is printed on success. A node kubectl does
// not know prints "Node NODE does not exist in Kubernetes." and exits 1 (with --force after trying dqlite by address).
import type { Proc } from '../process';
import { refreshCluster } from '../cluster-refresh';
import { NO_PERMISSION } from './microk8s-state';

export async function removeNode(p: Proc, args: string[]): Promise<number> {
  const node = p.node;
  if (!p.root) { p.out(NO_PERMISSION(p.world.user)); return 1; }
  if (node.isWorker()) { p.out('This MicroK8s deployment is acting as a node in a cluster. Please use microk8s leave.\n'); return 1; }
  if (args.length === 0) { p.out('Please provide the node you want to remove.\n'); return 1; }
  if (args.length === 2 && args[1] !== '--force') { p.out('Please provide the node and the optional --force flag.\n'); return 1; }
  const force = args[1] === '--force';
  const name = args[0];
  await p.work('command');
  const c = node.microk8s.cluster!;
  refreshCluster(c);
  // An address names the node whose InternalIP it is.
  const rec = [...c.kubeNodes.values()].find((r) => !r.stale && (r.name === name || r.node.address === name));
  if (!rec) {
    p.err(`Error from server (NotFound): nodes "${name}" not found\n`);
    p.out(`Node ${name} does not exist in Kubernetes.\n`);
    if (force) {
      p.out(`Attempting to remove ${name} from dqlite.\n`);
      const stale = [...c.members.values()].find((m) => m.role !== 'worker' && m.node !== node && c.dqliteAddress(m.node).startsWith(`${name}:`));
      if (stale) {
        p.out('Removing node entry found in dqlite.\n');
        c.members.delete(stale.node.name);
        p.effect(`microk8s remove-node dqlite ${c.dqliteAddress(stale.node)}`);
      }
    }
    return 1;
  }
  const member = c.members.get(rec.node.name);
  const inDqlite = member && member.role !== 'worker' && member.node !== node;
  if (inDqlite && !force) {
    p.out(`Removal failed. Node ${rec.name} is registered with dqlite. Please, run first 'microk8s leave' on the departing node. \n` +
      'If the node is not available anymore and will never attempt to join the cluster in the future use the \'--force\' flag \n' +
      'to unregister the node while removing it.\n');
    return 1;
  }
  // dqlite forgets the member (voters are not re-balanced until a node joins), then the Node object goes.
  if (member && member.node !== node) c.members.delete(rec.node.name);
  c.kubeNodes.delete(rec.name);
  p.effect(`microk8s remove-node ${rec.name}`);
  return 0;
}
