// `kubectl delete TYPE NAME [-n NS] [--ignore-not-found]` (kubectl 1.32 staging/src/k8s.io/kubectl/pkg/cmd/delete):
// `<kind>.<group> "<name>" deleted` per object; NotFound is an error unless --ignore-not-found. Deleting a
// CStorPoolCluster is what cstor-operators' finalizer does with it: its pool instances go and their block
// devices are released (claimState Unclaimed).
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import { RESOURCES } from '../kube-store';
import { resourceArg, type Flags } from './kubectl-resources';

export async function deleteObjects(p: Proc, c: Cluster, f: Flags): Promise<number> {
  if (!f.rest[0]) { p.err('error: You must provide one or more resources by argument or filename.\n'); return 1; }
  const r = resourceArg(p, c, f);
  if (!r) return f.other.has('--ignore-not-found') ? 0 : 1;
  const { kind, info, ns, wanted } = r;
  if (!wanted) { p.err('error: resource(s) were provided, but no name was specified\n'); return 1; }
  await p.work('command');
  const obj = c.store.get(kind, ns, wanted);
  const qualified = `${info.plural}${info.group ? `.${info.group}` : ''}`;
  if (!obj) {
    if (f.other.has('--ignore-not-found')) return 0;
    p.err(`Error from server (NotFound): ${qualified} "${wanted}" not found\n`);
    return 1;
  }
  if (kind === 'CStorPoolCluster') releasePool(c, wanted);
  c.store.delete(kind, ns, wanted);
  p.out(`${kind.toLowerCase()}${info.group ? `.${info.group}` : ''} "${wanted}" deleted\n`);
  p.effect(`kubectl delete ${kind.toLowerCase()}/${RESOURCES[kind].namespaced ? `${ns}/` : ''}${wanted}`);
  return 0;
}

function releasePool(c: Cluster, cspc: string): void {
  for (const cspi of c.store.list('CStorPoolInstance', 'openebs', { 'openebs.io/cstor-pool-cluster': cspc })) {
    c.store.delete('CStorPoolInstance', 'openebs', cspi.metadata.name);
  }
  for (const bd of c.store.list('BlockDevice', 'openebs')) {
    if ((bd.status as { claimState?: string }).claimState !== 'Claimed') continue;
    delete (bd.spec as Record<string, unknown>).claimRef;
    bd.status = { claimState: 'Unclaimed', state: 'Active' };
  }
}
