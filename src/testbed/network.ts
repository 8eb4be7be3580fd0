// The testbed's own network: a namespace holding a bridge and a DHCP server (dnsmasq), and one veth from the
// host into it, so the host (the worker, the apt proxy, the tools server) talks to the nodes directly on a
// private subnet while nothing in the namespace can reach anything else. No NAT, no forwarding.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { inNetns, run, tryRun } from './exec';

export interface NetworkPlan {
  netns: string;
  bridge: string;
  /** The host's end of the veth (in the host's namespace) and its peer on the bridge. */
  hostVeth: string;
  peerVeth: string;
  /** /24 prefix, e.g. 10.213.7 */
  prefix: string;
  hostAddress: string;
  bridgeAddress: string;
  virtualIp: string;
  dhcpFirst: string;
  dhcpLast: string;
}

export function networkPlan(prefix = '10.213.7', tag = 'kstb'): NetworkPlan {
  return {
    netns: tag, bridge: `${tag}-br`, hostVeth: `${tag}-host`, peerVeth: `${tag}-peer`, prefix,
    hostAddress: `${prefix}.1`, bridgeAddress: `${prefix}.2`, virtualIp: `${prefix}.50`, dhcpFirst: `${prefix}.100`, dhcpLast: `${prefix}.199`,
  };
}

/** Refuses a prefix that is already routed here: the testbed must not shadow a real network. */
function checkPrefixFree(plan: NetworkPlan): void {
  const routes = run(['ip', '-4', '-o', 'addr']);
  if (routes.includes(` ${plan.prefix}.`)) {
    throw new Error(`${plan.prefix}.0/24 is already on an interface of this machine (ip -4 addr): a testbed may still be up ` +
      '(run `kloudspot-installer testbed down`), or that range is in use here');
  }
}

export function createNetwork(plan: NetworkPlan): void {
  checkPrefixFree(plan);
  run(['ip', 'netns', 'add', plan.netns]);
  const ns = (argv: string[]) => run(inNetns(plan.netns, argv));
  ns(['ip', 'link', 'set', 'lo', 'up']);
  ns(['ip', 'link', 'add', plan.bridge, 'type', 'bridge']);
  ns(['ip', 'addr', 'add', `${plan.bridgeAddress}/24`, 'dev', plan.bridge]);
  ns(['ip', 'link', 'set', plan.bridge, 'up']);
  run(['ip', 'link', 'add', plan.hostVeth, 'type', 'veth', 'peer', 'name', plan.peerVeth, 'netns', plan.netns]);
  run(['ip', 'addr', 'add', `${plan.hostAddress}/24`, 'dev', plan.hostVeth]);
  run(['ip', 'link', 'set', plan.hostVeth, 'up']);
  ns(['ip', 'link', 'set', plan.peerVeth, 'master', plan.bridge]);
  ns(['ip', 'link', 'set', plan.peerVeth, 'up']);
}

/** Removes the namespace (its bridge and every veth end in it go with it) and the host's veth. */
export function removeNetwork(plan: Pick<NetworkPlan, 'netns' | 'hostVeth'>): void {
  tryRun(['ip', 'link', 'del', plan.hostVeth]);
  tryRun(['ip', 'netns', 'del', plan.netns]);
}

/** dnsmasq as DHCP server only (port=0: no DNS), on the bridge, leases kept in the run directory. */
export function startDhcp(plan: NetworkPlan, dir: string): ChildProcess {
  const log = openSync(join(dir, 'dnsmasq.log'), 'a');
  const argv = inNetns(plan.netns, [
    'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--user=root', '--port=0',
    `--interface=${plan.bridge}`, '--bind-interfaces', `--dhcp-range=${plan.dhcpFirst},${plan.dhcpLast},255.255.255.0,1h`,
    `--dhcp-option=option:router,${plan.hostAddress}`, `--dhcp-option=option:dns-server,${plan.hostAddress}`,
    `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`, '--log-dhcp', '--log-facility=-',
  ]);
  return spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', log, log] });
}
