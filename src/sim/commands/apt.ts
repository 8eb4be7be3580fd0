// apt-get as on 22.04 (apt 2.4): update, upgrade, dist-upgrade, install, and `-s` simulation. Output is
// what apt prints with stdout not a terminal (quiet level 1: no progress bars). A dist-upgrade with a new
// kernel leaves /var/run/reboot-required, as update-notifier's hook does.
import { aptListsLockHolder, dpkgLockedMessage, dpkgLockHolder, listsLockedMessage } from '../apt-locks';
import type { Proc } from '../process';
import type { CommandDef } from './types';
import type { AptPackage } from '../node-defaults';
import { INSTALLABLE } from '../node-defaults';
import { aptReachesArchive } from '../proxy-world';

/** apt 2.4 when it cannot connect (no proxy on a proxy-only site): update warns and exits 0, a download fails. */
const NO_ROUTE = 'Could not connect to archive.ubuntu.com:80 (185.125.190.36), connection timed out';

const wrap = (names: string[]): string => {
  const lines: string[] = [];
  let cur = ' ';
  for (const n of names) {
    if (cur.length + n.length + 1 > 79) { lines.push(cur); cur = ' '; }
    cur += ` ${n}`;
  }
  lines.push(cur);
  return lines.map((l) => `${l}\n`).join('');
};

