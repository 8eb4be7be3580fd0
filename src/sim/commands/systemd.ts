// systemd (249 on 22.04): systemctl, systemd-run timers, reboot; and netplan (0.106) generate/apply,
// which recompute the interface's addresses from /etc/netplan/*.yaml.
import * as yaml from 'js-yaml';
import type { Proc } from '../process';
import type { CommandDef } from './types';
import type { SimNode } from '../node-state';
import { shellJoin } from '../../activities/commands/sh';

const POLKIT = 'Interactive authentication required.';
const unitName = (u: string) => u.replace(/\.service$/, '');

async function systemctl(p: Proc): Promise<number> {
  const a = p.argv.slice(1).filter((x) => x !== '--no-pager' && x !== '-q' && x !== '--quiet');
  const now = a.includes('--now');
  const [verb, ...rest] = a.filter((x) => x !== '--now' && x !== '--wait');
  const node = p.node;
  const unit = rest[0] ? unitName(rest[0]) : '';
  const u = node.units.get(unit);
  switch (verb) {
    case 'is-enabled':
      if (!u) { p.err(`Failed to get unit file state for ${unit}.service: No such file or directory\n`); return 1; }
      p.out(`${u.enabled}\n`);
      return u.enabled === 'disabled' ? 1 : 0;
    case 'is-active':
      p.out(`${u?.active ? 'active' : 'inactive'}\n`);
      return u?.active ? 0 : 3;
    case 'is-system-running': {
      const startup = node.bootedAt + p.world.latency.ms('microk8sStart') / 2;
      if (Date.now() < startup) {
        if (!a.includes('--wait')) { p.out('starting\n'); return 1; }
        await p.sleep(startup - Date.now());
      }
      p.out('running\n');
      return 0;
    }
    case 'enable': case 'disable': case 'start': case 'stop': case 'restart': {
      if (!p.root) { p.err(`Failed to ${verb} unit: ${POLKIT}\n`); return 1; }
      if (unit.endsWith('.timer') && (verb === 'stop')) {
        const t = node.timers.get(unit.replace(/\.timer$/, ''));
        if (t) {
          clearTimeout(t.handle);
          node.timers.delete(unit.replace(/\.timer$/, ''));
          if (t.state === 'waiting') p.effect(`systemctl stop ${unit}`);
        }
        return 0;
      }
      if (!u) { p.err(`Failed to ${verb} ${unit}.service: Unit ${unit}.service not found.\n`); return verb === 'enable' || verb === 'disable' ? 1 : 5; }
      await p.work('command');
      if (verb === 'enable' && u.enabled === 'disabled') {
        p.err(`Synchronizing state of ${unit}.service with SysV service script with /lib/systemd/systemd-sysv-install.\n` +
          `Executing: /lib/systemd/systemd-sysv-install enable ${unit}\n` +
          `Created symlink /etc/systemd/system/sysinit.target.wants/${unit}.service → /lib/systemd/system/${unit}.service.\n`);
        u.enabled = 'enabled';
        p.effect(`systemctl enable ${unit}`);
      }
      if (verb === 'disable' && u.enabled === 'enabled') {
        p.err(`Removed /etc/systemd/system/sysinit.target.wants/${unit}.service.\n`);
        u.enabled = 'disabled';
        p.effect(`systemctl disable ${unit}`);
      }
      if ((verb === 'start' || (now && verb === 'enable')) && !u.active) { u.active = true; p.effect(`systemctl start ${unit}`); }
      if ((verb === 'stop' || (now && verb === 'disable')) && u.active) { u.active = false; p.effect(`systemctl stop ${unit}`); }
      if (verb === 'restart') { u.active = true; p.effect(`systemctl restart ${unit}`); }
      return 0;
    }
    case 'show': return show(p, rest);
    case 'reset-failed': return resetFailed(p, rest);
    case 'reboot': return reboot(p);
    case 'daemon-reload': return p.root ? 0 : (p.err(`Failed to reload daemon: ${POLKIT}\n`), 1);
    default:
      p.err(`Unknown command verb ${verb ?? ''}.\n`);
      return 1;
  }
}

