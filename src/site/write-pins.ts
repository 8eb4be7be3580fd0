// `status <site> --write-spec <file>`: the host keys the install pinned at first contact, written back into the
// spec as nodes[].hostKey so that every later run (on any worker) checks them. js-yaml drops comments on a
// round trip, so the spec is edited as text, one inserted key per node, and the result is parsed again and
// checked: comments, order and layout stay as the person wrote them.
import yaml from 'js-yaml';
import { SSH_FINGERPRINT } from './patterns';

/** The status summary's "host keys pinned at first contact" value: `k8s-vm-1 SHA256:..., k8s-vm-2 SHA256:... (check ...)`. */
export function parsePinnedSummary(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([a-z0-9][a-z0-9-]*) (SHA256:[A-Za-z0-9+/]{43})(?![A-Za-z0-9+/])/g)) out[m[1]] = m[2];
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Inserts `hostKey: "SHA256:..."` into each pinned node's entry, flow (`- { name: n, ... }`) or block
 * (`- name: n` with its keys below). Nodes that already carry a hostKey are left alone. Throws when an entry
 * cannot be found or the result does not parse back to exactly these keys.
 */
export function writeHostKeysIntoSpec(text: string, pins: Record<string, string>): { text: string; written: string[] } {
  const before = yaml.load(text) as { nodes?: { name: string; hostKey?: string }[] };
  const lines = text.split('\n');
  const written: string[] = [];
  for (const [name, key] of Object.entries(pins)) {
    if (!SSH_FINGERPRINT.test(key)) throw new Error(`not a host key fingerprint for ${name}: ${JSON.stringify(key)}`);
    const node = before.nodes?.find((n) => n.name === name);
    if (!node) throw new Error(`the spec has no node ${name}`);
    if (node.hostKey) continue;
    const nameRe = new RegExp(`(^|[{,\\s])name:\\s*["']?${escapeRe(name)}["']?\\s*(?=[,}]|$|\\s#)`);
    const i = lines.findIndex((l) => nameRe.test(l.replace(/\s#.*$/, '')));
    if (i < 0) throw new Error(`cannot find the entry of node ${name} in the spec's text`);
    const line = lines[i];
    const close = line.replace(/\s#.*$/, '').lastIndexOf('}');
    if (close >= 0) {
      lines[i] = `${line.slice(0, close).replace(/\s*$/, '')}, hostKey: "${key}" ${line.slice(close)}`;
    } else {
      const indent = /^(\s*)(- )?/.exec(line)!;
      lines.splice(i + 1, 0, `${' '.repeat(indent[1].length + (indent[2] ? 2 : 0))}hostKey: "${key}"`);
    }
    written.push(name);
  }
  const out = lines.join('\n');
  const after = yaml.load(out) as { nodes?: { name: string; hostKey?: string }[] };
  for (const name of written) {
    if (after.nodes?.find((n) => n.name === name)?.hostKey !== pins[name]) throw new Error(`writing the host key of ${name} did not give a spec with it; add it by hand`);
  }
  return { text: out, written };
}
