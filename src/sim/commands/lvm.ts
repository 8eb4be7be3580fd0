// LVM (lvm2 2.03.11 on 22.04): lvs, vgs, lvcreate, lvremove with their exact messages (lib/metadata/lv_manip.c,
// tools/toollib.c). Messages go to stderr indented by two spaces, as lvm's log_error prints them.
import type { Proc } from '../process';
import type { CommandDef } from './types';
import { EXTENT, GiB, MiB } from '../node-state';

const NON_ROOT = '  WARNING: Running as a non-root user. Functionality may be unavailable.\n  /run/lock/lvm/P_global:aux: open failed: Permission denied\n';

function parseOpts(a: string[]): { opts: Map<string, string | true>; pos: string[] } {
  const opts = new Map<string, string | true>();
  const pos: string[] = [];
  const withValue = new Set(['-o', '--options', '--units', '-L', '--size', '-n', '--name', '-l', '--extents', '-O', '--sort', '--separator']);
  for (let i = 0; i < a.length; i++) {
    if (withValue.has(a[i])) opts.set(a[i], a[++i] ?? '');
    else if (a[i].startsWith('-')) opts.set(a[i], true);
    else pos.push(a[i]);
  }
  return { opts, pos };
}

/** lvm's display of a size in a unit: two decimals, `<` when rounded down. */
function sized(bytes: number, unit: string, suffix: boolean): string {
  if (unit === 'b' || unit === 'B') return String(bytes);
  const factor = { k: 2 ** 10, m: MiB, g: GiB, t: 2 ** 40 }[unit.toLowerCase() as 'k' | 'm' | 'g' | 't'] ?? GiB;
  const v = bytes / factor;
  const shown = v.toFixed(2);
  const lt = Number(shown) > v + 1e-9 ? '<' : '';
  return `${lt}${lt ? (Math.floor(v * 100) / 100).toFixed(2) : shown}${suffix ? unit.toLowerCase() : ''}`;
}

function table(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i].length))) ?? [];
  return rows.map((r) => `  ${r.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' ')}\n`).join('');
}

async function lvs(p: Proc): Promise<number> {
  if (!p.root) { p.err(NON_ROOT); return 5; }
  const { opts, pos } = parseOpts(p.argv.slice(1));
  const vg = p.node.vg;
  const target = pos[0]?.split('/')[0];
  const lvFilter = pos[0]?.split('/')[1];
  if (target && target !== vg.name) { p.err(`  Volume group "${target}" not found\n  Cannot process volume group ${target}\n`); return 5; }
  const unit = String(opts.get('--units') ?? 'h');
  const suffix = !opts.has('--nosuffix');
  const fields = String(opts.get('-o') ?? opts.get('--options') ?? 'lv_name,vg_name,lv_attr,lv_size').split(',');
  const lvsSorted = [...p.node.lvs].sort((a, b) => a.name.localeCompare(b.name)).filter((lv) => !lvFilter || lv.name === lvFilter);
  if (lvFilter && lvsSorted.length === 0) { p.err(`  Failed to find logical volume "${vg.name}/${lvFilter}"\n`); return 5; }
  await p.work('command');
  const value = (lv: (typeof lvsSorted)[number], f: string) => {
    switch (f) {
      case 'lv_name': return lv.name;
      case 'vg_name': return vg.name;
      case 'lv_attr': return '-wi-a-----';
      case 'lv_size': return unit === 'h' ? sized(lv.sizeBytes, 'g', true) : sized(lv.sizeBytes, unit, suffix);
      case 'lv_path': return `/dev/${vg.name}/${lv.name}`;
      case 'lv_dm_path': return `/dev/mapper/${vg.name.replace(/-/g, '--')}-${lv.name.replace(/-/g, '--')}`;
      default: return '';
    }
  };
  const rows = lvsSorted.map((lv) => fields.map((f) => value(lv, f)));
  const heads = opts.has('--noheadings') ? [] : [fields.map((f) => ({ lv_name: 'LV', vg_name: 'VG', lv_attr: 'Attr', lv_size: 'LSize' } as Record<string, string>)[f] ?? f)];
  p.out(table([...heads, ...rows], fields.map((f) => f === 'lv_size')));
  return 0;
}

async function vgs(p: Proc): Promise<number> {
  if (!p.root) { p.err(NON_ROOT); return 5; }
  const { opts, pos } = parseOpts(p.argv.slice(1));
  const vg = p.node.vg;
  if (pos[0] && pos[0] !== vg.name) { p.err(`  Volume group "${pos[0]}" not found\n  Cannot process volume group ${pos[0]}\n`); return 5; }
  const unit = String(opts.get('--units') ?? 'h');
  const suffix = !opts.has('--nosuffix');
  const fields = String(opts.get('-o') ?? opts.get('--options') ?? 'vg_name,pv_count,lv_count,vg_attr,vg_size,vg_free').split(',');
  await p.work('command');
  const size = (b: number) => (unit === 'h' ? sized(b, 'g', true) : sized(b, unit, suffix));
  const value = (f: string) => ({
    vg_name: vg.name, pv_count: '1', lv_count: String(p.node.lvs.length), vg_attr: 'wz--n-', vg_size: size(vg.sizeBytes),
    vg_free: size(p.node.vgFreeBytes), vg_uuid: vg.uuid, vg_extent_size: size(EXTENT),
  } as Record<string, string>)[f] ?? '';
  const heads = opts.has('--noheadings') ? [] : [fields.map((f) => ({ vg_name: 'VG', pv_count: '#PV', lv_count: '#LV', vg_attr: 'Attr', vg_size: 'VSize', vg_free: 'VFree' } as Record<string, string>)[f] ?? f)];
  p.out(table([...heads, fields.map(value)], fields.map((f) => f !== 'vg_name' && f !== 'vg_attr')));
  return 0;
}