/** The state of a unit as `systemctl show -p ActiveState -p SubState [--value] UNIT` prints it. */
function unitState(node: SimNode, unit: string): { LoadState: string; ActiveState: string; SubState: string } {
  if (unit.endsWith('.timer')) {
    const t = node.timers.get(unit.slice(0, -6));
    if (!t) return { LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead' };
    return { LoadState: 'loaded', ActiveState: 'active', SubState: t.state };
  }
  const name = unitName(unit);
  if (node.failedServices.has(name)) return { LoadState: 'loaded', ActiveState: 'failed', SubState: 'failed' };
  if (node.runningServices.has(name)) return { LoadState: 'loaded', ActiveState: 'active', SubState: 'running' };
  const u = node.units.get(name);
  if (!u) return { LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead' };
  return { LoadState: 'loaded', ActiveState: u.active ? 'active' : 'inactive', SubState: u.active ? 'running' : 'dead' };
}

function show(p: Proc, args: string[]): number {
  const props: string[] = [];
  let value = false;
  const units: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-p' || args[i] === '--property') props.push(...args[++i].split(','));
    else if (args[i].startsWith('--property=')) props.push(...args[i].slice(11).split(','));
    else if (/^-p./.test(args[i])) props.push(...args[i].slice(2).split(','));
    else if (args[i] === '--value') value = true;
    else units.push(args[i]);
  }
  for (const u of units) {
    const st = unitState(p.node, u.includes('.') ? u : `${u}.service`) as Record<string, string>;
    const wanted = props.length ? props : Object.keys(st);
    p.out(wanted.filter((k) => k in st).map((k) => (value ? `${st[k]}\n` : `${k}=${st[k]}\n`)).join(''));
  }
  return 0;
}

function resetFailed(p: Proc, args: string[]): number {
  if (!p.root) { p.err(`Failed to reset failed state of unit ${args[0] ?? ''}: ${POLKIT}\n`); return 1; }
  let status = 0;
  for (const u of args) {
    const full = u.includes('.') ? u : `${u}.service`;
    const st = unitState(p.node, full);
    if (st.LoadState === 'not-found') { p.err(`Failed to reset failed state of unit ${full}: Unit ${full} not loaded.\n`); status = 1; continue; }
    if (full.endsWith('.service')) p.node.failedServices.delete(unitName(full));
  }
  return status;
}

async function reboot(p: Proc): Promise<number> {
  if (!p.root) {
    p.err(`Failed to set wall message, ignoring: ${POLKIT}\nFailed to reboot system via logind: ${POLKIT}\nFailed to start reboot.target: ${POLKIT}\n` +
      "See system logs and 'systemctl status reboot.target' for details.\n");
    return 1;
  }
  p.effect(`reboot [boot ${p.node.bootCount}]`);
  // systemd stops sshd with everything else: the session is cut before the command can report.
  setTimeout(() => p.world.reboot(p.node, `${p.argv.join(' ')}`), 20);
  await p.sleep(Infinity);
  return 0;
}

let runCounter = 100;

const TRUE = ['1', 'yes', 'y', 'true', 't', 'on'];

async function systemdRun(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  let onActive: number | undefined;
  let unit: string | undefined;
  let remainAfterElapse = true;
  let i = 0;
  for (; i < a.length && a[i].startsWith('-'); i++) {
    if (a[i] === '--') { i++; break; }
    const m = /^--(on-active|unit|timer-property)=(.*)$/.exec(a[i]);
    const timerProp = m?.[1] === 'timer-property' ? m[2] : a[i] === '--timer-property' ? a[++i] : undefined;
    if (timerProp !== undefined) {
      const [k, v] = timerProp.split('=');
      if (k === 'RemainAfterElapse') remainAfterElapse = TRUE.includes((v ?? '').toLowerCase());
    } else if (m?.[1] === 'on-active') onActive = parseFloat(m[2]);
    else if (m?.[1] === 'unit') unit = m[2];
    else if (a[i] === '--unit' || a[i] === '-u') unit = a[++i];
    else if (a[i] === '--on-active') onActive = parseFloat(a[++i]);
  }
  const cmd = a.slice(i);
  if (cmd.length === 0) { p.err('Command line to execute required.\n'); return 1; }
  const kind = onActive !== undefined ? 'timer' : 'service';
  if (!p.root) { p.err(`Failed to start transient ${kind} unit: ${POLKIT}\n`); return 1; }
  const name = (unit ?? `run-u${++runCounter}`).replace(/\.(service|timer)$/, '');
  const node = p.node;
  // A timer that is waiting, or elapsed and kept loaded (RemainAfterElapse=yes), still holds its name; so does a
  // failed service until reset-failed (systemd 249 src/core/dbus-manager.c transient_unit_from_message).
  if (kind === 'timer' && node.timers.has(name)) { p.err(`Failed to start transient timer unit: Unit ${name}.timer already exists.\n`); return 1; }
  if (node.failedServices.has(name)) { p.err(`Failed to start transient ${kind} unit: Unit ${name}.service already exists.\n`); return 1; }
  const text = shellJoin(cmd);
  const runService = async () => {
    const boot = node.bootCount;
    node.runningServices.add(name);
    const code = await p.world.runDetached(node, text).finally(() => node.runningServices.delete(name));
    // A reboot forgets every transient unit, the one that asked for it included.
    if (code !== 0 && node.bootCount === boot && node.phase !== 'down') node.failedServices.add(name);
  };
  if (onActive === undefined) {
    p.err(`Running as unit: ${name}.service\n`);
    p.effect(`systemd-run ${name}.service: ${text} [boot ${node.bootCount}]`);
    setTimeout(() => void runService(), 1);
    return 0;
  }
  const ms = p.world.latency.seconds(onActive);
  const fire = () => {
    const t = node.timers.get(name);
    if (!t || t.state !== 'waiting') return;
    if (t.remainAfterElapse) { t.state = 'elapsed'; t.handle = undefined; } else node.timers.delete(name);
    void runService();
  };
  node.timers.set(name, { fireAt: Date.now() + ms, command: text, handle: setTimeout(fire, ms), state: 'waiting', remainAfterElapse });
  p.err(`Running timer as unit: ${name}.timer\nWill run service as unit: ${name}.service\n`);
  p.effect(`systemd-run ${name}.timer: ${text} [boot ${node.bootCount}]`);
  return 0;
}

const truthy = (v: unknown) => ['true', 'yes', 'on', 'y'].includes(String(v).toLowerCase());

/**
 * netplan-generate(8) "HANDLING MULTIPLE FILES": files in lexical order; scalars overwritten, sequences
 * concatenated (new values appended), mappings merged by the same rules.
 */
export function netplanMerge(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(from)) {
    const old = into[k];
    if (Array.isArray(old) && Array.isArray(v)) into[k] = [...old, ...v];
    else if (old && v && typeof old === 'object' && typeof v === 'object' && !Array.isArray(old) && !Array.isArray(v)) {
      into[k] = netplanMerge({ ...(old as Record<string, unknown>) }, v as Record<string, unknown>);
    } else into[k] = Array.isArray(v) ? [...v] : v && typeof v === 'object' ? netplanMerge({}, v as Record<string, unknown>) : v;
  }
  return into;
}

