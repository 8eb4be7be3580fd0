// Everyday programs: grep (grep.ts), nproc, lsblk, df, hostnamectl, ip, ping, curl, bash/sh and a few more.
// Output shapes follow util-linux, coreutils, iproute2 and iputils as shipped with 22.04.
import type { Proc } from '../process';
import type { CommandDef } from './types';
import { GiB } from '../node-state';
import { createHash } from 'node:crypto';
import { curlReaches } from '../proxy-world';
import { SIM_TOOLS_SCRIPT } from '../tools-script';
import { grep } from './grep';
import type { World } from '../world';

async function lsblk(p: Proc): Promise<number> {
  // `lsblk -b -d -n -o NAME,SIZE,TYPE`: whole devices only; snap squashfs images are loop devices.
  const loops = p.node.microk8s.installed ? [66_084_864, 53_026_816, 40_980_480, 174_850_048] : [66_084_864, 53_026_816, 40_980_480];
  const rows: [string, string, string][] = [
    ...loops.map((s, i): [string, string, string] => [`loop${i}`, String(s), 'loop']),
    ...p.node.disks.map((d): [string, string, string] => [d.name, String(d.sizeBytes), 'disk']),
    ['sr0', '1073741312', 'rom'],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const header = p.argv.includes('-n') || p.argv.includes('--noheadings') ? '' : `${'NAME'.padEnd(w0)} ${'SIZE'.padStart(w1)} TYPE\n`;
  p.out(header + rows.map((r) => `${r[0].padEnd(w0)} ${r[1].padStart(w1)} ${r[2]}\n`).join(''));
  return 0;
}

/** `df -B1 --output=avail[,size] /` (coreutils df.c: with a block size the size column is headed `1B-blocks`; ~93% of the LV). */
async function df(p: Proc): Promise<number> {
  const root = p.node.lvs.find((lv) => lv.mount === '/');
  const size = Math.floor((root?.sizeBytes ?? 100 * GiB) * 0.93);
  const avail = Math.max(0, size - 7_512_342_528 - p.node.health.rootFilledBytes);
  const fields = (p.argv.find((a) => a.startsWith('--output=')) ?? '--output=avail').slice(9).split(',');
  const cols = fields.map((f) => (f === 'size' ? ['1B-blocks', size] : ['Avail', avail]) as [string, number]);
  const ws = cols.map(([h, v]) => Math.max(String(v).length, h.length));
  p.out(`${cols.map(([h], i) => h.padStart(ws[i])).join(' ')}\n${cols.map(([, v], i) => String(v).padStart(ws[i])).join(' ')}\n`);
  return 0;
}

async function hostnamectl(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  if (a[0] === '--static' || a[0] === 'hostname' && a.includes('--static')) { p.out(`${p.node.hostname}\n`); return 0; }
  if (a[0] === 'set-hostname' || (a[0] === 'hostname' && a[1])) {
    const name = a[1];
    if (!p.root) { p.err('Could not set static hostname: Interactive authentication required.\n'); return 1; }
    if (!name || !/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(name)) { p.err(`Invalid static hostname '${name ?? ''}'\n`); return 1; }
    await p.work('command');
    const lower = name.toLowerCase();
    if (lower !== p.node.hostname) {
      p.node.hostname = lower;
      p.effect(`hostname ${lower}`);
    }
    p.writeFile('/etc/hostname', `${lower}\n`, 0o644);
    return 0;
  }
  p.out(` Static hostname: ${p.node.hostname}\n       Icon name: computer-vm\n         Chassis: vm\n      Machine ID: ${(p.readFile('/etc/machine-id') ?? '').trim()}\n` +
    `         Boot ID: ${p.node.bootId.replace(/-/g, '')}\n  Virtualization: kvm\nOperating System: Ubuntu 22.04.4 LTS\n          Kernel: Linux 5.15.0-101-generic\n    Architecture: x86-64\n`);
  return 0;
}

/** iproute2 one-line format: `2: ens18    inet 10.0.0.11/24 metric 100 brd 10.0.0.255 scope global dynamic ens18\       valid_lft ...`. */
async function ip(p: Proc): Promise<number> {
  const a = p.argv.slice(1).filter((x) => x !== '-4' && x !== '-o');
  if (a[0] !== 'addr' && a[0] !== 'a' && a[0] !== 'address') { p.err(`Object "${a[0] ?? ''}" is unknown, try "ip help".\n`); return 255; }
  const devIdx = a.indexOf('dev');
  const dev = devIdx >= 0 ? a[devIdx + 1] : undefined;
  if (dev && dev !== p.node.iface && dev !== 'lo') { p.err(`Device "${dev}" does not exist.\n`); return 1; }
  const lines: string[] = [];
  if (!dev || dev === 'lo') lines.push('1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever');
  if (!dev || dev === p.node.iface) {
    for (const { cidr, dynamic: dyn } of p.node.addresses) {
      lines.push(`2: ${p.node.iface}    inet ${cidr} ${dyn ? 'metric 100 ' : ''}brd ${broadcast(cidr)} scope global ${dyn ? 'dynamic ' : ''}${p.node.iface}\\       valid_lft ${dyn ? '85972sec' : 'forever'} preferred_lft ${dyn ? '85972sec' : 'forever'}`);
    }
  }
  p.out(lines.map((l) => `${l}\n`).join(''));
  return 0;
}

function broadcast(cidr: string): string {
  const [addr, len] = cidr.split('/');
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len));
  const b = Math.floor(n / size) * size + size - 1;
  return [24, 16, 8, 0].map((s) => Math.floor(b / 2 ** s) % 256).join('.');
}

