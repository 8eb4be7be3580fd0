// `kubectl drain` and `kubectl uncordon` (kubectl 1.32 pkg/cmd/drain/drain.go, pkg/drain/cordon.go): the node's
// spec.unschedulable, and the lines kubectl prints. Every MicroK8s node runs the calico-node DaemonSet, so a
// drain without --ignore-daemonsets stops there, as the real one does.
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import type { Flags } from './kubectl-resources';

const calicoPod = (c: Cluster, name: string) => `kube-system/calico-node-${c.world.rng.derive(`calico-${name}`).alnum(5).toLowerCase()}`;

export async function drain(p: Proc, c: Cluster, f: Flags): Promise<number> {
  const name = f.rest[0];
  const rec = name ? c.kubeNodes.get(name) : undefined;
  if (!rec || rec.stale) { p.err(`Error from server (NotFound): nodes "${name ?? ''}" not found\n`); return 1; }
  await p.work('command');
  p.out(rec.unschedulable ? `node/${name} already cordoned\n` : `node/${name} cordoned\n`);
  if (!rec.unschedulable) p.effect(`kubectl cordon ${name}`);
  rec.unschedulable = true;
  const ds = calicoPod(c, name);
  if (!f.other.has('--ignore-daemonsets')) {
    p.err(`error: unable to drain node "${name}" due to error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${ds}, continuing command...\n` +
      `There are pending nodes to be drained:\n ${name}\ncannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${ds}\n`);
    return 1;
  }
  p.err(`Warning: ignoring DaemonSet-managed Pods: ${ds}\n`);
  await p.work('podReady');
  p.out(`node/${name} drained\n`);
  return 0;
}

export async function uncordon(p: Proc, c: Cluster, f: Flags): Promise<number> {
  const name = f.rest[0];
  const rec = name ? c.kubeNodes.get(name) : undefined;
  if (!rec || rec.stale) { p.err(`Error from server (NotFound): nodes "${name ?? ''}" not found\n`); return 1; }
  await p.work('command');
  if (!rec.unschedulable) { p.out(`node/${name} already uncordoned\n`); return 0; }
  rec.unschedulable = false;
  p.out(`node/${name} uncordoned\n`);
  p.effect(`kubectl uncordon ${name}`);
  return 0;
}
