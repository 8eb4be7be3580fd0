// apt's lists lock held by another apt (apt-daily.service right after boot on a fresh machine). Real apt
// 2.6 does not wait for it: `apt-get update` fails at once with exit 100 (seen on a Debian 12 node; the
// DPkg::Lock::Timeout option covers only the dpkg lock). Kept apart from node-state so tests can arm it.
import type { SimNode } from './node-state';

interface Holder { until: number; pid: number; program: string }
const held = new WeakMap<SimNode, Holder>();

/** Another process holds /var/lib/apt/lists/lock on `node` for `ms`. */
export function holdAptListsLock(node: SimNode, ms: number, program = 'apt-get', pid = 712): void {
  held.set(node, { until: Date.now() + ms, pid, program });
}

export function aptListsLockHolder(node: SimNode, now = Date.now()): Holder | undefined {
  const h = held.get(node);
  return h && h.until > now ? h : undefined;
}

/** apt-pkg/contrib/fileutl.cc GetLock and apt-get's update, as apt 2.6 prints them. */
export const listsLockedMessage = (h: Holder): string =>
  `E: Could not get lock /var/lib/apt/lists/lock. It is held by process ${h.pid} (${h.program})\nE: Unable to lock directory /var/lib/apt/lists/\n`;

const dpkgHeld = new WeakMap<SimNode, Holder>();

/** Another process (unattended-upgrades) holds dpkg's frontend lock /var/lib/dpkg/lock-frontend on `node` for `ms`. */
export function holdDpkgLock(node: SimNode, ms: number, program = 'unattended-upgr', pid = 1284): void {
  dpkgHeld.set(node, { until: Date.now() + ms, pid, program });
}

export function dpkgLockHolder(node: SimNode, now = Date.now()): Holder | undefined {
  const h = dpkgHeld.get(node);
  return h && h.until > now ? h : undefined;
}

/**
 * dpkg 1.21 (lib/dpkg/dbmodify.c, modstatdb_lock): `dpkg` itself does not wait for the lock (apt's
 * DPkg::Lock::Timeout is apt's), it fails with exit 2 and this note.
 */
export const dpkgLockedMessage = (h: Holder): string =>
  `dpkg: error: dpkg frontend lock was locked by another process with pid ${h.pid}\n` +
  'Note: removing the lock file is always wrong, and can end up damaging the\nlocked area and the entire system. See <https://wiki.debian.org/Teams/Dpkg/FAQ>.\n';
