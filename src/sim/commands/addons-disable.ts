// `microk8s disable`: disable.py and xable() (canonical/microk8s scripts/wrappers/disable.py, common/utils.py:
// repository inference, `Addon core/x is already disabled`), then the addon's own disable script:
// openebs from canonical/microk8s-community-addons (helm uninstall, delete the namespace), community from
// canonical/microk8s-core-addons (the cloned repository removed). See docs/commands.md.
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import { addonEnabled, availableAddons, waitReady } from './microk8s-state';

export async function disable(p: Proc, args: string[]): Promise<number> {
  const node = p.node;
  if (args.length === 0) { p.err("Usage: microk8s disable [OPTIONS] ADDONS...\nTry 'microk8s disable -h' for help.\n\nError: Missing argument 'ADDONS...'.\n"); return 2; }
  if (node.isWorker()) { p.out('This MicroK8s deployment is acting as a node in a cluster.\nPlease use the master node.\n'); return 1; }
  if (!p.root) { p.out('Elevated permissions is needed for this operation. Please run this command with sudo.\n'); return 50; }
  await waitReady(p, 30);
  const parts = args[0].split(':')[0].split('/');
  const name = parts[parts.length - 1];
  const available = availableAddons(node);
  let repo = parts.length === 2 ? parts[0] : undefined;
  if (!repo) {
    const matching = available.filter((a) => a.name === name);
    if (matching.length === 0) { p.err(`Addon ${name} was not found in any repository\n`); return 1; }
    repo = matching[0].repo;
    p.err(`Infer repository ${repo} for addon ${name}\n`);
  }
  if (!available.some((a) => a.repo === repo && a.name === name)) { p.out(`Addon ${repo}/${name} not found\n`); return 0; }
  if (!addonEnabled(node, name)) { p.out(`Addon ${repo}/${name} is already disabled\n`); return 0; }
  const cluster = node.microk8s.cluster!;
  await p.work('addonEnable');
  switch (name) {
    case 'openebs': return openebs(p, cluster);
    case 'community':
      node.microk8s.communityRepo = false;
      p.out('Community repository is now disabled\n');
      p.effect('microk8s disable community');
      return 0;
    default:
      cluster.addons.delete(name);
      p.out(`Disabling ${name}\n${name} is disabled\n`);
      p.effect(`microk8s disable ${name}`);
      return 0;
  }
}

/** addons/openebs/disable: `helm -n openebs uninstall openebs`, `kubectl delete namespace openebs`. */
function openebs(p: Proc, c: Cluster): number {
  p.out('Disabling OpenEBS\n');
  c.releases.delete('openebs');
  p.out('release "openebs" uninstalled\n');
  // Deleting the namespace deletes everything in it: NDM, its block devices, any pool left.
  for (const kind of ['ConfigMap', 'DaemonSet', 'BlockDevice', 'CStorPoolCluster', 'CStorPoolInstance', 'Pod', 'Secret']) {
    for (const o of c.store.list(kind, 'openebs')) c.store.delete(kind, 'openebs', o.metadata.name);
  }
  c.store.delete('Namespace', undefined, 'openebs');
  p.out('namespace "openebs" deleted\n');
  c.addons.delete('openebs');
  c.ndm = null;
  p.out('OpenEBS disabled\nManually clean up the directory /var/snap/microk8s/common/var/openebs/\n');
  p.effect('microk8s disable openebs');
  return 0;
}
