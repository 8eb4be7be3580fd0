// A history's payloads made readable for the support bundle: every `{metadata, data}` payload of the history
// JSON (historyToJSON: base64 fields) is run through the worker's payload codecs (decryption), and a JSON
// payload becomes `{ "decoded": <value> }`. The bundle's redaction then removes keys, tokens and passwords.
import type { Payload, PayloadCodec } from '@temporalio/common';

const b64 = (s: string) => Buffer.from(s, 'base64');
const isPayload = (v: Record<string, unknown>) => typeof v.metadata === 'object' && v.metadata !== null && (typeof v.data === 'string' || v.data === undefined)
  && Object.values(v.metadata as object).every((x) => typeof x === 'string') && 'encoding' in (v.metadata as object);

export async function decodeHistoryPayloads(history: unknown, codecs: readonly PayloadCodec[]): Promise<{ history: unknown; undecodable: number }> {
  let undecodable = 0;
  const walk = async (v: unknown): Promise<unknown> => {
    if (Array.isArray(v)) return Promise.all(v.map(walk));
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (isPayload(o)) {
      let p: Payload = { metadata: Object.fromEntries(Object.entries(o.metadata as Record<string, string>).map(([k, x]) => [k, b64(x)])), data: b64(String(o.data ?? '')) };
      try {
        for (const c of [...codecs].reverse()) [p] = await c.decode([p]);
      } catch {
        undecodable++;
        return o;
      }
      const encoding = Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString('utf8');
      const text = Buffer.from(p.data ?? new Uint8Array()).toString('utf8');
      if (encoding === 'json/plain') {
        try { return { decoded: JSON.parse(text) as unknown }; } catch { return { decoded: text }; }
      }
      if (encoding === 'binary/null') return { decoded: null };
      return { encoding, decoded: encoding.startsWith('binary/encrypted') ? '(still encrypted)' : text };
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = await walk(x);
    return out;
  };
  return { history: await walk(history), undecodable };
}