const icmpSilent = new WeakMap<World, Set<string>>();
/** A machine at `address` that answers ARP but drops ICMP echo (a firewalled host): ping says free, arping does not. */
export function addIcmpSilentHost(world: World, address: string): void {
  icmpSilent.set(world, new Set([...(icmpSilent.get(world) ?? []), address]));
}
export const icmpSilentHost = (world: World, address: string): boolean => icmpSilent.get(world)?.has(address) ?? false;

/** Something at `target` answers ARP (and ping, unless it is an ICMP-silent host). */
export function answers(p: Proc, target: string): boolean {
  if (icmpSilentHost(p.world, target)) return true;
  if (target === '127.0.0.1') return true;
  for (const n of p.world.machines) {
    if (n.phase !== 'down' && n.addresses.some((a) => a.cidr.split('/')[0] === target)) return true;
  }
  if (target === p.world.virtualIp) {
    // MetalLB's speaker answers ARP for the address once a pool holds it and a node runs the speaker.
    for (const c of p.world.clusters) {
      if (c.addons.has('metallb') && c.metallbRanges.some((r) => r.split('/')[0] === target || r === target) && c.upNodes().length > 0) return true;
    }
  }
  return false;
}

async function ping(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  let count = 1, wait = 10;
  const rest: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '-c') count = Number(a[++i]);
    else if (a[i] === '-W' || a[i] === '-w') wait = Number(a[++i]);
    else if (a[i] === '-q' || a[i] === '-n') continue;
    else rest.push(a[i]);
  }
  const host = rest[0];
  if (!host) { p.err('ping: usage error: Destination address required\n'); return 1; }
  let target = host;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    const line = (p.readFile('/etc/hosts') ?? '').split('\n').map((l) => l.replace(/#.*/, '').trim().split(/\s+/)).find((f) => f.slice(1).includes(host));
    if (!line) { p.err(`ping: ${host}: Temporary failure in name resolution\n`); return 2; }
    target = line[0];
  }
  const ok = answers(p, target) && !icmpSilentHost(p.world, target);
  p.out(`PING ${host} (${target}) 56(84) bytes of data.\n`);
  let received = 0;
  for (let i = 1; i <= count; i++) {
    if (ok) {
      await p.work('ping');
      p.out(`64 bytes from ${target}: icmp_seq=${i} ttl=64 time=0.045 ms\n`);
      received++;
    } else await p.sleep(p.world.latency.seconds(wait));
  }
  const loss = Math.round(((count - received) / count) * 100);
  p.out(`\n--- ${host} ping statistics ---\n${count} packets transmitted, ${received} received, ${loss}% packet loss, time ${ok ? 0 : (count - 1) * 1000}ms\n`);
  if (ok) p.out('rtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms\n');
  else p.out('\n');
  return ok ? 0 : 1;
}

async function bash(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  if (a[0] === '-c') return p.session.runShell(a[1] ?? '', p);
  if (a.length === 0 || a[0] === '-s' || a[0] === '-') return p.session.runShell(await p.stdin.readAll(), p);
  const script = p.readFile(a[0]);
  if (script === undefined) { p.err(`${p.argv[0]}: ${a[0]}: No such file or directory\n`); return 127; }
  return p.session.runShell(script, p);
}