async function lvcreate(p: Proc): Promise<number> {
  if (!p.root) { p.err(NON_ROOT); return 5; }
  const { opts, pos } = parseOpts(p.argv.slice(1));
  const vg = p.node.vg;
  const vgName = pos[0];
  const name = String(opts.get('-n') ?? opts.get('--name') ?? '');
  const sizeArg = String(opts.get('-L') ?? opts.get('--size') ?? '');
  if (!vgName) { p.err('  Please provide a volume group name\n  Run `lvcreate --help\' for more information.\n'); return 3; }
  if (!sizeArg) { p.err('  Please specify either size or extents but not both.\n  Run `lvcreate --help\' for more information.\n'); return 3; }
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)$/.exec(sizeArg);
  if (!m) { p.err(`  Invalid argument for --size: ${sizeArg}\n  Error during parsing of command line.\n`); return 3; }
  const unitBytes = { '': MiB, k: 2 ** 10, m: MiB, g: GiB, t: 2 ** 40 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const bytes = Math.ceil((Number(m[1]) * unitBytes) / EXTENT) * EXTENT;
  if (vgName !== vg.name) { p.err(`  Volume group "${vgName}" not found\n  Cannot process volume group ${vgName}\n`); return 5; }
  await p.work('lvcreate');
  if (p.node.lvs.some((lv) => lv.name === name)) { p.err(`  Logical Volume "${name}" already exists in volume group "${vg.name}"\n`); return 5; }
  const required = bytes / EXTENT;
  const free = p.node.vgFreeBytes / EXTENT;
  if (required > free) { p.err(`  Volume group "${vg.name}" has insufficient free space (${free} extents): ${required} required.\n`); return 5; }
  const lvName = name || `lvol${p.node.lvs.length - 1}`;
  p.node.createLv(lvName, bytes);
  p.out(`  Logical volume "${lvName}" created.\n`);
  p.effect(`lvcreate ${vg.name}/${lvName} ${sizeArg}`);
  return 0;
}

/**
 * `lvremove -y VG/LV` (lvm2 2.03.11 tools/lvremove.c, lib/metadata/lv_manip.c): `Logical volume "x" successfully
 * removed.`; rc 5 with `Failed to find logical volume "vg/x"`, or `Logical volume vg/x in use.` while a cStor pool
 * instance holds it open.
 */
async function lvremove(p: Proc): Promise<number> {
  if (!p.root) { p.err(NON_ROOT); return 5; }
  const { opts, pos } = parseOpts(p.argv.slice(1));
  const vg = p.node.vg;
  if (!pos[0]) { p.err('  Please enter one or more logical volume paths.\n  Run `lvremove --help\' for more information.\n'); return 3; }
  const [vgName, lvName] = pos[0].split('/');
  if (vgName !== vg.name) { p.err(`  Volume group "${vgName}" not found\n  Cannot process volume group ${vgName}\n`); return 5; }
  await p.work('lvcreate');
  const lv = p.node.lvs.find((x) => x.name === lvName);
  if (!lv) { p.err(`  Failed to find logical volume "${vg.name}/${lvName}"\n`); return 5; }
  const c = p.node.microk8s.cluster;
  const held = c?.store.list('CStorPoolInstance', 'openebs').some((i) => (i.spec as { hostName?: string }).hostName === p.node.hostname);
  if (held) { p.err(`  Logical volume ${vg.name}/${lvName} in use.\n`); return 5; }
  if (!opts.has('-y') && !opts.has('--yes') && !opts.has('-f') && !opts.has('--force')) {
    p.out(`Do you really want to remove and DISCARD active logical volume ${vg.name}/${lvName}? [y/n]: `);
    const answer = await p.stdin.readLine();
    if (!answer || !/^y/i.test(answer.trim())) { p.err(`  Logical volume ${vg.name}/${lvName} not removed.\n`); return 5; }
  }
  p.node.removeLv(lvName);
  p.out(`  Logical volume "${lvName}" successfully removed.\n`);
  p.effect(`lvremove ${vg.name}/${lvName}`);
  return 0;
}

export const LVM: Record<string, CommandDef> = {
  lvremove: { path: '/usr/sbin/lvremove', run: lvremove },
  lvs: { path: '/usr/sbin/lvs', run: lvs },
  vgs: { path: '/usr/sbin/vgs', run: vgs },
  lvcreate: { path: '/usr/sbin/lvcreate', run: lvcreate },
};
