// One simulated machine: its files, hardware, LVM, apt, systemd units, network and MicroK8s snap.
// Nothing here knows about SSH; commands read and change this state through their handlers.
import { dqliteFile } from './commands/inspect';
import { sha256hex, type Rng } from './random';
import {
  OS_RELEASE, cpuinfo, hostsFile, installerNetplan, meminfo, pendingUpgrades, PREINSTALLED, type AptPackage,
} from './node-defaults';
import type { Cluster } from './cluster-state';

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const EXTENT = 4 * MiB;

export interface DiskOptions {
  /** Kernel name, e.g. sdb; assigned in order when left out. */
  name?: string;
  sizeGb: number;
  /** A filesystem already on the disk (the cStor webhook refuses such devices). */
  fsType?: string;
}

export interface NodeOptions {
  name?: string;
  /** Written into the spec's nodes[].role when given. */
  role?: 'manager' | 'worker';
  interface?: string;
  /** The hostname the machine was installed with (clones share one); default `ubuntu`. */
  initialHostname?: string;
  cores?: number;
  memGb?: number;
  avx?: boolean;
  /** Size of the root disk sda in GB (decimal, as disks are sold); default 1000. */
  diskGb?: number;
  /** Free space left in ubuntu-vg, in GiB; default: everything but the 100 GiB root LV. */
  vgFreeGiB?: number;
  volumeGroup?: string;
  /** Extra raw disks: each becomes a BlockDevice once OpenEBS runs. */
  extraDisks?: DiskOptions[];
  iscsidEnabled?: boolean;
  /** Installed with a static address (subiquity's manual IPv4 form) instead of DHCP: 00-installer-config.yaml has it. */
  installedStatic?: { cidr: string; gateway: string };
  /** open-iscsi installed (Ubuntu server images have it; minimal ones do not); default true. */
  openIscsi?: boolean;
  /** /etc/machine-id (32 lowercase hex); clones of one machine share it. Default: a fresh one per node. */
  machineId?: string;
  /** The system locale (/etc/default/locale's LANG), which sshd's pam_env gives every session; default C.UTF-8. */
  locale?: string;
  /** How many packages `apt-get dist-upgrade` would upgrade (the kernel metapackages add new kernels). */
  pendingUpgrades?: number;
}

export interface Disk { name: string; sizeBytes: number; fsType?: string; serial: string; wwn: string; model: string; createdAt: number }
export interface LogicalVolume { name: string; sizeBytes: number; uuid: string; dm: number; createdAt: number; fsType?: string; mount?: string }
export interface Unit { enabled: 'enabled' | 'disabled' | 'static'; active: boolean }
/** `binary`: content holds the bytes base64-encoded (a tarball), as `base64 FILE` prints them. `mtime`: ms since the epoch of
 * the last write, as stat(2) would show it (a rewrite with the same content changes it). */
export interface FileEntry { content: string; mode: number; binary?: boolean; mtime?: number }
export interface SimTimer { fireAt: number; command: string; handle?: NodeJS.Timeout; state: 'waiting' | 'elapsed'; remainAfterElapse: boolean }

export interface Microk8sState {
  installed: boolean;
  cluster?: Cluster;
  /** When the snap's services come up after install, reboot or join. */
  readyAt: number;
  /** Stands for server.crt's DER (`openssl x509 -outform der`); certCheck is its sha256 (hex). */
  serverCertDer: string;
  /** sha256 (hex) of this node's cluster-agent certificate; add-node prints its first 12 characters. */
  certCheck: string;
  /** Every join token ever written to this node's cluster-tokens.txt (the tokens themselves live in that file). */
  issuedTokens: Set<string>;
  /** The community addons repository was cloned onto this node. */
  communityRepo: boolean;
  /** The channel the snap tracks (`snap list`'s Tracking column); `snap refresh --channel` moves it. */
  channel: string;
}