/** The registry serves one file, the tools installer; anything else is a 404 (the sim has no internet). */
async function curl(p: Proc): Promise<number> {
  const flags = p.argv.slice(1).filter((x) => /^-[a-zA-Z]+$/.test(x)).join('');
  // Options that take a value (the value is no URL to fetch, even when it looks like one).
  const withValue = new Set(['--proxy', '-x', '--noproxy', '--proto', '-o', '--output']);
  const url = p.argv.slice(1).find((x, i, a) => /^https?:\/\//.test(x) && !withValue.has(a[i - 1]));
  if (!url) { p.err('curl: try \'curl --help\' or \'curl --manual\' for more information\n'); return 2; }
  await p.work('command');
  if (!curlReaches(p)) {
    const host = /^https?:\/\/([^/:]+)/.exec(url)?.[1] ?? url;
    if (!flags.includes('s') || flags.includes('S')) p.err(`curl: (28) Failed to connect to ${host} port 443 after 130104 ms: Connection timed out\n`);
    return 28;
  }
  if (url === p.world.toolsUrl) {
    p.out(SIM_TOOLS_SCRIPT);
    return 0;
  }
  if (flags.includes('f')) {
    if (!flags.includes('s') || flags.includes('S')) p.err('curl: (22) The requested URL returned error: 404\n');
    return 22;
  }
  p.out('<html><body><h1>404 Not Found</h1></body></html>\n');
  return 0;
}

/** `sha256sum FILE...`: `<hex>  FILE` per file (coreutils' format); no FILE: stdin, named `-`. */
async function sha256sum(p: Proc): Promise<number> {
  let status = 0;
  if (!p.argv.slice(1).some((a) => !a.startsWith('-'))) {
    p.out(`${createHash('sha256').update(await p.stdin.readAll()).digest('hex')}  -\n`);
    return 0;
  }
  for (const f of p.argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const text = p.readFile(f);
    if (text === undefined) { p.err(`sha256sum: ${f}: No such file or directory\n`); status = 1; continue; }
    p.out(`${createHash('sha256').update(text).digest('hex')}  ${f}\n`);
  }
  return status;
}

async function openssl(p: Proc): Promise<number> {
  if (p.argv[1] === 'rand' && p.argv[2] === '-hex') { p.out(`${p.world.rng.hex(Number(p.argv[3]) * 2)}\n`); return 0; }
  p.err(`Invalid command '${p.argv[1] ?? ''}'; type "help" for a list.\n`);
  return 1;
}

/** head/tail -n N (or -N), from files or stdin. */
const slice = (fromEnd: boolean) => async (p: Proc): Promise<number> => {
  let n = 10;
  const files: string[] = [];
  const a = p.argv.slice(1);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '-n') n = Number(a[++i]);
    else if (/^-n?\d+$/.test(a[i])) n = Number(a[i].replace(/^-n?/, ''));
    else files.push(a[i]);
  }
  let text = files.length ? files.map((f) => p.readFile(f) ?? '').join('') : await p.stdin.readAll();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  text = (fromEnd ? lines.slice(Math.max(0, lines.length - n)) : lines.slice(0, n)).map((l) => `${l}\n`).join('');
  p.out(text);
  return 0;
};

async function wc(p: Proc): Promise<number> {
  const text = await p.stdin.readAll();
  const lines = (text.match(/\n/g) ?? []).length;
  p.out(p.argv.includes('-l') ? `${lines}\n` : `${String(lines).padStart(7)} ${String(text.split(/\s+/).filter(Boolean).length).padStart(7)} ${String(Buffer.byteLength(text)).padStart(7)}\n`);
  return 0;
}

const simple = (out: (p: Proc) => string) => async (p: Proc) => { p.out(out(p)); return 0; };

export const BASIC: Record<string, CommandDef> = {
  grep: { path: '/usr/bin/grep', run: grep },
  head: { path: '/usr/bin/head', run: slice(false) },
  tail: { path: '/usr/bin/tail', run: slice(true) },
  wc: { path: '/usr/bin/wc', run: wc },
  nproc: { path: '/usr/bin/nproc', run: simple((p) => `${p.node.cores}\n`) },
  lsblk: { path: '/usr/bin/lsblk', run: lsblk },
  df: { path: '/usr/bin/df', run: df },
  hostnamectl: { path: '/usr/bin/hostnamectl', run: hostnamectl },
  hostname: { path: '/usr/bin/hostname', run: simple((p) => `${p.node.hostname}\n`) },
  ip: { path: '/usr/sbin/ip', run: ip },
  ping: { path: '/usr/bin/ping', run: ping },
  bash: { path: '/usr/bin/bash', run: bash },
  sh: { path: '/usr/bin/sh', run: bash },
  curl: { path: '/usr/bin/curl', run: curl },
  sha256sum: { path: '/usr/bin/sha256sum', run: sha256sum },
  openssl: { path: '/usr/bin/openssl', run: openssl },
  uname: { path: '/usr/bin/uname', run: simple((p) => (p.argv.includes('-r') ? '5.15.0-101-generic\n' : 'Linux\n')) },
  whoami: { path: '/usr/bin/whoami', run: simple((p) => `${p.root ? 'root' : p.world.user}\n`) },
  sleep: { path: '/usr/bin/sleep', run: async (p) => { await p.sleep(p.world.latency.seconds(Number(p.argv[1] ?? 0))); return 0; } },
};
