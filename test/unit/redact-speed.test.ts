// Issue 17, finding 8: the codec server's redaction is linear. Hostile 2 MB payloads (thousands of BEGIN lines,
// label runs, orphan ENDs, a key with no END) answer /decode in under a second, still redacted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec } from '../../src/codec/codec';
import { REDACTED, redactText } from '../../src/codec/redact';
import { startCodecServer, type CodecServer } from '../../src/codec/server';
import { TOKEN, UI, call, fromJson, keysOf, toJson, value } from '../helpers/codec';

const HOSTILE: Record<string, string> = {
  'BEGIN lines with no END': '-----BEGIN PRIVATE KEY-----\n'.repeat(75_000),
  'label runs that never reach PRIVATE': ('-----BEGIN ' + 'A '.repeat(50)).repeat(20_000),
  'orphan ENDs after base64': ('QUJD'.repeat(15) + '\n-----END PRIVATE KEY-----').repeat(25_000),
  'BEGIN with the tail far away': '-----BEGIN '.repeat(180_000) + 'PRIVATE KEY-----',
  'a key with no END': '-----BEGIN RSA PRIVATE KEY-----\n' + 'QUJD'.repeat(500_000),
};

test('redactText is linear: each 2 MB hostile text in well under a second, keys still gone', () => {
  for (const [what, text] of Object.entries(HOSTILE)) {
    const t = Date.now();
    const out = redactText(text);
    const ms = Date.now() - t;
    assert.ok(ms < 1000, `${what}: ${ms} ms`);
    assert.ok(!/QUJDQUJD/.test(out), `${what}: no key body left`);
  }
  // Blocks are still found whole, with their own END label, between ordinary text.
  assert.equal(redactText('a -----BEGIN EC PRIVATE KEY-----\nQUJD\n-----END EC PRIVATE KEY----- b'), `a ${REDACTED} b`);
  assert.equal(redactText('QUJD\nQUJD\n-----END PRIVATE KEY-----\nrest'), `${REDACTED}\nrest`);
});

const keys = keysOf({ k1: randomBytes(32) }, 'k1');
let server: CodecServer;
before(async () => { server = await startCodecServer({ port: 0, keys, allowedOrigin: UI, token: TOKEN }); });
after(async () => { await server?.close(); });

test('/decode of a 2 MB hostile payload answers in under a second', async () => {
  const codec = new AesGcmCodec(keys);
  const [enc] = await codec.encode([defaultPayloadConverter.toPayload({ log: HOSTILE['BEGIN lines with no END'] })]);
  // Best of three: the bound is about the algorithm (the quadratic one took a minute), not about the load other
  // processes put on a shared 2-core machine at that moment.
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    const r = await call(server.url, { path: '/decode', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI, Authorization: `Bearer ${TOKEN}` }, body: { payloads: [toJson(enc)] } });
    times.push(Date.now() - t);
    assert.equal(r.status, 200);
    assert.deepEqual(value(fromJson(r.json.payloads[0])), { log: REDACTED });
  }
  assert.ok(Math.min(...times) < 1000, `${times.join(', ')} ms`);
});
