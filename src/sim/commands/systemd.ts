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
  // iscsid's units come with the open-iscsi package.
  const u = /^(iscsid|open-iscsi)$/.test(unit) && !node.installed.has('open-iscsi') ? undefined : node.units.get(unit);
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
        if (t) { clearTimeout(t.handle); node.timers.delete(unit.replace(/\.timer$/, '')); p.effect(`systemctl stop ${unit}`); }
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
    case 'reboot': return reboot(p);
    case 'daemon-reload': return p.root ? 0 : (p.err(`Failed to reload daemon: ${POLKIT}\n`), 1);
    default:
      p.err(`Unknown command verb ${verb ?? ''}.\n`);
      return 1;
  }
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

async function systemdRun(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  let onActive: number | undefined;
  let unit: string | undefined;
  let i = 0;
  for (; i < a.length && a[i].startsWith('-'); i++) {
    if (a[i] === '--') { i++; break; }
    const m = /^--(on-active|unit)=(.*)$/.exec(a[i]);
    if (m?.[1] === 'on-active') onActive = parseFloat(m[2]);
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
  if (node.timers.has(name)) { p.err(`Failed to start transient ${kind} unit: Unit ${name}.${kind} already exists.\n`); return 1; }
  const text = shellJoin(cmd);
  const fire = () => {
    node.timers.delete(name);
    void p.world.runDetached(node, text);
  };
  if (onActive === undefined) {
    p.err(`Running as unit: ${name}.service\n`);
    p.effect(`systemd-run ${name}.service: ${text} [boot ${node.bootCount}]`);
    setTimeout(fire, 1);
    return 0;
  }
  const ms = p.world.latency.seconds(onActive);
  node.timers.set(name, { fireAt: Date.now() + ms, command: text, handle: setTimeout(fire, ms) });
  p.err(`Running timer as unit: ${name}.timer\nWill run service as unit: ${name}.service\n`);
  p.effect(`systemd-run ${name}.timer: ${text} [boot ${node.bootCount}]`);
  return 0;
}

const truthy = (v: unknown) => ['true', 'yes', 'on', 'y'].includes(String(v).toLowerCase());

/** Reads /etc/netplan/*.yaml in order (later files override earlier keys) and returns the addresses or an error. */
export function netplanAddresses(node: SimNode): { addresses: { cidr: string; dynamic: boolean }[]; warnings: string[]; error?: string } {
  const files = [...node.files.keys()].filter((f) => /^\/etc\/netplan\/[^/]+\.yaml$/.test(f)).sort();
  const warnings: string[] = [];
  const merged: Record<string, unknown> = {};
  const stamp = () => new Date().toISOString().slice(11, 23);
  for (const f of files) {
    const entry = node.files.get(f)!;
    if (entry.mode & 0o077) warnings.push(`** (generate:${1000 + files.indexOf(f)}): WARNING **: ${stamp()}: Permissions for ${f} are too open. Netplan configuration should NOT be accessible by others.\n`);
    let doc: { network?: { ethernets?: Record<string, Record<string, unknown>> } };
    try {
      doc = (yaml.load(entry.content) ?? {}) as typeof doc;
    } catch (err) {
      const mark = (err as { mark?: { line: number; column: number } }).mark;
      return { addresses: [], warnings, error: `${f}:${(mark?.line ?? 0) + 1}:${(mark?.column ?? 0) + 1}: Invalid YAML: ${(err as Error).message.split('\n')[0]}\n` };
    }
    const eth = doc.network?.ethernets?.[node.iface];
    if (eth) Object.assign(merged, eth);
    if (eth && 'gateway4' in eth) warnings.push(`** (generate:${1000 + files.indexOf(f)}): WARNING **: ${stamp()}: \`gateway4\` has been deprecated, use default routes instead.\nSee the 'Default routes' section of the documentation for more details.\n`);
  }
  const addresses: { cidr: string; dynamic: boolean }[] = [];
  if (truthy(merged.dhcp4)) addresses.push({ cidr: `${node.address}/${node.prefixLength}`, dynamic: true });
  for (const c of (Array.isArray(merged.addresses) ? merged.addresses : []) as unknown[]) {
    const cidr = String(c);
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cidr)) return { addresses: [], warnings, error: `Error in network definition: malformed address '${cidr}', must be X.X.X.X/NN or X:X:X:X:X:X:X:X/NN\n` };
    if (!addresses.some((x) => x.cidr === cidr)) addresses.push({ cidr, dynamic: false });
    else addresses.forEach((x) => { if (x.cidr === cidr) x.dynamic = false; });
  }
  return { addresses, warnings };
}

async function netplan(p: Proc): Promise<number> {
  const sub = p.argv[1];
  if (sub !== 'generate' && sub !== 'apply' && sub !== 'get') { p.err(`usage: /usr/sbin/netplan [-h] [--debug]  ...\nnetplan: error: argument : invalid choice: '${sub ?? ''}'\n`); return 2; }
  if (!p.root) { p.err(`PermissionError: [Errno 13] Permission denied: '/run/systemd/network'\n`); return 1; }
  const r = netplanAddresses(p.node);
  for (const w of r.warnings) p.err(w);
  if (r.error) { p.err(r.error); return 1; }
  if (sub === 'generate') return 0;
  await p.work('netplanApply');
  p.err('WARNING:root:Cannot call Open vSwitch: ovsdb-server.service is not running.\n');
  const before = JSON.stringify(p.node.addresses);
  p.node.addresses = r.addresses;
  if (JSON.stringify(r.addresses) !== before) p.effect(`netplan apply: ${p.node.iface} ${r.addresses.map((x) => `${x.cidr}${x.dynamic ? ' (dhcp)' : ''}`).join(', ') || 'no address'}`);
  return 0;
}

export const SYSTEMD: Record<string, CommandDef> = {
  systemctl: { path: '/usr/bin/systemctl', run: systemctl },
  'systemd-run': { path: '/usr/bin/systemd-run', run: systemdRun },
  reboot: { path: '/usr/sbin/reboot', run: reboot },
  netplan: { path: '/usr/sbin/netplan', run: netplan },
};
