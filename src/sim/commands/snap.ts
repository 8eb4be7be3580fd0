// snap (snapd 2.63's client): list with its Notes column, install microk8s (the tools script's way in), system
// options (set/get/unset system proxy.*; snapd writes them to /etc/environment too), refresh holds and
// `refresh --time`, `refresh --channel` (upgrade), and restart of a service. Formats: canonical/snapd
// cmd/snapd/cli; docs/commands.md. An explicit `snap refresh <snap> --channel` refreshes a held snap too: holds
// apply to general and automatic refreshes only (snapd#12073), and the hold stays. A refresh restarts the snap's
// services: kubelite and dqlite stop, the node is NotReady and its voter away until they are back.
import type { Proc } from '../process';
import type { CommandDef } from './types';
import { SNAP_REVISION } from '../addons-data';
import { installMicrok8s } from './tools';
import { removeSnap } from './snap-remove';

const FOREVER = Infinity;
const CHANNEL = /^(latest|\d+\.\d+)\/(stable|candidate|beta|edge)$/;

/** The version and revision a channel serves (1.32/stable -> v1.32.3; later minors have their own revisions). */
export function snapRelease(channel: string): { version: string; revision: number } {
  const minor = Number(/^1\.(\d+)\//.exec(channel)?.[1] ?? 32);
  return { version: `v1.${minor}.3`, revision: SNAP_REVISION + (minor - 32) * 311 };
}
/** Go's time.ParseDuration for what the installer sends: whole hours, minutes or seconds. */
const duration = (v: string): number | undefined => {
  const m = /^(\d+)(h|m|s)$/.exec(v);
  return m ? Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000 }[m[2] as 'h' | 'm' | 's'] : undefined;
};
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function held(p: Proc, snap: string): boolean {
  const until = p.node.snapd.holds.get(snap);
  return until !== undefined && until > Date.now();
}

function list(p: Proc, name: string | undefined): number {
  const node = p.node;
  if (name === 'microk8s' && !node.microk8s.installed) { p.err('error: no matching snaps installed\n'); return 1; }
  const r = snapRelease(node.microk8s.channel);
  const rows = [['Name', 'Version', 'Rev', 'Tracking', 'Publisher', 'Notes']];
  // notes.go: `held` joins the Notes when the snap has a general refresh hold.
  const notes = ['classic', ...(held(p, 'microk8s') ? ['held'] : [])].join(',');
  if (node.microk8s.installed) rows.push(['microk8s', r.version, String(r.revision), node.microk8s.channel, 'canonical\u2713', notes]);
  if (name !== 'microk8s') rows.push(['snapd', '2.63', '21759', 'latest/stable', 'canonical\u2713', 'snapd']);
  const w = rows[0].map((_, i) => Math.max(5, ...rows.map((x) => x[i].length)));
  // tabwriter.NewWriter(Stdout, 5, 3, 2, ' ', 0): columns at least 5 wide, 2 spaces apart.
  p.out(rows.map((x) => x.map((c, i) => (i === x.length - 1 ? c : c.padEnd(w[i] + 2))).join('') + '\n').join(''));
  return 0;
}

