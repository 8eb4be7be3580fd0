// snapd: holding MicroK8s' refreshes (no surprise upgrades, microk8s#1022) and reading the hold back.
// Formats from canonical/snapd cmd/snapd/cli (cmd_snap_op.go holdRefreshes/showRefreshTimes, notes.go, cmd_list.go);
// docs/commands.md ("Refresh hold"). Reset undoes the hold with unholdRefresh().
import { cmd, query, sh, type RemoteCommand } from './sh';

/**
 * `--purge`: no automatic snapshot of the snap's data is kept (the certificates and the datastore go, and with
 * the snap its refresh hold). Prints `microk8s removed`; a snap that is not installed prints
 * `snap "microk8s" is not installed` and exits 0.
 */
export const snapRemovePurge = (snap = MICROK8S_SNAP): RemoteCommand => cmd(sh`sudo snap remove --purge ${snap}`);

export const MICROK8S_SNAP = 'microk8s';

/** `forever` or a Go duration (`720h`): "General refreshes of "microk8s" held indefinitely" / "... held until <RFC 3339>". */
export const holdRefresh = (hold: string, snap = MICROK8S_SNAP): RemoteCommand => cmd(sh`sudo snap refresh --hold=${hold} ${snap}`);
/** "Removed general refresh hold of "microk8s"". */
export const unholdRefresh = (snap = MICROK8S_SNAP): RemoteCommand => cmd(sh`sudo snap refresh --unhold ${snap}`);
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
