// `microk8s` as the 1.32 snap answers: the wrappers (microk8s-resources/wrappers/*.wrapper), status.py,
// add_token.py and join.py from canonical/microk8s, and the cluster agent's join errors
// (canonical/microk8s-cluster-agent pkg/api/v2/join.go). Subcommands enable/kubectl/helm3 live in
// their own files.
import { inspect } from './inspect';
import type { Proc } from '../process';
import type { CommandDef } from './types';
import { SNAP_REVISION } from '../addons-data';
import { NOT_RUNNING, NO_PERMISSION, addonEnabled, availableAddons, clusterReady, waitReady } from './microk8s-state';
import { joinCluster } from '../cluster-state';
import { transientOutput } from '../faults';
import { enable } from './addons';
import { kubectl } from './kubectl';
import { helm } from './helm';
import { CLUSTER_TOKENS, consumeClusterToken } from '../cluster-tokens';
import { removeNode } from './microk8s-remove-node';
import { refreshCerts } from './microk8s-refresh-certs';
import { stopOrStart } from './microk8s-stop-start';
import { dbctl } from './microk8s-dbctl';
import { leave } from './microk8s-leave';
import { disable } from './addons-disable';

async function status(p: Proc, args: string[]): Promise<number> {
  const node = p.node;
  let addon = 'all';
  let wait = false;
  let timeout = 0;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-a' || args[i] === '--addon') addon = args[++i] ?? '';
    else if (args[i] === '-w' || args[i] === '--wait-ready') wait = true;
    else if (args[i] === '-t' || args[i] === '--timeout') timeout = Number(args[++i]);
    else if (args[i] === '--format') i++;
  }
  await p.work('command');
  const ready = wait ? await waitReady(p, timeout) : clusterReady(node);
  const addons = availableAddons(node).filter((a) => addon === 'all' || a.name === addon);
  const enabled = ready ? addons.filter((a) => addonEnabled(node, a.name)) : [];
  const disabled = ready ? addons.filter((a) => !addonEnabled(node, a.name)) : [];
  if (addon !== 'all') {
    p.out(enabled.length ? 'enabled\n' : 'disabled\n');
    return ready ? 0 : 1;
  }
  if (!ready) { p.out(NOT_RUNNING); return 1; }
  const c = node.microk8s.cluster!;
  const ds = c.datastore();
  const row = (a: { repo: string; name: string; description: string }) => `    ${a.name.padEnd(20)} # (${a.repo}) ${a.description}\n`;
  p.out('microk8s is running\n' +
    `high-availability: ${ds.masters.length > 2 ? 'yes' : 'no'}\n` +
    `  datastore master nodes: ${ds.masters.join(' ') || 'none'}\n` +
    `  datastore standby nodes: ${ds.standbys.join(' ') || 'none'}\n` +
    'addons:\n' +
    (enabled.length ? `  enabled:\n${enabled.map(row).join('')}` : '') +
    (disabled.length ? `  disabled:\n${disabled.map(row).join('')}` : ''));
  return 0;
}

