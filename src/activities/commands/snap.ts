// snapd: the MicroK8s snap the tools script installed, removed with its data by reset.
// Formats from canonical/snapd cmd/snapd/cli (cmd_snap_op.go, error.go, cmd_list.go); see docs/commands.md.
import { cmd, query, sh, type RemoteCommand } from './sh';

export const MICROK8S_SNAP = 'microk8s';

/** `Name  Version  Rev  Tracking  Publisher  Notes` and one line for the snap; exit 1 "error: no matching snaps installed". */
export const listSnap = (snap = MICROK8S_SNAP): RemoteCommand => query(sh`snap list ${snap}`, { okCodes: [0, 1] });
/**
 * `--purge`: no automatic snapshot of the snap's data is kept (the certificates and the datastore go, and with
 * the snap its refresh hold). Prints `microk8s removed`; a snap that is not installed prints
 * `snap "microk8s" is not installed` and exits 0.
 */
export const snapRemovePurge = (snap = MICROK8S_SNAP): RemoteCommand => cmd(sh`sudo snap remove --purge ${snap}`);

// snap: the refresh hold the doctor checks (the install places it: microk8s.refreshHold). Format from
// canonical/snapd cmd/snapd/cli/cmd_snap_op.go showRefreshTimes(): `timer: ...` (or `schedule: ...`),
// `last: ...`, `hold: forever` (held beyond 100 years) or `hold: <time>`, then `next: ...`; with --abs-time
// every time is RFC 3339. Only the system-wide hold (`snap refresh --hold`, auto-refreshes of all snaps) shows
// there; a per-snap hold (`snap refresh --hold microk8s`) shows as `held` in `snap list`'s Notes (notes.go).

export const refreshTimes = (): RemoteCommand => query('snap refresh --time --abs-time');
export const listMicrok8sSnap = (): RemoteCommand => query('snap list microk8s', { okCodes: [0, 1] });

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
