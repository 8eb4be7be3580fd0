// `microk8s enable`: enable.py (repository inference, "already enabled"), then the addon's own script
// from canonical/microk8s-core-addons (dns, ingress, metallb, community) or
// canonical/microk8s-community-addons (openebs, with its iscsid check that exits 0 without installing).
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import { COMMUNITY_ADDONS, INGRESS_OBJECTS, METALLB_CRDS, METALLB_OBJECTS } from '../addons-data';
import { addonEnabled, availableAddons, waitReady } from './microk8s-state';
import { ndmConfigMap, startNdm } from '../storage-sim';
import { startOpenebsDeployments } from '../openebs-deployments';
import { helmTable } from '../chart-sim';

const REGEX_IPV4_RANGE = /^[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*-[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*$/;
const REGEX_IPV4_CIDR = /^[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\.[0-9]{1,3}\/[0-9]{1,3}$/;

export async function enable(p: Proc, args: string[]): Promise<number> {
  const node = p.node;
  if (args.length === 0) { p.err("Usage: microk8s enable [OPTIONS] ADDONS...\nTry 'microk8s enable -h' for help.\n\nError: Missing argument 'ADDONS...'.\n"); return 2; }
  if (node.isWorker()) { p.out('This MicroK8s deployment is acting as a node in a cluster.\nPlease use the master node.\n'); return 1; }
  if (!p.root) { p.out('Elevated permissions is needed for this operation. Please run this command with sudo.\n'); return 50; }
  await waitReady(p, 30);
  const [spec, ...rest] = args;
  const [nameWithRepo, ...addonArgs] = spec.split(':');
  const parts = nameWithRepo.split('/');
  const name = parts[parts.length - 1];
  const available = availableAddons(node);
  let repo = parts.length === 2 ? parts[0] : undefined;
  if (!repo) {
    const matching = available.filter((a) => a.name === name);
    if (matching.length === 0) {
      p.err(`Addon ${name} was not found in any repository\n`);
      if (COMMUNITY_ADDONS.some(([n]) => n === name)) p.out('To use the community maintained flavor enable the respective repository:\n\n    microk8s enable community\n\n');
      return 1;
    }
    repo = matching[0].repo;
    p.err(`Infer repository ${repo} for addon ${name}\n`);
  }
  if (!available.some((a) => a.repo === repo && a.name === name)) { p.out(`Addon ${repo}/${name} not found\n`); return 0; }
  if (addonEnabled(node, name)) { p.out(`Addon ${repo}/${name} is already enabled\n`); return 0; }
  const cluster = node.microk8s.cluster!;
  const argText = addonArgs.join(':') || rest.join(' ');
  switch (name) {
    case 'ingress': return ingress(p, cluster);
    case 'metallb': return metallb(p, cluster, argText);
    case 'community': return community(p);
    case 'openebs': return openebs(p, cluster);
    case 'dns':
      await p.work('addonEnable');
      p.out('Enabling DNS\nUsing host configuration from /run/systemd/resolve/resolv.conf\nApplying manifest\n' +
        'serviceaccount/coredns created\nconfigmap/coredns created\ndeployment.apps/coredns created\nservice/kube-dns created\n' +
        'clusterrole.rbac.authorization.k8s.io/coredns created\nclusterrolebinding.rbac.authorization.k8s.io/coredns created\n' +
        'CoreDNS service deployed with IP address 10.152.183.10\nRestarting kubelet\nDNS is enabled\n');
      return done(p, cluster, 'dns');
    default:
      await p.work('addonEnable');
      p.out(`Enabling ${name}\n${name} is enabled\n`);
      return done(p, cluster, name);
  }
}

function done(p: Proc, cluster: Cluster, name: string, detail = ''): number {
  cluster.addons.add(name);
  p.effect(`microk8s enable ${name}${detail}`);
  return 0;
}

async function ingress(p: Proc, cluster: Cluster): Promise<number> {
  p.out('Enabling Ingress\n');
  await p.work('addonEnable');
  p.out(INGRESS_OBJECTS.map((o) => `${o} created\n`).join(''));
  p.out('Ingress is enabled\n');
  return done(p, cluster, 'ingress');
}

async function metallb(p: Proc, cluster: Cluster, arg: string): Promise<number> {
  p.out('Enabling MetalLB\n');
  let input = arg.trim();
  if (!input) {
    // `read -p` under `set -e`: at end of input the script stops right here with status 1.
    const line = await p.stdin.readLine();
    if (line === null) return 1;
    input = line.trim();
    if (!input) {
      p.out('You have to input an IP Range value when asked, or provide it as an argument to the enable command, eg:\n' +
        '  microk8s enable metallb 10.64.140.43-10.64.140.49,192.168.0.105-192.168.0.111\n' +
        'You can also use CIDR notation, eg.\n  microk8s enable metallb 192.168.1.240/24\n');
      return 1;
    }
  }
  const ranges = input.split(',').filter(Boolean);
  for (const r of ranges) {
    if (!REGEX_IPV4_RANGE.test(r) && !REGEX_IPV4_CIDR.test(r)) { p.out(`Your input value (${r}) is not a valid IP Range\n`); return 1; }
  }
  p.out('Applying Metallb manifest\n');
  p.out([...METALLB_CRDS, ...METALLB_OBJECTS].map((o) => `${o} created\n`).join(''));
  p.out('Waiting for Metallb controller to be ready.\n');
  await p.work('addonEnable');
  p.out('deployment.apps/controller condition met\n');
  p.out('ipaddresspool.metallb.io/default-addresspool created\nl2advertisement.metallb.io/default-advertise-all-pools created\nMetalLB is enabled\n');
  cluster.metallbRanges = ranges;
  cluster.store.put({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'default-addresspool', namespace: 'metallb-system' }, spec: { addresses: ranges } });
  return done(p, cluster, 'metallb', ` ${ranges.join(',')}`);
}

async function community(p: Proc): Promise<number> {
  await p.work('addonEnable');
  p.err("Cloning into '/var/snap/microk8s/common/addons/community'...\n");
  p.out('Community repository is now enabled\n');
  p.node.microk8s.communityRepo = true;
  p.effect('microk8s enable community');
  return 0;
}

const OPENEBS_HELP = 'Make sure iscsi is installed on all nodes.\nTo enable iscsid: \n      sudo systemctl enable iscsid\n' +
  'Please refer to the OpenEBS prerequisites (https://docs.openebs.io/docs/next/prerequisites.html)\n';

async function openebs(p: Proc, cluster: Cluster): Promise<number> {
  // The addon checks iscsid on the node it runs on only: `systemctl is-enabled iscsid | grep enabled`, then a bare `exit`.
  if (p.node.units.get('iscsid')?.enabled !== 'enabled') {
    p.out(`iscsid is not available or enabled.\n${OPENEBS_HELP}`);
    return 0;
  }
  p.err('Infer repository core for addon dns\n');
  p.out('Addon core/dns is already enabled\n');
  p.err('Infer repository core for addon helm3\n');
  p.out('Addon core/helm3 is already enabled\n');
  p.out('"openebs" has been added to your repositories\n');
  p.out('Hang tight while we grab the latest from your chart repositories...\n...Successfully got an update from the "openebs" chart repository\nUpdate Complete. ⎈Happy Helming!⎈\n');
  if (cluster.releases.has('openebs')) { p.err('Error: INSTALLATION FAILED: cannot re-use a name that is still in use\n'); return 1; }
  await p.work('openebsEnable');
  const now = Date.now();
  const release = {
    name: 'openebs', namespace: 'openebs', chart: 'openebs', chartVersion: '3.3.1', appVersion: '3.3.0', revision: 1, status: 'deployed' as const,
    firstDeployed: now, lastDeployed: now, values: '', description: 'Install complete',
  };
  cluster.releases.set('openebs', release);
  cluster.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'openebs' } });
  cluster.store.put(ndmConfigMap());
  cluster.store.put({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'openebs-ndm', namespace: 'openebs', labels: { app: 'openebs', component: 'ndm', release: 'openebs' } }, spec: { template: { metadata: { annotations: {} } } } });
  cluster.addons.add('openebs');
  startNdm(cluster, now);
  startOpenebsDeployments(cluster, release.chartVersion, now);
  p.out(`${helmTable(release)}NOTES:\nSuccessfully installed OpenEBS.\n\nCheck the status by running: kubectl get pods -n openebs\n\n` +
    'The default values will install NDM and enable OpenEBS hostpath and device\nstorage engines along with their default StorageClasses. Use `kubectl get sc`\nto see the list of installed OpenEBS StorageClasses.\n\n' +
    'For other engines, you will need to perform a few more additional steps to\nenable the engine, configure the engines (e.g. creating pools) and create\nStorageClasses.\n\n');
  p.out('OpenEBS is installed\n\n\n-----------------------\n\n' +
    'When using OpenEBS with a single node MicroK8s, it is recommended to use the openebs-hostpath StorageClass\n' +
    'An example of creating a PersistentVolumeClaim utilizing the openebs-hostpath StorageClass\n\n\n' +
    'kind: PersistentVolumeClaim\napiVersion: v1\nmetadata:\n  name: local-hostpath-pvc\nspec:\n  storageClassName: openebs-hostpath\n  accessModes:\n    - ReadWriteOnce\n  resources:\n    requests:\n      storage: 5G\n\n\n\n-----------------------\n\n' +
    'If you are planning to use OpenEBS with multi nodes, you can use the openebs-jiva-csi-default StorageClass.\n' +
    'An example of creating a PersistentVolumeClaim utilizing the openebs-jiva-csi-default StorageClass\n\n\n' +
    'kind: PersistentVolumeClaim\napiVersion: v1\nmetadata:\n  name: jiva-volume-claim\nspec:\n  storageClassName: openebs-jiva-csi-default\n  accessModes:\n    - ReadWriteOnce\n  resources:\n    requests:\n      storage: 5G\n\n');
  p.effect('microk8s enable openebs');
  return 0;
}
