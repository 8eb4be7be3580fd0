// snapd: holding MicroK8s' refreshes (no surprise upgrades, microk8s#1022) and reading the hold back, the channel
// microk8s tracks and moving it (upgrade). Formats from canonical/snapd cmd/snapd/cli (cmd_snap_op.go
// holdRefreshes/showRefreshTimes, notes.go, cmd_list.go); docs/commands.md ("Refresh hold", "Upgrade").
// Reset undoes the hold with unholdRefresh().
import { MICROK8S_CHANNEL } from '../../site/channels';
import { cmd, query, sh, SUDO, type RemoteCommand } from './sh';

/**
 * `--purge`: no automatic snapshot of the snap's data is kept (the certificates and the datastore go, and with
 * the snap its refresh hold). Prints `microk8s removed`; a snap that is not installed prints
 * `snap "microk8s" is not installed` and exits 0.
 */
export const snapRemovePurge = (snap = MICROK8S_SNAP): RemoteCommand => cmd(sh`${SUDO} snap remove --purge ${snap}`);

export const MICROK8S_SNAP = 'microk8s';

/** `forever` or a Go duration (`720h`): "General refreshes of "microk8s" held indefinitely" / "... held until <RFC 3339>". */
export const holdRefresh = (hold: string, snap = MICROK8S_SNAP): RemoteCommand => cmd(sh`${SUDO} snap refresh --hold=${hold} ${snap}`);
/** "Removed general refresh hold of "microk8s"". */
export const unholdRefresh = (snap = MICROK8S_SNAP): RemoteCommand => cmd(sh`${SUDO} snap refresh --unhold ${snap}`);
/** `Name  Version  Rev  Tracking  Publisher  Notes` and one line for the snap; exit 1 "error: no matching snaps installed". */
export const listSnap = (snap = MICROK8S_SNAP): RemoteCommand => query(sh`snap list ${snap}`, { okCodes: [0, 1] });
/**
 * `timer:`/`schedule:`, `last:`, `hold:` (only with a system-wide hold: `snap refresh --hold` without snaps) and
 * `next:` lines. A hold of one snap is not in it: that shows as `held` in `snap list`'s Notes.
 */
export const refreshTimes = (): RemoteCommand => query('snap refresh --time --abs-time');

/** The Notes column of `snap list <snap>` (comma-separated: `classic,held`), or undefined when not installed. */
export function parseSnapNotes(stdout: string, snap = MICROK8S_SNAP): string[] | undefined {
  const line = stdout.split('\n').find((l) => l.split(/\s+/)[0] === snap);
  if (!line) return undefined;
  const fields = line.trim().split(/\s+/);
  const notes = fields[fields.length - 1];
  return notes === '-' ? [] : notes.split(',');
}

/** The `hold:` line of `snap refresh --time`: `forever`, a time, or undefined when there is no system-wide hold. */
export function parseRefreshHold(stdout: string): string | undefined {
  return /^hold:\s*(\S.*)$/m.exec(stdout)?.[1].trim();
}

export const listMicrok8sSnap = (): RemoteCommand => listSnap();

/** `forever`, the hold's end (epoch ms), or none. */
export type RefreshHold = { kind: 'forever' } | { kind: 'until'; at: number } | { kind: 'none' };

export function parseRefreshTimes(text: string): RefreshHold {
  if (!/^(timer|schedule): /m.test(text)) throw new Error(`unexpected "snap refresh --time" output: ${JSON.stringify(text.slice(0, 200))}`);
  const m = /^hold: (.+)$/m.exec(text);
  if (!m) return { kind: 'none' };
  if (m[1].trim() === 'forever') return { kind: 'forever' };
  const at = Date.parse(m[1].trim());
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(m[1].trim()) || Number.isNaN(at)) {
    throw new Error(`unexpected hold time in "snap refresh --time --abs-time": ${JSON.stringify(m[1].slice(0, 80))}`);
  }
  return { kind: 'until', at };
}

/** `snap list microk8s`: the Notes column (last) lists `held` when the snap itself is held (notes.go). */
export function parseSnapHeld(text: string): boolean {
  const row = text.split('\n').find((l) => l.startsWith('microk8s '));
  return !!row && row.trim().split(/\s+/).pop()!.split(',').includes('held');
}

/** An explicit refresh of one snap: it goes through a refresh hold (holds apply to general and auto refreshes only). */
export function snapRefreshChannel(channel: string): RemoteCommand {
  if (!MICROK8S_CHANNEL.test(channel)) throw new Error(`not a MicroK8s channel: ${JSON.stringify(channel.slice(0, 40))} (expected e.g. 1.33/stable)`);
  return cmd(sh`${SUDO} snap refresh microk8s ${`--channel=${channel}`}`);
}

export interface SnapRow { name: string; version: string; rev: string; tracking: string; notes: string }

/** `snap list` rows under the header; node output, so each field is held to a plain pattern. */
export function parseSnapList(text: string): SnapRow[] {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!/^Name\s+Version\s+Rev\s+Tracking\s+Publisher\s+Notes$/.test(lines[0] ?? '')) throw new Error(`unexpected "snap list" output: ${JSON.stringify((lines[0] ?? '').slice(0, 120))}`);
  return lines.slice(1).map((l) => l.split(/\s+/)).filter((f) => f.length >= 5 && /^[a-z0-9-]{1,40}$/.test(f[0]))
    .map((f) => ({ name: f[0], version: f[1], rev: f[2], tracking: f[3], notes: f[5] ?? '' }));
}

/** The channel a microk8s snap tracks, when it is a MicroK8s version channel. */
export function microk8sTracking(text: string): string {
  const row = parseSnapList(text).find((r) => r.name === 'microk8s');
  if (!row) throw new Error('snap list shows no microk8s snap');
  if (!MICROK8S_CHANNEL.test(row.tracking)) throw new Error(`microk8s tracks "${row.tracking.slice(0, 40)}", not a <major>.<minor>/<risk> channel`);
  return row.tracking;
}