async function addNode(p: Proc, args: string[]): Promise<number> {
  const node = p.node;
  if (node.isWorker()) { p.out('This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s add-node on the master.\n'); return 1; }
  if (!p.root) { p.out('Elevated permissions is needed for this operation. Please run this command with sudo.\n'); return 50; }
  let token: string | undefined;
  let ttl = -1;
  let format = 'pretty';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--token' || args[i] === '-t') token = args[++i];
    else if (args[i] === '--token-ttl' || args[i] === '-l') ttl = Number(args[++i]);
    else if (args[i] === '--format') format = args[++i];
    else if (args[i].startsWith('--format=')) format = args[i].slice(9);
    else { p.err(`usage: microk8s add-node [-h] [--token-ttl TOKEN_TTL] [--token TOKEN] [--format {pretty,short,token,token-check,json,yaml}]\nmicrok8s add-node: error: unrecognized arguments: ${args[i]}\n`); return 2; }
  }
  if (!['pretty', 'short', 'token', 'token-check', 'json', 'yaml'].includes(format)) {
    p.err(`microk8s add-node: error: argument --format: invalid choice: '${format}'\n`);
    return 2;
  }
  await p.work('command');
  token = token ?? p.world.rng.hex(32);
  if (token.length < 32) { p.out('Invalid token size.  It must be 32 characters long.\n'); return 1; }
  // add_token_with_expiry: appends `<token>` (ttl -1: single use) or `<token>|<expiry seconds>`; the wrapper
  // touches the file first and leaves it ug+rw, o-rwX.
  const line = ttl === -1 ? `${token}\n` : `${token}|${Math.round(Date.now() / 1000) + ttl}\n`;
  const old = node.files.get(CLUSTER_TOKENS);
  p.writeFile(CLUSTER_TOKENS, (old?.content ?? '') + line, 0o660);
  const check = node.microk8s.certCheck.slice(0, 12);
  const ips = node.addresses.map((a) => a.cidr.split('/')[0]);
  const def = ips[0] ?? node.address;
  const url = (ip: string) => `${ip}:25000/${token}/${check}`;
  if (format === 'short') p.out([def, ...ips].map((ip) => `microk8s join ${url(ip)}\n`).join(''));
  else if (format === 'token-check') p.out(`${token}/${check}\n`);
  else if (format === 'token') p.out(`${token}\n`);
  else if (format === 'json') p.out(`${JSON.stringify({ token: `${token}/${check}`, urls: ips.map(url) }, null, 2)}\n`);
  else if (format === 'yaml') p.out(`token: ${token}/${check}\nurls:\n${ips.map((ip) => `- ${url(ip)}\n`).join('')}\n`);
  else {
    p.out(`From the node you wish to join to this cluster, run the following:\nmicrok8s join ${url(def)}\n\n` +
      "Use the '--worker' flag to join a node as a worker not running the control plane, eg:\n" +
      `microk8s join ${url(def)} --worker\n\n` +
      'If the node you are adding is not reachable through the default interface you can use one of the following:\n' +
      ips.map((ip) => `microk8s join ${url(ip)}\n`).join(''));
  }
  return 0;
}

async function join(p: Proc, args: string[]): Promise<number> {
  const node = p.node;
  if (!p.root) { p.out(NO_PERMISSION(p.world.user)); return 1; }
  const worker = args.includes('--worker');
  const skipVerify = args.includes('--skip-verify');
  const connection = args.find((a) => !a.startsWith('-'));
  if (!connection) { p.err('Usage: microk8s join [OPTIONS] CONNECTION\nTry \'microk8s join -h\' for help.\n\nError: Missing argument \'CONNECTION\'.\n'); return 2; }
  const [endpoint, token = '', fingerprint] = connection.split('/');
  const ip = endpoint.split(':')[0];
  const target = p.world.nodeByAddress(ip);
  await p.work('command');
  const agentUp = target && target.phase === 'up' && target.microk8s.installed && Date.now() >= target.microk8s.readyAt;
  if (!agentUp) {
    const r = transientOutput('join-not-ready', '', { contact: ip });
    p.out(r.stdout);
    p.err(r.stderr);
    return r.code;
  }
  p.out(`Contacting cluster at ${ip}\n`);
  if (fingerprint !== undefined && !skipVerify) {
    if (fingerprint.length < 12) { p.out("Joining cluster failed. Fingerprint too short. Use '--skip-verify' to skip server certificate check.\n"); return 4; }
    if (!target.microk8s.certCheck.startsWith(fingerprint)) {
      p.out(`Joining cluster failed. Could not verify the identity of ${ip}. Use '--skip-verify' to skip server certificate check.\n`);
      return 4;
    }
  }
  // The agent consumes the token before any other check (microk8s#4513).
  const fail = (msg: string, code: number) => { p.out(`Connection failed. ${msg} (${code}).\n`); return 6; };
  if (!consumeClusterToken(target, token)) return fail('invalid token', 500);
  if (node.address === ip || node.addresses.some((a) => a.cidr.split('/')[0] === ip)) return fail(`the joining node has the same IP (${ip}) as the node we contact`, 503);
  const cluster = target.microk8s.cluster!;
  if (target.isWorker()) return fail('not possible to join. This is not an HA MicroK8s cluster', 501);
  const existing = cluster.members.get(node.name);
  if (existing && existing.role !== 'worker' && !worker) return fail(`failed to retrieve dqlite cluster nodes: the joining node (${node.address}) is already known to dqlite`, 500);
  const joinMs = p.world.latency.ms('join');
  if (worker) {
    await p.sleep(joinMs);
    joinCluster(cluster, node, true, p.world.latency.ms('nodeReady'));
    p.effect(`microk8s join ${node.name} -> ${cluster.primary.name} as worker`);
    p.out('\nThe node has joined the cluster and will appear in the nodes list in a few seconds.\n\n' +
      'This worker node gets automatically configured with the API server endpoints.\n' +
      "If the API servers are behind a loadbalancer please set the '--refresh-interval' to '0s' in:\n" +
      '    /var/snap/microk8s/current/args/apiserver-proxy\n' +
      'and replace the API server endpoints with the one provided by the loadbalancer in:\n' +
      '    /var/snap/microk8s/current/args/traefik/provider.yaml\n\n' +
      'Successfully joined the cluster.\n');
    return 0;
  }
  p.out('Waiting for this node to finish joining the cluster. ');
  for (let i = 0; i < 3; i++) { await p.sleep(joinMs / 3); p.out('.. '); }
  joinCluster(cluster, node, false, p.world.latency.ms('nodeReady'));
  p.effect(`microk8s join ${node.name} -> ${cluster.primary.name} as control-plane`);
  p.out(' \nSuccessfully joined the cluster.\n');
  return 0;
}

