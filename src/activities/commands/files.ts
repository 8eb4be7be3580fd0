// Files on a node: read, written through stdin (never through argv), removed; and /etc/hosts rendered.
import { cmd, query, sh, type RemoteCommand } from './sh';

export const readFile = (path: string): RemoteCommand => query(sh`sudo cat ${path}`, { okCodes: [0, 1] });
/** Writes stdin to `path` with `mode`; the file is created with its mode before content arrives, so a key is never world-readable. */
export const writeFile = (path: string, content: string, mode = '0644'): RemoteCommand =>
  cmd(sh`sudo install -D -m ${mode} /dev/null ${path} && sudo tee ${path} >/dev/null`, { stdin: content });
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
/** A file's bytes as one base64 line (coreutils base64 -w 0), read through sudo like every other read. */
export const readFileBase64 = (path: string): RemoteCommand => query(sh`sudo base64 -w 0 ${path}`);
