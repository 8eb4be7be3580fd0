// Read-only facts of a node (preflight, boot ids, addresses): coreutils, procfs, lsblk, ping, iproute2.
// Formats and sources in docs/commands.md.
import { query, sh, SUDO, type RemoteCommand } from './sh';

export const readOsRelease = (): RemoteCommand => query('cat /etc/os-release');
/** `flags\t\t: fpu vme ... avx ...` (first processor only; every core repeats it). */
export const readCpuFlags = (): RemoteCommand => query('grep -m1 -w flags /proc/cpuinfo');
export const countCores = (): RemoteCommand => query('nproc');
export const readMemInfo = (): RemoteCommand => query('grep -w MemTotal /proc/meminfo');
/** Bytes of every whole disk: `sda 1000204886016 disk`. */
export const listDisks = (): RemoteCommand => query('lsblk -b -d -n -o NAME,SIZE,TYPE');
export const readBootId = (): RemoteCommand => query('cat /proc/sys/kernel/random/boot_id');
/** machine-id(5): one line of 32 lowercase hex digits, world-readable; clones made by copying a disk share it. */
export const readMachineId = (): RemoteCommand => query('cat /etc/machine-id', { okCodes: [0, 1] });
/** The machine id, or undefined when the file is missing or not in machine-id(5)'s form (node output is untrusted). */
export const parseMachineId = (text: string): string | undefined => /^([0-9a-f]{32})\n?$/.exec(text)?.[1];
/** rc 0: answered; rc 1: no reply; rc 2: other error (iputils ping(8)). */
export const ping = (address: string): RemoteCommand => query(sh`ping -c 1 -W 2 ${address}`, { okCodes: [0, 1, 2] });
/**
 * Duplicate address detection (iputils arping -D): exit 0 when nothing answered ARP for `address` (free), 1
 * when something did (arping.c finish(): `if (ctl->dad) return !!ctl->received;`), 2 on a usage or device
 * error; 127 from env when iputils-arping is not installed. ARP is answered even by a host that drops ping.
 */
export const arpingDad = (iface: string, address: string): RemoteCommand =>
  query(sh`${SUDO} arping -D -q -c 2 -w 3 -I ${iface} ${address}`, { okCodes: [0, 1, 2, 127] });
/** Lists the IPv4 addresses on an interface: `2: ens18    inet 192.168.1.106/24 brd ... scope global ens18`. */
export const showInterfaceAddresses = (iface: string): RemoteCommand =>
  query(sh`ip -4 -o addr show dev ${iface}`, { okCodes: [0, 1] });

export interface OsRelease { id: string; versionId: string; prettyName: string }

/** os-release(5): KEY=value lines, values optionally double-quoted. */
export function parseOsRelease(text: string): OsRelease {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) fields.set(m[1], m[2].replace(/^"(.*)"$/, '$1'));
  }
  return { id: fields.get('ID') ?? '', versionId: fields.get('VERSION_ID') ?? '', prettyName: fields.get('PRETTY_NAME') ?? '' };
}

export function parseCpuFlags(text: string): string[] {
  const m = /^flags\s*:\s*(.*)$/m.exec(text);
  return m ? m[1].trim().split(/\s+/) : [];
}

export function parseInteger(text: string, what: string): number {
  const n = Number(text.trim());
  if (!Number.isInteger(n)) throw new Error(`unexpected ${what} output: ${JSON.stringify(text.slice(0, 200))}`);
  return n;
}

/** `MemTotal:       32803384 kB` -> bytes. */
export function parseMemTotal(text: string): number {
  const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(text);
  if (!m) throw new Error(`unexpected /proc/meminfo output: ${JSON.stringify(text.slice(0, 200))}`);
  return Number(m[1]) * 1024;
}

export interface Disk { name: string; bytes: number }
export function parseDisks(text: string): Disk[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 3 && f[2] === 'disk')
    .map(([name, size]) => ({ name, bytes: Number(size) }));
}

/** Lines of `ip -o addr`: the CIDR after `inet`. */
export function parseInterfaceAddresses(text: string): string[] {
  return [...text.matchAll(/\binet\s+(\d+\.\d+\.\d+\.\d+\/\d+)/g)].map((m) => m[1]);
}

/**
 * The addresses that are not DHCP leases: iproute2 flags a lease `dynamic`. A node usually gets the static
 * address it already has by DHCP, so only the missing flag shows that the static configuration is applied.
 */
export function parseStaticAddresses(text: string): string[] {
  return text.split('\n').filter((l) => !/\sdynamic\s/.test(l)).flatMap((l) => parseInterfaceAddresses(l));
}