const mb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.round(bytes / 1e3)} kB`);

function plan(pkgs: AptPackage[], dist: boolean): { install: AptPackage[]; kept: AptPackage[] } {
  if (dist) return { install: pkgs, kept: [] };
  // Plain upgrade never installs new packages, so the kernel metapackages are kept back.
  const kept = pkgs.filter((p) => p.newlyInstalled || /^linux-(generic|image-generic|headers-generic)$/.test(p.name));
  return { install: pkgs.filter((p) => !kept.includes(p)), kept: kept.filter((p) => !p.newlyInstalled) };
}

/**
 * The language apt's gettext messages come in: LC_ALL, then LC_MESSAGES, then LANG (a C or POSIX locale
 * is English). Only German is simulated, with apt's de.po wording as a German node prints it
 * (docs/commands.md, "Locale").
 */
export function messagesGerman(env: Record<string, string>): boolean {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || 'C';
  return /^de(_|$)/.test(locale);
}

function summary(upgraded: number, newly: number, notUpgraded: number, german = false): string {
  if (german) return `${upgraded} aktualisiert, ${newly} neu installiert, 0 zu entfernen und ${notUpgraded} nicht aktualisiert.\n`;
  return `${upgraded} upgraded, ${newly} newly installed, 0 to remove and ${notUpgraded} not upgraded.\n`;
}

function listing(p: Proc, install: AptPackage[], kept: AptPackage[]): void {
  const german = messagesGerman(p.env);
  p.out(german ? 'Paketlisten werden gelesen...\nAbhängigkeitsbaum wird aufgebaut...\nStatusinformationen werden eingelesen...\nPaketaktualisierung (Upgrade) wird berechnet...\n'
    : 'Reading package lists...\nBuilding dependency tree...\nReading state information...\nCalculating upgrade...\n');
  const fresh = install.filter((x) => x.newlyInstalled);
  const up = install.filter((x) => !x.newlyInstalled);
  if (kept.length) p.out(`The following packages have been kept back:\n${wrap(kept.map((x) => x.name))}`);
  if (fresh.length) p.out(`The following NEW packages will be installed:\n${wrap(fresh.map((x) => x.name))}`);
  if (up.length) p.out(`The following packages will be upgraded:\n${wrap(up.map((x) => x.name))}`);
  p.out(summary(up.length, fresh.length, kept.length, german));
}

async function aptGet(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  let simulate = false, yes = false;
  const words: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '-o') { i++; continue; }
    if (a[i] === '-s' || a[i] === '--simulate' || a[i] === '--dry-run' || a[i] === '--just-print') simulate = true;
    else if (a[i] === '-y' || a[i] === '--yes' || a[i] === '--assume-yes') yes = true;
    else if (/^-q+$/.test(a[i]) || a[i] === '--quiet' || a[i].startsWith('-o')) continue;
    else if (a[i].startsWith('-')) { p.err(`E: Command line option '${a[i]}' is not understood in combination with the other options\n`); return 100; }
    else words.push(a[i]);
  }
  const [sub, ...pkgs] = words;
  const node = p.node;
  if (!sub) { p.out('apt 2.4.12 (amd64)\nUsage: apt-get [options] command\n'); return 1; }
  if (!['update', 'upgrade', 'dist-upgrade', 'full-upgrade', 'install'].includes(sub)) { p.err(`E: Invalid operation ${sub}\n`); return 100; }

  if (simulate) {
    if (!p.root) {
      p.out('NOTE: This is only a simulation!\n      apt-get needs root privileges for real execution.\n' +
        '      Keep also in mind that locking is deactivated,\n      so don\'t depend on the relevance to the real current situation!\n');
    }
    await p.work('command');
    if (sub === 'update') return 0;
    const { install, kept } = plan(node.pending, sub !== 'upgrade');
    listing(p, sub === 'install' ? [] : install, kept);
    for (const x of install) p.out(`Inst ${x.name}${x.from ? ` [${x.from}]` : ''} (${x.to} Ubuntu:22.04/jammy-updates [amd64])\n`);
    for (const x of install) p.out(`Conf ${x.name} (${x.to} Ubuntu:22.04/jammy-updates [amd64])\n`);
    return 0;
  }

  if (!p.root) {
    if (sub === 'update') {
      p.out('Reading package lists...\n');
      p.err('E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)\nE: Unable to lock directory /var/lib/apt/lists/\n');
    } else {
      p.err('E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\n' +
        'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n');
    }
    return 100;
  }
  if (node.dpkgInterrupted && sub !== 'update') {
    p.err("E: dpkg was interrupted, you must manually run 'sudo dpkg --configure -a' to correct the problem. \n");
    return 100;
  }

  if (sub === 'update') {
    const holder = aptListsLockHolder(node);
    if (holder) { p.out('Reading package lists...\n'); p.err(listsLockedMessage(holder)); return 100; }
    await p.work('aptUpdate');
    if (!aptReachesArchive(p)) {
      p.out(`Err:1 http://archive.ubuntu.com/ubuntu jammy InRelease\n  ${NO_ROUTE}\nReading package lists...\n`);
      p.err(`W: Failed to fetch http://archive.ubuntu.com/ubuntu/dists/jammy/InRelease  ${NO_ROUTE}\nW: Some index files failed to download. They have been ignored, or old ones used instead.\n`);
      return 0;
    }
    p.out('Hit:1 http://archive.ubuntu.com/ubuntu jammy InRelease\nGet:2 http://archive.ubuntu.com/ubuntu jammy-updates InRelease [128 kB]\n' +
      'Get:3 http://archive.ubuntu.com/ubuntu jammy-backports InRelease [127 kB]\nGet:4 http://security.ubuntu.com/ubuntu jammy-security InRelease [129 kB]\n' +
      'Fetched 384 kB in 1s (402 kB/s)\nReading package lists...\n');
    return 0;
  }

  if (sub === 'install') {
    p.out('Reading package lists...\nBuilding dependency tree...\nReading state information...\n');
    const unknown = pkgs.find((x) => !INSTALLABLE.has(x));
    if (unknown) { p.err(`E: Unable to locate package ${unknown}\n`); return 100; }
    const fresh = pkgs.filter((x) => !node.installed.has(x));
    for (const x of pkgs.filter((y) => node.installed.has(y))) p.out(`${x} is already the newest version.\n`);
    if (fresh.length) p.out(`The following NEW packages will be installed:\n${wrap(fresh)}`);
    p.out(summary(0, fresh.length, node.pending.length));
    if (fresh.length === 0) return 0;
    await p.work('aptInstall');
    for (const x of fresh) {
      node.installed.add(x);
      p.out(`Selecting previously unselected package ${x}.\nUnpacking ${x} ...\nSetting up ${x} ...\n`);
      p.effect(`apt install ${x}`);
    }
    return 0;
  }

  const { install, kept } = plan(node.pending, sub !== 'upgrade');
  listing(p, install, kept);
  if (install.length === 0) return 0;
  const total = install.reduce((n, x) => n + x.size, 0);
  p.out(`Need to get ${mb(total)} of archives.\nAfter this operation, ${mb(total * 4)} of additional disk space will be used.\n`);
  if (!aptReachesArchive(p)) {
    await p.work('aptUpdate');
    p.err(`E: Failed to fetch http://archive.ubuntu.com/ubuntu/pool/main/${install[0].name[0]}/${install[0].name}/${install[0].name}_${install[0].to}_amd64.deb  ${NO_ROUTE}\n` +
      'E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?\n');
    return 100;
  }
  if (!yes) {
    p.out('Do you want to continue? [Y/n] ');
    const answer = await p.stdin.readLine();
    if (answer === null || !/^(y|yes|)$/i.test(answer.trim())) { p.out('Abort.\n'); return 1; }
  }
  install.forEach((x, i) => p.out(`Get:${i + 1} http://archive.ubuntu.com/ubuntu jammy-updates/main amd64 ${x.name} amd64 ${x.to} [${mb(x.size)}]\n`));
  p.out(`Fetched ${mb(total)} in 3s (${mb(total / 3)}/s)\n`);
  await p.sleep(p.world.latency.ms('aptUpgrade') / 3);
  node.dpkgInterrupted = true;
  p.out('(Reading database ... 74530 files and directories currently installed.)\n');
  for (const x of install) p.out(`Preparing to unpack .../${x.name}_${x.to}_amd64.deb ...\nUnpacking ${x.name} (${x.to})${x.from ? ` over (${x.from})` : ''} ...\n`);
  await p.sleep((p.world.latency.ms('aptUpgrade') * 2) / 3);
  finishUpgrade(p, install);
  for (const x of install) p.out(`Setting up ${x.name} (${x.to}) ...\n`);
  p.out('Processing triggers for man-db (2.10.2-1) ...\nProcessing triggers for libc-bin (2.35-0ubuntu3.8) ...\n');
  if (install.some((x) => x.name.startsWith('linux-image-'))) p.out('Processing triggers for linux-image-5.15.0-105-generic (5.15.0-105.115) ...\n/etc/kernel/postinst.d/initramfs-tools:\nupdate-initramfs: Generating /boot/initrd.img-5.15.0-105-generic\n');
  return 0;
}

