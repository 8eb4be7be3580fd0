// `snap` as snapd 2.63 answers the installer: list (cmd/snap/cmd_list.go: Name Version Rev Tracking Publisher
// Notes), install microk8s (the tools script's), and refresh --channel (cmd/snap/cmd_snap_op.go: "<name>
// (<channel>) <version> from <publisher> refreshed"; no update: `snap "x" has no updates available`).
// An explicit `snap refresh <snap> --channel` refreshes a held snap too: holds apply to general and automatic
// refreshes only (snapd#12073), and the hold stays. A refresh restarts the snap's services: kubelite and dqlite
// stop, the node is NotReady and its voter away until they are back.
import type { Proc } from '../process';
import type { CommandDef } from './types';
import { SNAP_REVISION } from '../addons-data';
import { installMicrok8s } from './tools';
import { snapRefresh } from './snap-refresh';

const CHANNEL = /^(latest|\d+\.\d+)\/(stable|candidate|beta|edge)$/;

/** The version and revision a channel serves (1.32/stable -> v1.32.3; later minors have their own revisions). */
export function snapRelease(channel: string): { version: string; revision: number } {
  const minor = Number(/^1\.(\d+)\//.exec(channel)?.[1] ?? 32);
  return { version: `v1.${minor}.3`, revision: SNAP_REVISION + (minor - 32) * 311 };
}

function list(p: Proc, name: string | undefined): number {
  const node = p.node;
  if (name === 'microk8s' && !node.microk8s.installed) { p.err('error: no matching snaps installed\n'); return 1; }
  const r = snapRelease(node.microk8s.channel);
  const rows = [['Name', 'Version', 'Rev', 'Tracking', 'Publisher', 'Notes']];
  // notes.go: `held` joins the Notes when the snap has a general refresh hold.
  const held = (node.snapHolds.snaps.get('microk8s') ?? 0) > Date.now() ? ',held' : '';
  if (node.microk8s.installed) rows.push(['microk8s', r.version, String(r.revision), node.microk8s.channel, 'canonical\u2713', `classic${held}`]);
  if (name !== 'microk8s') rows.push(['snapd', '2.63', '21759', 'latest/stable', 'canonical\u2713', 'snapd']);
  const w = rows[0].map((_, i) => Math.max(5, ...rows.map((x) => x[i].length)));
  // tabwriter.NewWriter(Stdout, 5, 3, 2, ' ', 0): columns at least 5 wide, 2 spaces apart.
  p.out(rows.map((x) => x.map((c, i) => (i === x.length - 1 ? c : c.padEnd(w[i] + 2))).join('') + '\n').join(''));
  return 0;
}

async function refresh(p: Proc, args: string[]): Promise<number> {
  const node = p.node;
  // Holds and refresh times are snap-refresh.ts's; an explicit refresh of a held snap goes through (the hold stays).
  if (args.some((a) => /^--(hold|unhold|time)(=|$)/.test(a))) return snapRefresh(p, args);
  let channel: string | undefined;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--channel') channel = args[++i];
    else if (args[i].startsWith('--channel=')) channel = args[i].slice(10);
    else if (!args[i].startsWith('-')) names.push(args[i]);
  }
  if (!p.root) { p.err('error: access denied (try with sudo)\n'); return 1; }
  if (names.length !== 1 || names[0] !== 'microk8s' || !node.microk8s.installed) { p.err(`error: snap "${names[0] ?? ''}" is not installed\n`); return 1; }
  if (channel !== undefined && !CHANNEL.test(channel)) { p.err(`error: requested a non-existing branch on ${channel.split('/')[0]}/stable for snap "microk8s": ${channel}\n`); return 1; }
  const target = channel ?? node.microk8s.channel;
  if (target === node.microk8s.channel) { p.err('snap "microk8s" has no updates available\n'); return 0; }
  await p.work('toolsInstall');
  node.microk8s.channel = target;
  const r = snapRelease(target);
  p.effect(`snap refresh microk8s --channel=${target}`);
  // The services restart on the new revision: the API and kubelet come back after a start.
  const restartMs = p.world.latency.ms('microk8sStart');
  node.microk8s.readyAt = Date.now() + restartMs;
  node.microk8s.cluster?.registerKubelet(node, restartMs + p.world.latency.ms('nodeReady'));
  p.out(`microk8s (${target}) ${r.version} from Canonical\u2713 refreshed\n`);
  return 0;
}

async function snap(p: Proc): Promise<number> {
  const [verb, ...args] = p.argv.slice(1);
  if (verb === 'list') return list(p, args.find((a) => !a.startsWith('-')));
  if (verb === 'refresh') return refresh(p, args);
  if (verb === 'install' && args.includes('microk8s')) {
    if (!p.root) { p.err('error: access denied (try with sudo)\n'); return 1; }
    await installMicrok8s(p);
    return 0;
  }
  p.err(`error: unknown command "${verb ?? ''}", see 'snap help'.\n`);
  return 1;
}

export const SNAP: Record<string, CommandDef> = {
  snap: { path: '/usr/bin/snap', run: snap },
};
