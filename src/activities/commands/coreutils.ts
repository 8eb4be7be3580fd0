// coreutils reads the doctor makes: free space on / (df), the datastore's size (du), the node's clock (date).
// Formats: coreutils df(1) `--output`, du(1) `-s -b` (`<bytes>\t<path>`), date(1) `+%s.%N`; docs/commands.md.
import { cmd, query, sh, type RemoteCommand } from './sh';

/** dqlite's directory on a control-plane node (microk8s: ${SNAP_DATA}/var/kubernetes/backend). */
export const DATASTORE_DIR = '/var/snap/microk8s/current/var/kubernetes/backend';

/** `   Avail    Size` then the two byte counts, right-aligned. */
export const rootSpace = (): RemoteCommand => query('df -B1 --output=avail,size /');
export const directorySize = (path: string): RemoteCommand => query(sh`sudo du -s -b ${path}`, { okCodes: [0, 1] });
/** Seconds since the epoch with nanoseconds: `1764688360.123456789`. */
export const clock = (): RemoteCommand => query('date +%s.%N');

export function parseRootSpace(text: string): { availBytes: number; sizeBytes: number } {
  const m = /^\s*(\d+)\s+(\d+)\s*$/m.exec(text.split('\n').slice(1).join('\n'));
  if (!m) throw new Error(`unexpected "df --output=avail,size" output: ${JSON.stringify(text.slice(0, 200))}`);
  return { availBytes: Number(m[1]), sizeBytes: Number(m[2]) };
}

export function parseDirectorySize(text: string): number {
  const m = /^(\d+)\t/.exec(text);
  if (!m) throw new Error(`unexpected "du -s -b" output: ${JSON.stringify(text.slice(0, 200))}`);
  return Number(m[1]);
}

export function parseClock(text: string): number {
  const m = /^(\d+)\.(\d{1,9})\s*$/.exec(text.trim());
  if (!m) throw new Error(`unexpected "date +%s.%N" output: ${JSON.stringify(text.slice(0, 200))}`);
  return Number(m[1]) * 1000 + Math.floor(Number(m[2].padEnd(9, '0')) / 1e6);
}

/** A file's bytes through the exec channel (backups): `base64 -w 0` prints one line without a newline. */
export const fileBase64 = (path: string): RemoteCommand => query(sh`sudo base64 -w 0 ${path}`, { okCodes: [0, 1] });
export const removeFile = (path: string): RemoteCommand => cmd(sh`sudo rm -f ${path}`);

/** Node output held to the base64 alphabet before it is decoded. */
export function parseBase64(text: string): Buffer {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) throw new Error(`unexpected "base64" output: ${JSON.stringify(t.slice(0, 80))}`);
  return Buffer.from(t, 'base64');
}