function finishUpgrade(p: Proc, install: AptPackage[]): void {
  const node = p.node;
  node.dpkgInterrupted = false;
  node.pending = node.pending.filter((x) => !install.includes(x));
  const fresh = install.filter((x) => x.newlyInstalled).length;
  p.effect(`apt ${p.argv.includes('upgrade') ? 'upgrade' : 'dist-upgrade'}: ${install.length - fresh} upgraded, ${fresh} newly installed`);
  if (install.some((x) => /^(linux-image-|libc6$|systemd$|libssl3$)/.test(x.name))) {
    p.writeFile('/var/run/reboot-required', '*** System restart required ***\n', 0o644);
    p.writeFile('/var/run/reboot-required.pkgs', install.filter((x) => /^(linux-image-|libc6$|systemd$|libssl3$)/.test(x.name)).map((x) => `${x.name}\n`).join(''), 0o644);
  }
}

/** `dpkg --configure -a`: finishes an interrupted upgrade. */
async function dpkg(p: Proc): Promise<number> {
  const args = p.argv.slice(1).filter((a) => !a.startsWith('--force-'));
  if (!(args[0] === '--configure' && args[1] === '-a')) { p.err('dpkg: error: need an action option\n'); return 2; }
  if (!p.root) { p.err('dpkg: error: requested operation requires superuser privilege\n'); return 2; }
  const holder = dpkgLockHolder(p.node);
  if (holder) { p.err(dpkgLockedMessage(holder)); return 2; }
  if (!p.node.dpkgInterrupted) return 0;
  await p.work('aptInstall');
  const { install } = plan(p.node.pending, true);
  finishUpgrade(p, install);
  for (const x of install) p.out(`Setting up ${x.name} (${x.to}) ...\n`);
  return 0;
}

/** `dpkg-query -W -f=${Status} PKG`: `install ok installed` (no newline); never installed: exit 1 (dpkg-query(1)). */
async function dpkgQuery(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  const format = a.find((x) => x.startsWith('-f=') || x.startsWith('--showformat='))?.replace(/^(-f|--showformat)=/, '');
  const pkgs = a.filter((x) => !x.startsWith('-'));
  if (!a.includes('-W') || format !== '${Status}' || pkgs.length !== 1) { p.err('dpkg-query: error: the simulator knows only -W -f=${Status} PKG\n'); return 2; }
  if (!p.node.installed.has(pkgs[0])) { p.err(`dpkg-query: no packages found matching ${pkgs[0]}\n`); return 1; }
  p.out('install ok installed');
  return 0;
}

export const APT: Record<string, CommandDef> = {
  'apt-get': { path: '/usr/bin/apt-get', run: aptGet },
  dpkg: { path: '/usr/bin/dpkg', run: dpkg },
  'dpkg-query': { path: '/usr/bin/dpkg-query', run: dpkgQuery },
};