export interface NetplanResult {
  addresses: { cidr: string; dynamic: boolean }[];
  /** Default routes as networkd configures them: one per `routes: - to: default` entry (and gateway4). */
  defaultRoutes: string[];
  /** The merged configuration, as `netplan get` prints it. */
  merged: Record<string, unknown>;
  warnings: string[];
  error?: string;
}

/** Reads /etc/netplan/*.yaml in order, merged as netplan does, and returns the interface's addresses or an error. */
export function netplanAddresses(node: SimNode): NetplanResult {
  const files = [...node.files.keys()].filter((f) => /^\/etc\/netplan\/[^/]+\.yaml$/.test(f)).sort();
  const warnings: string[] = [];
  const merged: Record<string, unknown> = {};
  const stamp = () => new Date().toISOString().slice(11, 23);
  for (const f of files) {
    const entry = node.files.get(f)!;
    if (entry.mode & 0o077) warnings.push(`** (generate:${1000 + files.indexOf(f)}): WARNING **: ${stamp()}: Permissions for ${f} are too open. Netplan configuration should NOT be accessible by others.\n`);
    let doc: Record<string, unknown>;
    try {
      doc = (yaml.load(entry.content) ?? {}) as Record<string, unknown>;
    } catch (err) {
      const mark = (err as { mark?: { line: number; column: number } }).mark;
      return { addresses: [], defaultRoutes: [], merged, warnings, error: `${f}:${(mark?.line ?? 0) + 1}:${(mark?.column ?? 0) + 1}: Invalid YAML: ${(err as Error).message.split('\n')[0]}\n` };
    }
    netplanMerge(merged, doc);
    const eth = (doc as { network?: { ethernets?: Record<string, Record<string, unknown>> } }).network?.ethernets?.[node.iface];
    if (eth && 'gateway4' in eth) warnings.push(`** (generate:${1000 + files.indexOf(f)}): WARNING **: ${stamp()}: \`gateway4\` has been deprecated, use default routes instead.\nSee the 'Default routes' section of the documentation for more details.\n`);
  }
  const iface = ((merged.network as { ethernets?: Record<string, Record<string, unknown>> } | undefined)?.ethernets?.[node.iface]) ?? {};
  const addresses: { cidr: string; dynamic: boolean }[] = [];
  if (truthy(iface.dhcp4)) addresses.push({ cidr: `${node.address}/${node.prefixLength}`, dynamic: true });
  for (const c of (Array.isArray(iface.addresses) ? iface.addresses : []) as unknown[]) {
    const cidr = String(c);
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cidr)) return { addresses: [], defaultRoutes: [], merged, warnings, error: `Error in network definition: malformed address '${cidr}', must be X.X.X.X/NN or X:X:X:X:X:X:X:X/NN\n` };
    if (!addresses.some((x) => x.cidr === cidr)) addresses.push({ cidr, dynamic: false });
    else addresses.forEach((x) => { if (x.cidr === cidr) x.dynamic = false; });
  }
  const routes = (Array.isArray(iface.routes) ? iface.routes : []) as { to?: string; via?: string }[];
  const defaultRoutes = routes.filter((r) => r.to === 'default' || r.to === '0.0.0.0/0').map((r) => String(r.via));
  if (typeof iface.gateway4 === 'string') defaultRoutes.push(iface.gateway4);
  return { addresses, defaultRoutes, merged, warnings };
}

