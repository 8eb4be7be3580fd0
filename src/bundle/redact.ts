// What the support bundle never carries: PEM private keys (whole or cut off), MicroK8s join tokens (the
// `<ip>:25000/<token>/<check>` of add-node, `--token`), bearer tokens (`Authorization: Bearer`, kubeconfig
// `token:`), passwords, and the secret JSON fields the codec server also hides. Every text file is scanned,
// inside nested tarballs too (microk8s inspect's report); a file that is neither text nor a tarball is dropped.
import { redactText, REDACTED as CODEC_REDACTED } from '../codec/redact';
import { isGzip, packTarGz, unpackTarGz, type TarEntry } from './tar';

export const REDACTED = '[REDACTED by kloudspot-installer]';

const RULES: [RegExp, (...g: string[]) => string][] = [
  // add-node's join URL and `microk8s join <url>`: keep the address, drop token and check.
  [/(\b\d{1,3}(?:\.\d{1,3}){3}:25000\/)[A-Za-z0-9]{16,}(\/[0-9a-f]{6,})?/g, (_m, addr) => `${addr}${REDACTED}`],
  [/(--token[= ])[A-Za-z0-9._~+/=-]{8,}/g, (_m, flag) => `${flag}${REDACTED}`],
  [/(\bBearer )[A-Za-z0-9._~+/=-]{8,}/gi, (_m, p) => `${p}${REDACTED}`],
  // YAML or JSON keys that hold credentials: token, password, client-key-data, privateKey...
  [/((?:^|[\s{,"])(?:token|bearerToken|password|passwd|secret|client-key-data|privateKey|privateKeyPem|joinToken|tls\.key)"?\s*[:=]\s*"?)([^\s",}]+)/gim,
    (_m, key) => `${key}${REDACTED}`],
];

/** The text with every secret replaced, and how many were. */
export function redactBundleText(text: string): { text: string; count: number } {
  let count = 0;
  let out = redactText(text);
  if (out !== text) count += out.split(CODEC_REDACTED).length - 1;
  for (const [re, fn] of RULES) {
    out = out.replace(re, (...args) => { count++; return fn(...(args as string[])); });
  }
  return { text: out, count };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const asText = (b: Buffer): string | undefined => {
  if (b.includes(0)) return undefined;
  try { return utf8.decode(b); } catch { return undefined; }
};

/** One file's bytes made safe: text redacted, a gzipped tarball unpacked, made safe file by file and packed again; else undefined. */
export function redactFile(data: Buffer, depth = 0): { data: Buffer; count: number } | undefined {
  if (isGzip(data)) {
    if (depth > 2) return undefined;
    let entries: TarEntry[];
    try { entries = unpackTarGz(data); } catch { return undefined; }
    const { entries: safe, count } = redactEntries(entries, depth + 1);
    return { data: packTarGz(safe), count };
  }
  const text = asText(data);
  if (text === undefined) return undefined;
  const r = redactBundleText(text);
  return { data: Buffer.from(r.text), count: r.count };
}

/** Every entry made safe; what cannot be read as text or tarball is left out and listed. */
export function redactEntries(entries: TarEntry[], depth = 0): { entries: TarEntry[]; count: number; dropped: string[] } {
  const out: TarEntry[] = [];
  const dropped: string[] = [];
  let count = 0;
  for (const e of entries) {
    if (e.dir) { out.push(e); continue; }
    const r = redactFile(e.data, depth);
    if (!r) { dropped.push(e.name); continue; }
    count += r.count;
    out.push({ ...e, data: r.data });
  }
  return { entries: out, count, dropped };
}