export class SimNode {
  readonly name: string;
  readonly address: string;
  readonly iface: string;
  hostname: string;
  /** LANG of every SSH session (pam_env reads /etc/default/locale). */
  locale: string;
  bootId: string;
  bootCount = 1;
  bootedAt = Date.now();
  /** up: sshd serves; down: port closed; booting: TCP accepted but logins refused. */
  phase: 'up' | 'down' | 'booting' = 'up';
  readonly files = new Map<string, FileEntry>();
  cores: number;
  memKb: number;
  avx: boolean;
  readonly disks: Disk[] = [];
  readonly vg: { name: string; uuid: string; sizeBytes: number; pv: string };  // sizeBytes changes under the small-disk fault
  readonly lvs: LogicalVolume[] = [];
  pending: AptPackage[];
  /** An upgrade was killed while dpkg unpacked: apt refuses to run until `dpkg --configure -a`. */
  dpkgInterrupted = false;
  readonly installed = new Set(PREINSTALLED);
  readonly units = new Map<string, Unit>();
  /** Addresses on the main interface; recomputed from /etc/netplan by `netplan apply` and at boot. */
  addresses: { cidr: string; dynamic: boolean }[];
  /** Gateways of the static default routes on the main interface (netplan's), recomputed with the addresses. */
  defaultRoutes: string[] = [];
  readonly microk8s: Microk8sState;
  kloudspotTools = false;
  /** snapd: `snap set system` options, and refresh holds by snap (ms since the epoch; Infinity: forever). */
  readonly snapd = { system: new Map<string, string>(), holds: new Map<string, number>() };
  /** What the doctor reads and the health faults change: certificate end dates (file -> ms, set when first read),
   * bytes filling / beyond the install's own use, the clock's offset, and the dqlite directory's size. */
  readonly health = { certNotAfter: new Map<string, number>(), rootFilledBytes: 0, clockOffsetMs: 0, datastoreBytes: 183_500_800 };
  /** systemd-run timers by unit name: waiting, or elapsed and still loaded (RemainAfterElapse=yes, the default). */
  readonly timers = new Map<string, SimTimer>();
  /** Transient services whose command failed: loaded in state failed until `systemctl reset-failed`. */
  readonly failedServices = new Set<string>();
  /** Transient services whose command is running now. */
  readonly runningServices = new Set<string>();

  constructor(index: number, address: string, readonly prefixLength: number, opts: NodeOptions, readonly rng: Rng) {
    this.name = opts.name ?? `k8s-vm-${index + 1}`;
    this.address = address;
    this.iface = opts.interface ?? 'ens18';
    this.hostname = opts.initialHostname ?? 'ubuntu';
    this.locale = opts.locale ?? 'C.UTF-8';
    this.bootId = rng.uuid();
    this.cores = opts.cores ?? 8;
    // MemTotal of a machine with N GiB installed: a few percent go to the kernel (32 GiB -> ~32.8e6 kB).
    this.memKb = Math.round((opts.memGb ?? 32) * 1_048_576 * 0.977);
    this.avx = opts.avx ?? true;
    const now = Date.now();
    const diskBytes = Math.round((opts.diskGb ?? 1000) * 1e9 / 512) * 512;
    this.disks.push({ name: 'sda', sizeBytes: diskBytes, serial: `drive-scsi0-${index}`, wwn: '', model: 'QEMU HARDDISK', createdAt: now });
    const letters = 'bcdefghijklmnop';
    (opts.extraDisks ?? []).forEach((d, i) => this.addDisk(d, letters[i]));
    const vgBytes = Math.floor((diskBytes - 2 * GiB - 3 * MiB) / EXTENT) * EXTENT;
    this.vg = { name: opts.volumeGroup ?? 'ubuntu-vg', uuid: rng.alnum(32), sizeBytes: vgBytes, pv: '/dev/sda3' };
    const rootBytes = opts.vgFreeGiB !== undefined ? Math.max(0, vgBytes - opts.vgFreeGiB * GiB) : 100 * GiB;
    this.lvs.push({ name: 'ubuntu-lv', sizeBytes: Math.floor(rootBytes / EXTENT) * EXTENT, uuid: rng.alnum(32), dm: 0, createdAt: now, fsType: 'ext4', mount: '/' });
    this.pending = pendingUpgrades(opts.pendingUpgrades ?? 23);
    this.units.set('iscsid', { enabled: opts.iscsidEnabled ? 'enabled' : 'disabled', active: !!opts.iscsidEnabled });
    this.units.set('open-iscsi', { enabled: 'enabled', active: true });
    this.units.set('ssh', { enabled: 'enabled', active: true });
    this.units.set('systemd-networkd', { enabled: 'enabled', active: true });
    this.units.set('unattended-upgrades', { enabled: 'enabled', active: true });
    this.units.set('snapd', { enabled: 'enabled', active: true });
    this.addresses = opts.installedStatic ? [{ cidr: opts.installedStatic.cidr, dynamic: false }] : [{ cidr: `${address}/${prefixLength}`, dynamic: true }];
    if (opts.installedStatic) this.defaultRoutes = [opts.installedStatic.gateway];
    const der = rng.hex(64);
    this.microk8s = { installed: false, readyAt: 0, serverCertDer: der, certCheck: sha256hex(der), issuedTokens: new Set(), communityRepo: false, channel: '1.32/stable' };
    this.put('/etc/os-release', OS_RELEASE);
    this.put('/etc/hostname', `${this.hostname}\n`);
    this.put('/etc/default/locale', `LANG=${this.locale}\n`);
    if (opts.openIscsi === false) this.installed.delete('open-iscsi');
    this.put('/etc/machine-id', `${opts.machineId ?? rng.derive('machine-id').hex(32)}\n`);
    this.put('/etc/hosts', hostsFile(this.hostname));
    this.put('/etc/netplan/00-installer-config.yaml', installerNetplan(this.iface, opts.installedStatic), 0o600);
    this.put('/etc/machine-id', `${rng.hex(32)}\n`, 0o444);
  }

