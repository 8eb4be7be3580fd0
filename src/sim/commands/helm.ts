// `microk8s helm3` (helm 3.x): status (table or -o json), list, uninstall. Errors as helm prints them.
import { startOpenebsDeployments, untilOpenebsAvailable } from '../openebs-deployments';
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import { helmStatusJson, helmTable, removePods } from '../chart-sim';
import { NO_PERMISSION } from './microk8s-state';
import { refreshCluster } from '../cluster-refresh';

export const UNREACHABLE = 'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:16443/version": dial tcp 127.0.0.1:16443: connect: connection refused\n';

export async function helm(p: Proc, args: string[]): Promise<number> {
  if (!p.root) { p.out(NO_PERMISSION(p.world.user)); return 1; }
  const c = p.node.microk8s.cluster as Cluster;
  let ns = 'default';
  let output = 'table';
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-n' || args[i] === '--namespace') ns = args[++i];
    else if (args[i] === '-o' || args[i] === '--output') output = args[++i];
    else if (args[i].startsWith('--namespace=')) ns = args[i].slice(12);
    else if (args[i].startsWith('--output=')) output = args[i].slice(9);
    else rest.push(args[i]);
  }
  const [verb, name] = rest;
  await p.work('command');
  if (verb === 'version') { p.out('version.BuildInfo{Version:"v3.16.2", GitCommit:"", GitTreeState:"clean", GoVersion:"go1.22.7"}\n'); return 0; }
  if (!c.apiReady()) { p.err(UNREACHABLE); return 1; }
  refreshCluster(c);
  const release = name ? c.releases.get(name) : undefined;
  const found = release && release.namespace === ns;
  switch (verb) {
    case 'status':
      if (!name) { p.err('Error: "helm status" requires 1 argument\n\nUsage:  helm status RELEASE_NAME [flags]\n'); return 1; }
      if (!found) { p.err('Error: release: not found\n'); return 1; }
      if (output === 'json') p.out(helmStatusJson(release));
      else p.out(helmTable(release));
      return 0;
    case 'list': case 'ls': {
      const rows = [...c.releases.values()].filter((r) => r.namespace === ns);
      if (output === 'json') {
        // helm pkg/cmd/list.go releaseElement: revision as a string, `updated` in Go's time.Time String form.
        p.out(`${JSON.stringify(rows.map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.revision),
          updated: `${new Date(r.lastDeployed).toISOString().replace('T', ' ').replace('Z', '')} +0000 UTC`, status: r.status,
          chart: `${r.chart}-${r.chartVersion}`, app_version: r.appVersion })))}\n`);
        return 0;
      }
      p.out('NAME     \tNAMESPACE\tREVISION\tUPDATED\tSTATUS  \tCHART\tAPP VERSION\n' +
        rows.map((r) => `${r.name}\t${r.namespace}\t${r.revision}\t${new Date(r.lastDeployed).toISOString()}\t${r.status}\t${r.chart}-${r.chartVersion}\t${r.appVersion}\n`).join(''));
      return 0;
    }
    case 'upgrade': return upgrade(p, c, ns, rest.slice(1), args);
    case 'uninstall': case 'delete':
      if (!found) { p.err(`Error: uninstall: Release not loaded: ${name}: release: not found\n`); return 1; }
      c.releases.delete(release.name);
      removePods(c, release.name);
      if (release.name === 'openebs') c.addons.delete('openebs');
      p.out(`release "${release.name}" uninstalled\n`);
      p.effect(`helm uninstall ${release.namespace}/${release.name}`);
      return 0;
    default:
      p.err(`Error: unknown command "${verb ?? ''}" for "helm"\nRun 'helm --help' for usage.\n`);
      return 1;
  }
}

/** The openebs repository's chart versions (openebs/charts tags openebs-3.0.0 .. openebs-3.10.0). */
const OPENEBS_CHARTS = ['3.0.0', '3.1.0', '3.2.0', '3.3.0', '3.3.1', '3.4.0', '3.4.1', '3.4.2', '3.5.0', '3.6.0', '3.7.0', '3.8.0', '3.9.0', '3.10.0'];

/** `helm upgrade RELEASE openebs/openebs --version V --reuse-values`: only the add-on's release and repository. */
async function upgrade(p: Proc, c: Cluster, ns: string, positional: string[], args: string[]): Promise<number> {
  const [name, chartRef] = positional;
  const vi = args.indexOf('--version');
  const version = vi >= 0 ? args[vi + 1] : OPENEBS_CHARTS[OPENEBS_CHARTS.length - 1];
  if (chartRef !== 'openebs/openebs') { p.err(`Error: repo ${chartRef?.split('/')[0] ?? ''} not found\n`); return 1; }
  const release = c.releases.get(name);
  if (!release || release.namespace !== ns) { p.err(`Error: UPGRADE FAILED: "${name}" has no deployed releases\n`); return 1; }
  if (!OPENEBS_CHARTS.includes(version)) {
    p.err(`Error: chart "openebs" matching ${version} not found in openebs index. (try 'helm repo update'): no chart version found for openebs-${version}\n`);
    return 1;
  }
  await p.work('openebsEnable');
  release.chartVersion = version;
  release.appVersion = version;
  release.revision++;
  release.lastDeployed = Date.now();
  release.description = 'Upgrade complete';
  // New pods for every Deployment; `--wait` returns once they are Available (helm pkg/kube/wait.go).
  startOpenebsDeployments(c, version, Date.now());
  if (args.includes('--wait')) await untilOpenebsAvailable(p, c);
  p.out(`Release "${name}" has been upgraded. Happy Helming!\n${helmTable(release)}`);
  p.effect(`helm upgrade ${ns}/${name} ${chartRef} ${version} revision ${release.revision}`);
  return 0;
}
