// `kubectl delete TYPE NAME [-n NS] [--ignore-not-found] [--wait=false]` (kubectl 1.32 pkg/cmd/delete/delete.go,
// DeleteOptions.PrintObj): `kind.group "x" deleted`, the kind lower-cased and the group left out for the core group
// (`persistentvolumeclaim "x" deleted`, `cstorpoolcluster.cstor.openebs.io "x" deleted`); a missing object is
// `Error from server (NotFound): ...` unless ignored.
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import { kindString } from '../kube-store';
import { claimDeleted } from '../cstor-volume-sim';
import { resourceArg, type Flags } from './kubectl-resources';

export async function deleteObject(p: Proc, c: Cluster, f: Flags): Promise<number> {
  const r = resourceArg(p, c, f);
  if (!r || !r.wanted) { if (r) p.err('error: resource(s) were provided, but no name was specified\n'); return 1; }
  await p.work('command');
  const obj = c.store.get(r.kind, r.ns, r.wanted);
  if (!obj) {
    if (f.other.get('--ignore-not-found') === 'true') return 0;
    p.err(`Error from server (NotFound): ${r.info.plural}${r.info.group ? `.${r.info.group}` : ''} "${r.wanted}" not found\n`);
    return 1;
  }
  if (r.kind === 'CStorPoolCluster') releasePool(c, r.wanted);
  c.store.delete(r.kind, r.ns, r.wanted);
  if (r.kind === 'PersistentVolumeClaim') claimDeleted(c, obj);
  p.out(`${kindString(r.kind)} "${r.wanted}" deleted\n`);
  p.effect(`kubectl delete ${r.kind.toLowerCase()}/${r.ns ? `${r.ns}/` : ''}${r.wanted}`);
  return 0;
}

/** cstor-operators' finalizer: a deleted pool cluster's instances go and their block devices are released. */
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
