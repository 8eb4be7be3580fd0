// apt and dpkg (the seed's "sudo apt update && sudo apt upgrade"), unattended. Formats: docs/commands.md.
import { C_LOCALE, cmd, query, raw, sh, SUDO, type RemoteCommand } from './sh';

/** Waits for the dpkg lock instead of failing on it; conffile questions keep the local file. */
export const APT = raw(`${SUDO.text} DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a apt-get -o DPkg::Lock::Timeout=900 ` +
  '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -y -q');

/** `install ok installed` when installed; never installed: `dpkg-query: no packages found matching X` exit 1. */
export const packageStatus = (name: string): RemoteCommand => query(sh`${C_LOCALE} dpkg-query -W ${'-f=${Status}'} ${name}`, { okCodes: [0, 1] });
export const packageInstalled = (stdout: string): boolean => stdout.trim() === 'install ok installed';
export const aptInstall = (name: string): RemoteCommand => cmd(sh`${APT} install ${name}`);
export const aptUpdate = (): RemoteCommand => cmd(sh`${APT} update`);
/** Simulated dist-upgrade: prints the summary line without changing anything (the "already done?" check). */
export const aptSimulateUpgrade = (): RemoteCommand => query(sh`${C_LOCALE} apt-get -s -o Debug::NoLocking=1 dist-upgrade`);
export const aptDistUpgrade = (): RemoteCommand => cmd(sh`${APT} dist-upgrade`);
/**
 * Finishes what an upgrade cut off while dpkg unpacked left half done (a crash, reboot or dropped SSH
 * connection mid-upgrade): until then every apt run fails with "dpkg was interrupted". Conffile
 * questions are answered as the apt runs answer them.
 */
export const dpkgConfigurePending = (): RemoteCommand =>
  cmd(sh`${SUDO} DEBIAN_FRONTEND=noninteractive dpkg --force-confdef --force-confold --configure -a`);
/**
 * Another apt holds the lists lock (update) or the archives lock (upgrade downloads): apt 2.6 fails at once
 * with exit 100, `E: Could not get lock /var/lib/apt/lists/lock. It is held by process 712 (apt-get)` and
 * `E: Unable to lock directory /var/lib/apt/lists/`; DPkg::Lock::Timeout covers only the dpkg lock. On a fresh
 * machine apt-daily.service holds it right after boot.
 */
export const aptLockBusy = (stderr: string): boolean => /E: Unable to lock directory \/var\/(lib\/apt\/lists|cache\/apt\/archives)\//.test(stderr);
/**
 * dpkg itself does not wait for its lock (DPkg::Lock::Timeout is apt's option): `dpkg --configure -a` while
 * unattended-upgrades runs fails with exit 2, `dpkg: error: dpkg frontend lock was locked by another process
 * with pid 1284` (dpkg 1.21 lib/dpkg/dbmodify.c; older dpkg: `dpkg status database is locked by another process`).
 */
export const dpkgLockBusy = (stderr: string): boolean =>
  /^dpkg: error: (dpkg frontend lock was locked by another process|dpkg (frontend is|status database is) locked by another process)/m.test(stderr);
/** apt's refusal after an interrupted dpkg run (apt-pkg/deb/debsystem.cc). */
export const dpkgWasInterrupted = (stderr: string): boolean => /dpkg was interrupted, you must manually run .*dpkg --configure -a/.test(stderr);

/** `12 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.` -> upgraded + newly installed. */
export function parseAptSummary(text: string): { upgraded: number; newlyInstalled: number } {
  const m = /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded\.$/m.exec(text);
  if (!m) throw new Error(`unexpected apt-get output (no summary line): ${JSON.stringify(text.slice(-300))}`);
  return { upgraded: Number(m[1]), newlyInstalled: Number(m[2]) };
}
