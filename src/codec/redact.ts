// Redaction for the codec server's /decode. Whoever reaches /decode reads what it returns (the Web UI shows it
// to everyone with UI access), while the worker decrypts locally with the key itself. So the server hands out
// everything except private-key material and tokens: the UI shows a certificate upload without its key.
import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';

export const REDACTED = '[REDACTED by codec server]';
/** JSON field names whose values are secret wherever they appear (compared case-insensitively). */
export const SECRET_FIELDS: readonly string[] = ['privateKeyPem', 'privateKey', 'token', 'joinToken'];

const secretField = new Set(SECRET_FIELDS.map((f) => f.toLowerCase()));
const LABEL = '[A-Z0-9]+(?: [A-Z0-9]+)*';
// A whole block, any variant (RSA, EC, ENCRYPTED, OPENSSH, plain PKCS#8 …), END label matching BEGIN.
const PEM_BLOCK = new RegExp(`-----BEGIN ((?:${LABEL} )?)PRIVATE KEY-----[\\s\\S]*?-----END \\1PRIVATE KEY-----`, 'g');
// A block cut off by an output tail: BEGIN with no END runs to the end of the text …
const PEM_OPEN = new RegExp(`-----BEGIN (?:${LABEL} )?PRIVATE KEY-----[\\s\\S]*$`, 'g');
// … and END with no BEGIN takes the base64 lines (real or JSON-escaped newlines) just before it.
const PEM_END = new RegExp(`-----END (?:${LABEL} )?PRIVATE KEY-----`, 'g');
const BODY_CHAR = /[A-Za-z0-9+/=\s\\]/;

// A scan backwards rather than a regex: a backtracking pattern would be quadratic on a long base64 run.
function redactOrphanEnds(s: string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(PEM_END)) {
    let start = m.index;
    while (start > last && BODY_CHAR.test(s[start - 1])) start--;
    out += s.slice(last, start) + REDACTED;
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

/** Replaces private-key PEM blocks, whole or truncated, in a string. */
export function redactText(s: string): string {
  if (!s.includes('PRIVATE KEY-----')) return s;
  return redactOrphanEnds(s.replace(PEM_BLOCK, REDACTED).replace(PEM_OPEN, REDACTED));
}

/** Redacts a JSON value: secret fields at any depth lose their value, every string loses PEM private keys. */
export function redactValue(v: unknown): unknown {
  if (typeof v === 'string') return redactText(v);
  if (Array.isArray(v)) return v.map(redactValue);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = secretField.has(k.toLowerCase()) && x !== null && x !== undefined ? REDACTED : redactValue(x);
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
      const redacted = JSON.stringify(redactValue(parsed));
      if (redacted === JSON.stringify(parsed)) return p;
      return { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(redacted) };
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
