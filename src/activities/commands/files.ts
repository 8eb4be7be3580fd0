// Files on a node: read, written through stdin (never through argv), removed; and /etc/hosts rendered.
import { cmd, query, sh, SUDO, type RemoteCommand } from './sh';

export const readFile = (path: string): RemoteCommand => query(sh`${SUDO} cat ${path}`, { okCodes: [0, 1] });
/** cat's own words for a missing file (coreutils cat.c: `cat: <file>: ` + strerror(ENOENT)); exit 1 alone may be sudo refusing. */
export const fileMissing = (stderr: string): boolean => /^cat: .*: No such file or directory$/m.test(stderr);

/** The file's new content is written here first: same directory, so the `mv` is one rename(2) on one file system. */
export const tempPathFor = (path: string): string => path.replace(/([^/]*)$/, '.$1.kloudspot-new');
/**
 * Writes stdin to `path` with `mode`, atomically: into a temporary file in the same directory (created with
 * its mode before content arrives, so a key is never world-readable), then renamed over `path`. A session
 * dropped mid-write leaves the old file whole (a truncate-then-write would leave it empty).
 */
export const writeFile = (path: string, content: string, mode = '0644'): RemoteCommand => {
  const tmp = tempPathFor(path);
  return cmd(sh`${SUDO} install -D -m ${mode} /dev/null ${tmp} && ${SUDO} tee ${tmp} >/dev/null && ${SUDO} mv -f ${tmp} ${path}`, { stdin: content });
};
/** Exists when an upgrade asks for a restart (update-notifier's hook on Ubuntu). */
export const rebootRequired = (): RemoteCommand => query('test -e /var/run/reboot-required', { okCodes: [0, 1] });

export const HOSTS_FILE = '/etc/hosts';
export const HOSTS_BEGIN = '# BEGIN kloudspot-installer cluster nodes';
export const HOSTS_END = '# END kloudspot-installer cluster nodes';

/**
 * The seed's /etc/hosts edit: `127.0.1.1 <this node>` and one line per cluster node. The node lines live in
 * a marked block so a re-run replaces rather than appends; other lines are kept as they are.
 */
export function renderHostsFile(current: string, self: string, nodes: { name: string; address: string }[]): string {
  const names = new Set(nodes.map((n) => n.name));
  const addresses = new Set(nodes.map((n) => n.address));
  const kept: string[] = [];
  let inBlock = false;
  let selfLineDone = false;
  for (const line of current.replace(/\n$/, '').split('\n')) {
    if (line === HOSTS_BEGIN) { inBlock = true; continue; }
    if (line === HOSTS_END) { inBlock = false; continue; }
    if (inBlock) continue;
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields[0] === '127.0.1.1') {
      if (!selfLineDone) kept.push(`127.0.1.1 ${self}`);
      selfLineDone = true;
      continue;
    }
    // A stale line that maps a cluster name or address elsewhere would shadow ours: drop it.
    if (fields.length > 1 && !fields[0].startsWith('127.') && fields[0] !== '::1' &&
        (addresses.has(fields[0]) || fields.slice(1).some((f) => names.has(f)))) continue;
    kept.push(line);
  }
  if (!selfLineDone) {
    const at = kept.findIndex((l) => l.startsWith('127.0.0.1'));
    kept.splice(at >= 0 ? at + 1 : 0, 0, `127.0.1.1 ${self}`);
  }
  while (kept.length > 0 && kept[kept.length - 1].trim() === '') kept.pop();
  return [...kept, '', HOSTS_BEGIN, ...nodes.map((n) => `${n.address} ${n.name}`), HOSTS_END, ''].join('\n');
}

/** reset: the file without our marked block and the blank line renderHostsFile put before it; other lines stay. */
export function hostsFileWithoutBlock(current: string): string {
  const lines = current.split('\n');
  const [a, b] = [lines.indexOf(HOSTS_BEGIN), lines.indexOf(HOSTS_END)];
  if (a < 0 || b < a) return current;
  const before = lines.slice(0, a);
  if (before.length > 0 && before[before.length - 1] === '') before.pop();
  return [...before, ...lines.slice(b + 1)].join('\n');
}
/** A file's bytes as one base64 line (coreutils base64 -w 0), read through sudo like every other read. */
export const readFileBase64 = (path: string, missingOk = false): RemoteCommand =>
  query(sh`${SUDO} base64 -w 0 ${path}`, missingOk ? { okCodes: [0, 1] } : {});
export const removeFile = (path: string): RemoteCommand => cmd(sh`${SUDO} rm -f ${path}`);

/** Node output held to the base64 alphabet before it is decoded. */
export function parseBase64(text: string): Buffer {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) throw new Error(`unexpected "base64" output: ${JSON.stringify(t.slice(0, 80))}`);
  return Buffer.from(t, 'base64');
}