async function netplan(p: Proc): Promise<number> {
  const sub = p.argv[1];
  if (sub !== 'generate' && sub !== 'apply' && sub !== 'get') { p.err(`usage: /usr/sbin/netplan [-h] [--debug]  ...\nnetplan: error: argument : invalid choice: '${sub ?? ''}'\n`); return 2; }
  if (!p.root) { p.err(`PermissionError: [Errno 13] Permission denied: '/run/systemd/network'\n`); return 1; }
  const r = netplanAddresses(p.node);
  for (const w of r.warnings) p.err(w);
  if (r.error) { p.err(r.error); return 1; }
  if (sub === 'generate') return 0;
  if (sub === 'get') {
    // `netplan get [KEY]`: the merged tree (or its KEY subtree, dotted) as YAML; `null` when absent.
    let v: unknown = r.merged.network ?? {};
    for (const k of (p.argv[2] ?? 'all').split('.')) if (k !== 'all' && k !== 'network') v = (v as Record<string, unknown> | undefined)?.[k];
    p.out(v === undefined ? 'null\n' : yaml.dump(v, { sortKeys: true }));
    return 0;
  }
  await p.work('netplanApply');
  p.err('WARNING:root:Cannot call Open vSwitch: ovsdb-server.service is not running.\n');
  const before = JSON.stringify(p.node.addresses);
  p.node.addresses = r.addresses;
  p.node.defaultRoutes = r.defaultRoutes;
  if (JSON.stringify(r.addresses) !== before) p.effect(`netplan apply: ${p.node.iface} ${r.addresses.map((x) => `${x.cidr}${x.dynamic ? ' (dhcp)' : ''}`).join(', ') || 'no address'}`);
  return 0;
}

export const SYSTEMD: Record<string, CommandDef> = {
  systemctl: { path: '/usr/bin/systemctl', run: systemctl },
  'systemd-run': { path: '/usr/bin/systemd-run', run: systemdRun },
  reboot: { path: '/usr/sbin/reboot', run: reboot },
  netplan: { path: '/usr/sbin/netplan', run: netplan },
};
