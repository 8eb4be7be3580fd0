// The Debian 12 root file system every node starts from: debootstrap once into the cache (about 400 MB),
// then settings every node shares. Built into a `.partial` directory and renamed, so an interrupted build
// is never taken for a finished one.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { debCacheDir, rootfsDir, SUITE } from './paths';
import { run } from './exec';

/** The list plus what the install really uses: open-iscsi (the installer enables iscsid), python3 (netplan). */
export const PACKAGES = [
  'systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'sudo', 'iproute2', 'iputils-ping', 'lvm2', 'netplan.io',
  'curl', 'ca-certificates', 'open-iscsi', 'python3', 'util-linux', 'procps',
];
export const MIRROR = 'http://deb.debian.org/debian';

/** The interface nspawn gives a container on --network-bridge. */
export const NODE_INTERFACE = 'host0';

export function rootfsReady(): boolean {
  return existsSync(join(rootfsDir(), '.kloudspot-testbed-complete'));
}

export function ensureRootfs(log: (line: string) => void): { dir: string; builtMs: number } {
  const dir = rootfsDir();
  if (rootfsReady()) return { dir, builtMs: 0 };
  const started = Date.now();
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(debCacheDir(), { recursive: true });
  log(`Building the Debian ${SUITE} root file system with debootstrap into ${dir} (once; a few minutes)...`);
  run(['debootstrap', '--variant=minbase', `--include=${PACKAGES.join(',')}`, `--cache-dir=${debCacheDir()}`, SUITE, partial, MIRROR],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  configure(partial);
  writeFileSync(join(partial, '.kloudspot-testbed-complete'), `${new Date().toISOString()}\n`);
  renameSync(partial, dir);
  log(`Root file system ready in ${Math.round((Date.now() - started) / 1000)} s.`);
  return { dir, builtMs: Date.now() - started };
}

function put(root: string, path: string, content: string, mode = 0o644): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, mode);
}

/** What every node shares: sources, a DHCP netplan like a fresh install's, LVM without device-mapper. */
function configure(root: string): void {
  put(root, 'etc/apt/sources.list', [
    `deb ${MIRROR} ${SUITE} main`, `deb ${MIRROR} ${SUITE}-updates main`, `deb http://deb.debian.org/debian-security ${SUITE}-security main`, '',
  ].join('\n'));
  // The clones share one hostname, as machines installed from one image do; the installer renames them.
  put(root, 'etc/hostname', 'debian\n');
  put(root, 'etc/hosts', '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  put(root, 'etc/netplan/00-installer-config.yaml',
    `# As a fresh server install writes it: the first address comes from DHCP.\nnetwork:\n  version: 2\n  ethernets:\n    ${NODE_INTERFACE}:\n      dhcp4: true\n`, 0o600);
  // Ubuntu's update-notifier asks for a reboot after upgrades of libc, the kernel, dbus...; Debian has no
  // such hook, so the testbed adds one: every dpkg run that changed something asks for a reboot.
  put(root, 'etc/apt/apt.conf.d/99kloudspot-testbed-reboot-required',
    'DPkg::Post-Invoke { "touch /var/run/reboot-required"; };\n');
  // The kernel here has no device-mapper: LVM keeps real metadata on the node's PV but activates nothing.
  const lvmConf = join(root, 'etc/lvm/lvm.conf');
  const conf = readFileSync(lvmConf, 'utf8');
  const edited = conf.replace(/^(\s*)# activation = 1$/m, '$1activation = 0');
  if (edited === conf) throw new Error(`${lvmConf}: no "# activation = 1" line to change (lvm2's default lvm.conf changed?)`);
  writeFileSync(lvmConf, edited);
  run(['chroot', root, 'systemctl', 'enable', 'systemd-networkd.service']);
  // Each node gets its own machine id and host keys.
  writeFileSync(join(root, 'etc/machine-id'), '');
  rmSync(join(root, 'var/lib/dbus/machine-id'), { force: true });
  run(['sh', '-c', 'rm -f "$1"/etc/ssh/ssh_host_*', 'sh', root]);
}
