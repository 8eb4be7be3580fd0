// snap: which channel the microk8s snap tracks, and moving it to another (a MicroK8s upgrade).
// Formats: snapd cmd/snap/cmd_list.go (`snap list`: Name Version Rev Tracking Publisher Notes) and
// cmd/snap/cmd_snap_op.go (`microk8s (1.33/stable) v1.33.0 from Canonical✓ refreshed`); see docs/commands.md.
import { MICROK8S_CHANNEL } from '../../site/channels';
import { cmd, query, sh, type RemoteCommand } from './sh';

export const snapListMicrok8s = (): RemoteCommand => query('snap list microk8s');
/** An explicit refresh of one snap: it goes through a refresh hold (holds apply to general and auto refreshes only). */
export function snapRefreshChannel(channel: string): RemoteCommand {
  if (!MICROK8S_CHANNEL.test(channel)) throw new Error(`not a MicroK8s channel: ${JSON.stringify(channel.slice(0, 40))} (expected e.g. 1.33/stable)`);
  return cmd(sh`sudo snap refresh microk8s ${`--channel=${channel}`}`);
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
