// `snap remove`, apart from the rest of `snap` so that the program's other verbs can live where they like.
import type { Proc } from '../process';
import { dropFromCluster } from '../cluster-state';

/**
 * `snap remove [--purge] microk8s` (snapd cmd/snapd/cli/cmd_snap_op.go, error.go): `microk8s removed`; a snap that
 * is not installed prints `snap "x" is not installed` on stderr and exits 0. With the snap go its services, its
 * certificates and datastore (--purge: no snapshot kept).
 */
export async function removeSnap(p: Proc, name: string | undefined): Promise<number> {
  if (!name) { p.err('error: the required argument `<snap> (at least 1 argument)` was not provided\n'); return 1; }
  if (!p.root) { p.err('error: access denied (try with sudo)\n'); return 1; }
  const node = p.node;
  if (name !== 'microk8s' || !node.microk8s.installed) { p.err(`snap "${name}" is not installed\n`); return 0; }
  await p.work('toolsInstall');
  dropFromCluster(p.world, node);
  Object.assign(node.microk8s, { installed: false, readyAt: 0, communityRepo: false });
  node.health.certNotAfter.clear();
  // The snap's own files go with it (containerd-env with our proxy block, the join token file), and its hold.
  for (const f of [...node.files.keys()]) if (f.startsWith('/var/snap/microk8s/')) node.files.delete(f);
  node.snapd.holds.delete('microk8s');
  for (const u of [...node.units.keys()]) if (u.startsWith('snap.microk8s.')) node.units.delete(u);
  p.out('microk8s removed\n');
  p.effect('snap remove microk8s');
  return 0;
}