async function microk8s(p: Proc): Promise<number> {
  const [sub, ...args] = p.argv.slice(1);
  const node = p.node;
  const clustered = node.isWorker();
  switch (sub) {
    case 'status':
      if (clustered) { p.out('This MicroK8s deployment is acting as a node in a cluster.\nPlease use the control plane node.\n'); return 0; }
      if (!p.root) { p.out(NO_PERMISSION(p.world.user)); return 1; }
      return status(p, args);
    case 'add-node': return addNode(p, args);
    case 'remove-node': return removeNode(p, args);
    case 'refresh-certs':
      if (clustered) { p.out('This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s refresh-certs command on the master\nand then return to this node to perform a microk8s leave and re-join.\n'); return 0; }
      return refreshCerts(p, args);
    case 'join': return join(p, args);
    case 'dbctl': return dbctl(p, args);
    case 'enable': return enable(p, args);
    case 'stop': case 'start': return stopOrStart(p, sub);
    case 'disable': return disable(p, args);
    case 'leave': return leave(p);
    case 'kubectl':
      if (clustered) { p.out('This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s kubectl on the master.\n'); return 0; }
      if (!p.root) { p.out(NO_PERMISSION(p.world.user)); return 1; }
      return kubectl(p, args);
    case 'helm3': case 'helm':
      if (clustered) { p.out('This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s helm on the master.\n'); return 0; }
      return helm(p, args);
    case 'inspect': return inspect(p);
    case 'version':
      p.out(`MicroK8s v1.32.3 revision ${SNAP_REVISION}\n`);
      return 0;
    default:
      p.out('Available subcommands are:\n\tadd-node\n\taddons\n\tconfig\n\tctr\n\tdisable\n\tenable\n\thelm\n\thelm3\n\tjoin\n\tkubectl\n\tleave\n\trefresh-certs\n\tremove-node\n\treset\n\tstart\n\tstatus\n\tstop\n\tinspect\n');
      return sub === undefined || sub === 'help' ? 0 : 1;
  }
}

export const MICROK8S: Record<string, CommandDef> = {
  microk8s: { path: '/snap/bin/microk8s', run: microk8s, available: (n) => n.microk8s.installed },
};