/** `snap set system k=v k2!` in one transaction; proxy options also land in /etc/environment (configcore/proxy.go). */
function setSystem(p: Proc, args: string[], unset: boolean): number {
  if (!p.root) { p.err('error: access denied (try with sudo)\n'); return 1; }
  const { system } = p.node.snapd;
  for (const a of args) {
    const m = unset ? /^([a-z][a-z0-9.-]*)$/.exec(a) : /^([a-z][a-z0-9.-]*)(=(.*)|!)$/s.exec(a);
    if (!m) { p.err(`error: invalid configuration: "${a}" (want key=value)\n`); return 1; }
    if (unset || m[2] === '!' || m[3] === '') system.delete(m[1]); else system.set(m[1], m[3]);
  }
  const env = (p.readFile('/etc/environment') ?? 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin"\n')
    .split('\n').filter((l) => l !== '' && !/^(http_proxy|https_proxy|ftp_proxy|no_proxy)=/.test(l));
  for (const [key, opt] of [['http_proxy', 'proxy.http'], ['https_proxy', 'proxy.https'], ['no_proxy', 'proxy.no-proxy']]) {
    const v = system.get(opt);
    if (v) env.push(`${key}=${v}`);
  }
  p.writeFile('/etc/environment', `${env.join('\n')}\n`, 0o644);
  p.effect(`snap ${unset ? 'unset' : 'set'} system ${args.join(' ')}`);
  return 0;
}

function getSystem(p: Proc, key: string | undefined): number {
  const v = key ? p.node.snapd.system.get(key) : undefined;
  if (v === undefined) { p.err(`error: snap "core" has no "${key ?? ''}" configuration option\n`); return 1; }
  p.out(`${v}\n`);
  return 0;
}

/** `refresh --hold[=D] SNAP`, `--unhold SNAP`, `--time [--abs-time]`, `--channel=C SNAP` (cmd_snap_op.go). */
async function refresh(p: Proc, args: string[]): Promise<number> {
  let channel: string | undefined;
  const snaps: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--channel') channel = args[++i];
    else if (args[i].startsWith('--channel=')) channel = args[i].slice('--channel='.length);
    else if (!args[i].startsWith('-')) snaps.push(args[i]);
  }
  const hold = args.find((a) => a === '--hold' || a.startsWith('--hold='));
  if (args.includes('--time')) {
    p.out('timer: 00:00~24:00/4\n');
    p.out(`last: ${rfc3339(p.node.bootedAt - 3_600_000)}\n`);
    p.out(`next: ${rfc3339(p.node.bootedAt + 4 * 3_600_000)}\n`);
    return 0;
  }
  if (!p.root) { p.err('error: access denied (try with sudo)\n'); return 1; }
  if (snaps.length !== 1 || snaps[0] !== 'microk8s' || !p.node.microk8s.installed) {
    p.err(`error: snap "${snaps[0] ?? ''}" is not installed\n`);
    return 1;
  }
  if (hold) {
    const value = hold === '--hold' ? 'forever' : hold.slice('--hold='.length);
    const ms = value === 'forever' ? FOREVER : duration(value);
    if (ms === undefined) { p.err(`error: hold value must be a number of hours, minutes or seconds, or "forever": time: invalid duration "${value}"\n`); return 1; }
    const until = ms === FOREVER ? FOREVER : Date.now() + ms;
    p.node.snapd.holds.set('microk8s', until);
    p.out(`General refreshes of "microk8s" held ${until === FOREVER ? 'indefinitely' : `until ${rfc3339(until)}`}\n`);
    p.effect(`snap refresh --hold=${value} microk8s`);
    return 0;
  }
  if (args.includes('--unhold')) {
    p.node.snapd.holds.delete('microk8s');
    p.out('Removed general refresh hold of "microk8s"\n');
    p.effect('snap refresh --unhold microk8s');
    return 0;
  }
  return refreshChannel(p, channel);
}

async function refreshChannel(p: Proc, channel: string | undefined): Promise<number> {
  const node = p.node;
  if (channel !== undefined && !CHANNEL.test(channel)) {
    p.err(`error: requested a non-existing branch on ${channel.split('/')[0]}/stable for snap "microk8s": ${channel}\n`);
    return 1;
  }
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
  const name = args.find((a) => !a.startsWith('-'));
  switch (verb) {
    case 'list': return list(p, name);
    case 'remove': return removeSnap(p, name);
    case 'install':
      if (name !== 'microk8s') break;
      if (!p.root) { p.err('error: access denied (try with sudo)\n'); return 1; }
      return (await installMicrok8s(p)) ? 0 : 1;
    case 'set': case 'unset':
      if (name !== 'system') break;
      return setSystem(p, args.slice(1), verb === 'unset');
    case 'get':
      if (name !== 'system') break;
      return getSystem(p, args[1]);
    case 'refresh': return refresh(p, args);
    case 'restart': {
      if (!p.root) { p.err('error: access denied (try with sudo)\n'); return 1; }
      if (name !== 'microk8s.daemon-containerd' || !p.node.microk8s.installed) { p.err(`error: snap "${name ?? ''}" not found\n`); return 1; }
      await p.work('command');
      p.out('Restarted.\n');
      p.effect(`snap restart ${name}`);
      return 0;
    }
    default: break;
  }
  p.err(`error: unknown command "${verb ?? ''}", see 'snap help'.\n`);
  return 1;
}

export const SNAP: Record<string, CommandDef> = { snap: { path: '/usr/bin/snap', run: snap } };
