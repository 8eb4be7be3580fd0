// Redaction for the codec server's /decode. Whoever reaches /decode reads what it returns (the Web UI shows it
// to everyone with UI access), while the worker decrypts locally with the key itself. So the server hands out
// everything except private-key material and tokens: the UI shows a certificate upload without its key.
import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';

export const REDACTED = '[REDACTED by codec server]';
/** JSON field names whose values are secret wherever they appear (compared case-insensitively). */
export const SECRET_FIELDS: readonly string[] = ['privateKeyPem', 'privateKey', 'token', 'joinToken'];

const secretField = new Set(SECRET_FIELDS.map((f) => f.toLowerCase()));
// Private-key PEM blocks are found by indexOf scans, each position visited a bounded number of times: the regexes
// they replace were quadratic on hostile input (a 1.8 MB payload of BEGIN lines took 62 s on /decode).
const BEGIN = '-----BEGIN ';
const END = '-----END ';
const TAIL = 'PRIVATE KEY-----';
/** The words before PRIVATE KEY (RSA, EC, ENCRYPTED, OPENSSH, none), each followed by its space. */
const LABEL = /^(?:[A-Z0-9]{1,16} ){0,3}$/;
const MAX_LABEL = 3 * 17;
/** A character of a base64 body as it appears in text or JSON: letters, digits, + / =, whitespace, backslash. */
function bodyChar(c: number): boolean {
  const alnum = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
  return alnum || c === 43 || c === 47 || c === 61 || c === 92 || c === 32 || (c >= 9 && c <= 13);
}

/** Whole blocks (END label matching BEGIN), and a block cut off by an output tail (no END: to the end of the text). */
function redactBlocks(s: string): string {
  let out = '';
  let at = 0;
  let from = 0;
  let tail = s.indexOf(TAIL);
  for (;;) {
    const b = s.indexOf(BEGIN, from);
    if (b < 0) break;
    const labelAt = b + BEGIN.length;
    if (tail < labelAt) tail = s.indexOf(TAIL, labelAt);
    if (tail < 0) break;
    const label = tail - labelAt <= MAX_LABEL ? s.slice(labelAt, tail) : undefined;
    if (label === undefined || !LABEL.test(label)) { from = labelAt; continue; }
    const endMarker = `${END}${label}${TAIL}`;
    const e = s.indexOf(endMarker, tail + TAIL.length);
    out += s.slice(at, b) + REDACTED;
    if (e < 0) return out;
    at = from = e + endMarker.length;
  }
  return out + s.slice(at);
}

/** END with no BEGIN takes the base64 lines (real or JSON-escaped newlines) just before it. */
function redactOrphanEnds(s: string): string {
  let out = '';
  let last = 0;
  for (let i = s.indexOf(TAIL); i >= 0; i = s.indexOf(TAIL, i + TAIL.length)) {
    const windowStart = Math.max(last, i - END.length - MAX_LABEL);
    const rel = s.slice(windowStart, i).lastIndexOf(END);
    if (rel < 0) continue;
    const endAt = windowStart + rel;
    if (!LABEL.test(s.slice(endAt + END.length, i))) continue;
    let start = endAt;
    while (start > last && bodyChar(s.charCodeAt(start - 1))) start--;
    out += s.slice(last, start) + REDACTED;
    last = i + TAIL.length;
  }
  return out + s.slice(last);
}

/** Replaces private-key PEM blocks, whole or truncated, in a string; linear in its length. */
export function redactText(s: string): string {
  if (!s.includes(TAIL)) return s;
  return redactOrphanEnds(redactBlocks(s));
}

/** Redacts a JSON value: secret fields at any depth lose their value, every string loses PEM private keys. */
export function redactValue(v: unknown): unknown {
  return redactTracked(v, { changed: false });
}

function redactTracked(v: unknown, seen: { changed: boolean }): unknown {
  if (typeof v === 'string') {
    const r = redactText(v);
    if (r !== v) seen.changed = true;
    return r;
  }
  if (Array.isArray(v)) return v.map((x) => redactTracked(x, seen));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const secret = secretField.has(k.toLowerCase()) && x !== null && x !== undefined;
      if (secret) seen.changed = true;
      out[k] = secret ? REDACTED : redactTracked(x, seen);
    }
    return out;
  }
  return v;
}

const decodeUtf8 = new TextDecoder('utf-8', { fatal: true });
function asText(b: Uint8Array): string | undefined {
  try { return decodeUtf8.decode(b); } catch { return undefined; }
}

/**
 * Returns the payload unchanged when it holds nothing secret; otherwise a json/plain payload with the secrets
 * replaced by {@link REDACTED}. JSON payloads (json/plain, json/protobuf) are redacted field by field; other
 * text payloads (binary/plain) only lose PEM private keys; binary data that is not UTF-8 passes as is.
 */
export function redactPayload(p: Payload): Payload {
  const data = p.data ?? new Uint8Array();
  const encoding = p.metadata?.[METADATA_ENCODING_KEY] ? Buffer.from(p.metadata[METADATA_ENCODING_KEY]).toString('utf8') : undefined;
  const s = asText(data);
  if (s === undefined) return p;
  if (encoding === 'json/plain' || encoding === 'json/protobuf') {
    let parsed: unknown;
    try { parsed = JSON.parse(s); } catch { parsed = undefined; }
    if (parsed !== undefined) {
      // One pass that notes whether anything changed: comparing two serializations doubled the time on large payloads.
      const seen = { changed: false };
      const redacted = redactTracked(parsed, seen);
      if (!seen.changed) return p;
      return { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(redacted)) };
    }
  }
  const redacted = redactText(s);
  if (redacted === s) return p;
  // Not valid JSON any more than before; keep the payload's own metadata so the UI shows it as text.
  return { metadata: p.metadata, data: Buffer.from(redacted) };
}

export function redactPayloads(payloads: Payload[]): Payload[] {
  return payloads.map(redactPayload);
}