  addDisk(d: DiskOptions, letter?: string): Disk {
    const used = new Set(this.disks.map((x) => x.name));
    let name = d.name ?? `sd${letter ?? 'b'}`;
    for (const l of 'bcdefghijklmnop') { if (!used.has(name)) break; name = `sd${l}`; }
    const disk: Disk = {
      name, sizeBytes: Math.round(d.sizeGb * 1e9 / 512) * 512, fsType: d.fsType, serial: `drive-scsi${this.disks.length}-${this.rng.hex(6)}`,
      wwn: `0x5000c500${this.rng.hex(8)}`, model: 'QEMU HARDDISK', createdAt: Date.now(),
    };
    this.disks.push(disk);
    return disk;
  }

  put(path: string, content: string, mode = 0o644): void {
    this.files.set(path, { content, mode, mtime: Date.now() });
  }

  get vgFreeBytes(): number {
    return this.vg.sizeBytes - this.lvs.reduce((n, lv) => n + lv.sizeBytes, 0);
  }

  /** The kernel gives a new device-mapper device the lowest free minor (dm-1 again after lvremove of dm-1). */
  createLv(name: string, sizeBytes: number): LogicalVolume {
    let dm = 1;
    while (this.lvs.some((lv) => lv.dm === dm)) dm++;
    const lv: LogicalVolume = { name, sizeBytes, uuid: this.rng.alnum(32), dm, createdAt: Date.now() };
    this.lvs.push(lv);
    return lv;
  }

  removeLv(name: string): void {
    const i = this.lvs.findIndex((lv) => lv.name === name);
    if (i >= 0) this.lvs.splice(i, 1);
  }

  /** Removes a path that exists by state kept elsewhere (the installed kloudspot CLI); false when it is not such a path. */
  removeVirtual(path: string): boolean {
    if (path === '/usr/local/bin/kloudspot' && this.kloudspotTools) { this.kloudspotTools = false; return true; }
    return false;
  }

  /** Virtual files the kernel and services provide. */
  virtualFile(path: string): string | undefined {
    switch (path) {
      case '/proc/cpuinfo': return cpuinfo(this.cores, this.avx);
      case '/proc/meminfo': return meminfo(this.memKb);
      case '/proc/sys/kernel/random/boot_id': return `${this.bootId}\n`;
      case '/proc/version': return 'Linux version 5.15.0-101-generic (buildd@lcy02-amd64-032) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #111-Ubuntu SMP Tue Mar 5 20:16:58 UTC 2024\n';
      default: return dqliteFile(this, path);
    }
  }

  /** Paths that exist because of state kept elsewhere (snap files, installed tools). */
  virtualExists(path: string): boolean {
    if (this.virtualFile(path) !== undefined) return true;
    if (path === '/usr/local/bin/kloudspot') return this.kloudspotTools;
    if (path === '/snap/bin/microk8s' || path === '/var/snap/microk8s/current/credentials') return this.microk8s.installed;
    if (path === '/var/snap/microk8s/current/var/lock/clustered.lock') return this.isWorker();
    if (path === '/dev/null' || path === '/' || path === '/etc' || path === '/tmp') return true;
    if (/^\/dev\/sd[a-z]$/.test(path)) return this.disks.some((d) => `/dev/${d.name}` === path);
    if (path.startsWith(`/dev/${this.vg.name}/`)) return this.lvs.some((lv) => `/dev/${this.vg.name}/${lv.name}` === path);
    if (/^\/dev\/dm-\d+$/.test(path)) return this.lvs.some((lv) => `/dev/dm-${lv.dm}` === path);
    return false;
  }

  exists(path: string): boolean {
    if (this.files.has(path) || this.virtualExists(path)) return true;
    const dir = path.endsWith('/') ? path : `${path}/`;
    for (const p of this.files.keys()) if (p.startsWith(dir)) return true;
    return false;
  }

  isWorker(): boolean {
    return this.microk8s.cluster?.members.get(this.name)?.role === 'worker';
  }

  /** Readable by the login user: world-readable files, or anything when root. */
  canRead(path: string, root: boolean): boolean {
    const f = this.files.get(path);
    return root || !f || (f.mode & 0o004) !== 0;
  }

  /** The login user may write only under its home and /tmp. */
  canWrite(path: string, root: boolean, user: string): boolean {
    return root || path.startsWith(`/home/${user}/`) || path.startsWith('/tmp/');
  }

  get upSince(): string {
    return new Date(this.bootedAt).toISOString();
  }
}
