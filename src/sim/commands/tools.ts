// The Kloudspot tools: what `curl <toolsUrl> | sudo bash` installs (the microk8s snap and the kloudspot
// CLI), and the CLI's start/update/stop (`snap` itself: snap.ts). The tools script and the CLI are proprietary: their
// outputs here are invented and marked so in docs/commands.md; the helm parts are helm's own.
import type { Proc } from '../process';
import type { CommandDef } from './types';
import type { HelmRelease } from '../cluster-state';
import { newSingleNodeCluster } from '../cluster-state';
import { deployPods, helmTable, removePods, CHART_VERSION } from '../chart-sim';
import { UNREACHABLE } from './helm';
import { NO_PERMISSION, clusterReady } from './microk8s-state';
import { refreshCluster } from '../cluster-refresh';
import { CONTAINERD_ENV, DEFAULT_CONTAINERD_ENV, storeReachable } from '../proxy-world';

import { kloudspotInit, VALUES_FILE } from './kloudspot-init';

export { VALUES_FILE };

export async function installMicrok8s(p: Proc): Promise<boolean> {
  const node = p.node;
  if (node.microk8s.installed) {
    p.err('snap "microk8s" is already installed, see \'snap help refresh\'\n');
    return false;
  }
  if (!storeReachable(p)) return false;
  await p.work('toolsInstall');
  node.microk8s.installed = true;
  const c = newSingleNodeCluster(p.world, node);
  const start = p.world.latency.ms('microk8sStart');
  node.microk8s.readyAt = Date.now() + start;
  c.registerKubelet(node, start + p.world.latency.ms('nodeReady'));
  for (const u of ['snap.microk8s.daemon-kubelite', 'snap.microk8s.daemon-k8s-dqlite', 'snap.microk8s.daemon-cluster-agent', 'snap.microk8s.daemon-containerd']) {
    node.units.set(u, { enabled: 'enabled', active: true });
  }
  p.writeFile(CONTAINERD_ENV, DEFAULT_CONTAINERD_ENV, 0o644);
  p.out(`microk8s (1.32/stable) v1.32.3 from Canonical\u2713 installed\n`);
  p.effect('snap install microk8s --classic --channel=1.32/stable');
  return true;
}

/** Run by the tools script: needs root, installs the snap and the CLI (idempotent). */
async function installTools(p: Proc): Promise<number> {
  if (!p.root) { p.err('This script must be run as root (use: curl ... | sudo bash)\n'); return 1; }
  p.out('Kloudspot on-prem cluster tools\nInstalling MicroK8s (1.32/stable)...\n');
  // The script runs with `set -e`: a snap install that fails (no way to the store) ends it.
  if (!(await installMicrok8s(p)) && !p.node.microk8s.installed) return 1;
  if (!p.node.kloudspotTools) {
    await p.work('command');
    p.node.kloudspotTools = true;
    p.effect('install /usr/local/bin/kloudspot');
    p.out('Installed /usr/local/bin/kloudspot\n');
  } else p.out('/usr/local/bin/kloudspot is up to date\n');
  p.out('Done. Log out and back in to use microk8s without sudo.\n');
  return 0;
}

/** `kloudspot init` (kloudspot-init.ts) and `start|update --update-helm|stop|status`: helm install/upgrade/uninstall of release kloudspot. */
async function kloudspot(p: Proc): Promise<number> {
  const [verb, ...rest] = p.argv.slice(1);
  if (!verb || !['init', 'start', 'update', 'stop', 'status'].includes(verb)) {
    p.out('Usage: kloudspot <command>\n\nCommands:\n  init        create /etc/kloudspot/values.yaml\n  storage     review and estimate storage\n' +
      '  start       deploy the Kloudspot helm chart\n  update      update the deployment (--update-helm to upgrade the chart)\n  stop        uninstall the deployment\n  status      show the deployment status\n');
    return verb ? 1 : 0;
  }
  const node = p.node;
  if (node.isWorker()) { p.out('This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s helm on the master.\n'); return 0; }
  if (!p.root) { p.out(NO_PERMISSION(p.world.user)); return 1; }
  const c = node.microk8s.cluster!;
  if (!clusterReady(node)) { await p.work('command'); p.err(UNREACHABLE); return 1; }
  if (verb === 'init') return kloudspotInit(p);
  const existing = c.releases.get('kloudspot');
  if (verb === 'status') {
    if (!existing) { p.err('Error: release: not found\n'); return 1; }
    refreshCluster(c);
    const pods = c.store.list('Pod', 'default', { 'app.kubernetes.io/instance': 'kloudspot' });
    const ready = pods.filter((x) => (x.status as { phase?: string }).phase === 'Running').length;
    p.out(`${helmTable(existing)}Pods ready: ${ready}/${pods.length}\n`);
    return 0;
  }
  if (verb === 'stop') {
    if (!existing) { p.err('Error: uninstall: Release not loaded: kloudspot: release: not found\n'); return 1; }
    await p.work('helm');
    c.releases.delete('kloudspot');
    removePods(c, 'kloudspot');
    p.out('release "kloudspot" uninstalled\n');
    p.effect('helm uninstall default/kloudspot');
    return 0;
  }
  if (verb === 'update' && rest.includes('--update-helm') && !existing) { p.err('Error: UPGRADE FAILED: "kloudspot" has no deployed releases\n'); return 1; }
  const values = p.readFile(VALUES_FILE);
  if (values === undefined) { p.err(`Error: open ${VALUES_FILE}: no such file or directory\n`); return 1; }
  if (verb === 'start') {
    if (existing) { p.err('Error: INSTALLATION FAILED: cannot re-use a name that is still in use\n'); return 1; }
    await p.work('helm');
    const now = Date.now();
    const release: HelmRelease = {
      name: 'kloudspot', namespace: 'default', chart: 'kloudspot', chartVersion: CHART_VERSION, appVersion: CHART_VERSION, revision: 1,
      status: 'deployed', firstDeployed: now, lastDeployed: now, values, description: 'Install complete',
    };
    c.releases.set('kloudspot', release);
    deployPods(c, release);
    p.out(`${helmTable(release)}NOTES:\nKloudspot ${CHART_VERSION} is being deployed. Watch it with: microk8s kubectl get pods\n`);
    p.effect('helm install default/kloudspot revision 1');
    return 0;
  }
  // update
  if (!rest.includes('--update-helm')) { p.out('Configuration checked; nothing to update without --update-helm.\n'); return 0; }
  if (!existing) { p.err('Error: UPGRADE FAILED: "kloudspot" has no deployed releases\n'); return 1; }
  await p.work('helm');
  existing.revision++;
  existing.lastDeployed = Date.now();
  existing.values = values;
  existing.description = 'Upgrade complete';
  deployPods(c, existing);
  p.out(`Release "kloudspot" has been upgraded. Happy Helming!\n${helmTable(existing)}`);
  p.effect(`helm upgrade default/kloudspot revision ${existing.revision}`);
  return 0;
}

export const TOOLS: Record<string, CommandDef> = {
  __kloudspot_install_tools: { path: '/tmp/on-prem-cluster.sh', run: installTools },
  kloudspot: { path: '/usr/local/bin/kloudspot', run: kloudspot, available: (n) => n.kloudspotTools },
};
