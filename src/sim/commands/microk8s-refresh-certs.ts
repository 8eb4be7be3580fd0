// `microk8s refresh-certs` as canonical/microk8s scripts/wrappers/refresh_certs.py answers: --check prints the
// days left of the three certificates; --cert server.crt|front-proxy-client.crt backs up, regenerates and
// restarts kubelite (and the cluster agent for server.crt), so the node is NotReady for a moment;
// --cert ca.crt replaces the CA (workers must then re-join: we refuse it in the simulator's model, see docs).
import type { Proc } from '../process';
import { SNAP_REVISION } from '../addons-data';
import { certNotAfter } from './health-reads';

const NAMES: Record<string, string> = { 'ca.crt': 'CA', 'server.crt': 'server', 'front-proxy-client.crt': 'front proxy client' };
const DAY = 86_400_000;

export async function refreshCerts(p: Proc, args: string[]): Promise<number> {
  const node = p.node;
  const check = args.includes('-c') || args.includes('--check');
  const i = args.findIndex((a) => a === '-e' || a === '--cert');
  const cert = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--cert='))?.slice(7);
  if (i >= 0 && (!cert || !(cert in NAMES))) {
    p.err(`Usage: microk8s refresh-certs [OPTIONS] [CA_DIR]\nTry 'microk8s refresh-certs -h' for help.\n\nError: Invalid value for '-e' / '--cert': '${cert ?? ''}' is not one of 'ca.crt', 'server.crt', 'front-proxy-client.crt'.\n`);
    return 2;
  }
  if (check && cert) { p.out('Please select only one of the options -c, -u or -e.\n'); return 2; }
  // common/utils.py exit_if_no_root()
  if (!p.root) { p.out('Elevated permissions is needed for this operation. Please run this command with sudo.\n'); return 50; }
  if (check) {
    for (const file of Object.keys(NAMES)) p.out(`The ${NAMES[file]} certificate will expire in ${Math.floor((certNotAfter(node, file)! - Date.now()) / DAY)} days.\n`);
    return 0;
  }
  if (!cert) {
    p.out("Please use the '--cert' flag to select the certificate you need refreshed.\n\nAvailable certificate options:\n" +
      "'server.crt': refreshes the server certificate\n'front-proxy-client.crt': refreshes the front proxy client certificate\n" +
      "'ca.crt': refreshes the root CA and all certificates created from it.\n            Warning: refreshing the root CA requires nodes to leave and re-join the cluster\n");
    return 3;
  }
  p.out(`Taking a backup of the current certificates under /var/snap/microk8s/${SNAP_REVISION}/certs-backup/\nCreating new certificates\n`);
  await p.work('command');
  certNotAfter(node, cert);
  node.health.certNotAfter.set(cert, Math.floor((Date.now() + (cert === 'ca.crt' ? 3650 : 365) * DAY) / 1000) * 1000);
  p.effect(`refresh-certs ${cert}`);
  // restart("kubelite") (and "cluster-agent" for server.crt): the API and kubelet come back after a start.
  const restartMs = p.world.latency.ms('microk8sStart');
  node.microk8s.readyAt = Date.now() + restartMs;
  node.microk8s.cluster?.registerKubelet(node, restartMs + p.world.latency.ms('nodeReady'));
  p.out('Restarting service kubelite.\n');
  if (cert === 'server.crt') p.out('Restarting service cluster-agent.\n');
  return 0;
}
