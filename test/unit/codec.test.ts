// Payload encryption: the codec, its keys, redaction and the codec server the Web UI calls (an HTTP server in
// this process). The dev-server run whose raw history holds no plaintext is test/integration/codec-history.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { isRefused, refusedArgument } from '../../src/codec/refused';
import { AesGcmCodec, ENCRYPTED_ENCODING, generateKeyFile, loadCodecKeys, rotateKeyFile } from '../../src/codec/codec';
import { FAILURE_CONVERTER_PATH, NO_KEY_MESSAGE, resolveDataConverter } from '../../src/codec/data-converter';
import { REDACTED, redactPayload, redactText } from '../../src/codec/redact';
import { startCodecServer, type CodecServer } from '../../src/codec/server';
import { CERT, KEY } from '../helpers/sim-tls';
import { TOKEN, UI, call, fromJson, keysOf, toJson, value } from '../helpers/codec';

const K1 = randomBytes(32);
const K2 = randomBytes(32);
const meta = (p: Payload, k: string) => (p.metadata?.[k] ? Buffer.from(p.metadata[k]).toString() : undefined);
const tmp = () => mkdtempSync(join(tmpdir(), 'ks-codec-'));

describe('codec', () => {
  const codec = new AesGcmCodec(keysOf({ k1: K1 }, 'k1'));

  test('round trip: encrypted with metadata and a key id, no plaintext on the wire, decodes to the same payload', async () => {
    const original = defaultPayloadConverter.toPayload({ certificatePem: CERT, note: 'hello temporal' });
    const [enc] = await codec.encode([original]);
    assert.equal(meta(enc, 'encoding'), ENCRYPTED_ENCODING);
    assert.equal(meta(enc, 'encryption-key-id'), 'k1');
    assert.ok(!Buffer.from(enc.data!).toString('latin1').includes('hello temporal'));
    const [enc2] = await codec.encode([original]);
    assert.notDeepEqual(Buffer.from(enc.data!), Buffer.from(enc2.data!), 'a fresh IV each time');
    const [dec] = await codec.decode([enc]);
    assert.deepEqual(value(dec), { certificatePem: CERT, note: 'hello temporal' });
    assert.equal(meta(dec, 'encoding'), 'json/plain');
  });

  test('a payload that is not encrypted decodes to the refusal marker (worker, CLI); the codec server passes it through', async () => {
    const plain = defaultPayloadConverter.toPayload({ kloudspot: { toolsUrl: 'http://attacker/x.sh' } });
    const [refused] = await codec.decode([plain]);
    const v = value(refused);
    assert.ok(isRefused(v), 'the marker, not the value');
    assert.match(refusedArgument([v])!, /encoding "json\/plain" was not encrypted with the installer's codec key/);
    assert.doesNotMatch(JSON.stringify(v), /attacker/);
    const display = new AesGcmCodec(keysOf({ k1: K1 }, 'k1'), { plaintext: 'pass' });
    assert.deepEqual(await display.decode([plain]), [plain]);
  });

  test('rotation: an old key still listed decodes; a payload under an unknown key id fails naming it', async () => {
    const [old] = await codec.encode([defaultPayloadConverter.toPayload('from k1')]);
    const rotated = new AesGcmCodec(keysOf({ k1: K1, k2: K2 }, 'k2'));
    assert.equal(value((await rotated.decode([old]))[0]), 'from k1');
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload('from k2')]);
    assert.equal(meta(fresh, 'encryption-key-id'), 'k2');
    const onlyK2 = new AesGcmCodec(keysOf({ k2: K2 }, 'k2'));
    await assert.rejects(onlyK2.decode([old]), /key "k1", which is not configured \(known: k2\)/);
  });

  test('tampered ciphertext, a relabelled key id or the wrong key under the id are rejected', async () => {
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload('secret')]);
    const flipped = Buffer.from(enc.data!);
    flipped[20] ^= 1;
    await assert.rejects(codec.decode([{ ...enc, data: flipped }]), /failed authentication/);
    const both = new AesGcmCodec(keysOf({ k1: K1, other: K1 }, 'k1'));
    await assert.rejects(both.decode([{ ...enc, metadata: { ...enc.metadata, 'encryption-key-id': Buffer.from('other') } }]), /failed authentication/);
    await assert.rejects(new AesGcmCodec(keysOf({ k1: K2 }, 'k1')).decode([enc]), /failed authentication/);
    await assert.rejects(codec.decode([{ ...enc, data: Buffer.from(enc.data!).subarray(0, 10) }]), /truncated/);
  });
});

describe('codec keys', () => {
  test('codec-key new writes a 0600 file that loads from the flag and from KLOUDSPOT_CODEC_KEY_FILE; rotate keeps the old key', () => {
    const file = join(tmp(), 'keys.json');
    const { keyId } = generateKeyFile(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.throws(() => generateKeyFile(file), /already exists.*codec-key rotate/);
    assert.equal(loadCodecKeys({ keyFile: file, env: {} })!.current, keyId);
    assert.equal(loadCodecKeys({ env: { KLOUDSPOT_CODEC_KEY_FILE: file } })!.current, keyId);
    const { keyId: next, previous } = rotateKeyFile(file);
    assert.equal(previous, keyId);
    const keys = loadCodecKeys({ keyFile: file })!;
    assert.equal(keys.current, next);
    assert.deepEqual([...keys.keys.keys()].sort(), [keyId, next].sort());
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('KLOUDSPOT_CODEC_KEYS holds the same JSON inline', () => {
    const json = JSON.stringify({ current: 'a', keys: { a: K1.toString('base64') } });
    const keys = loadCodecKeys({ env: { KLOUDSPOT_CODEC_KEYS: json } })!;
    assert.deepEqual(keys.keys.get('a'), K1);
  });

  test('errors name the file or variable and the fix, and never print key material', () => {
    const dir = tmp();
    const secretish = 'c2VjcmV0LWtleS1tYXRlcmlhbA';
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, `{"current": "a", "keys": {"a": "${secretish}"`);
    assert.throws(() => loadCodecKeys({ keyFile: bad }), (e: Error) => e.message.includes(bad) && e.message.includes('not valid JSON') && !e.message.includes(secretish));
    writeFileSync(bad, JSON.stringify({ current: 'a', keys: { a: secretish } }));
    assert.throws(() => loadCodecKeys({ keyFile: bad }), (e: Error) => /key "a" must be the base64 encoding of exactly 32/.test(e.message) && !e.message.includes(secretish));
    assert.throws(() => loadCodecKeys({ env: { KLOUDSPOT_CODEC_KEYS: JSON.stringify({ current: 'b', keys: { a: K1.toString('base64') } }) } }),
      /environment variable KLOUDSPOT_CODEC_KEYS: "current" must name one of the keys \(a\)/);
    assert.throws(() => loadCodecKeys({ keyFile: join(dir, 'missing.json') }), /missing\.json does not exist; create one with `kloudspot-installer codec-key new/);
    assert.throws(() => loadCodecKeys({ env: { KLOUDSPOT_CODEC_KEYS: '{}', KLOUDSPOT_CODEC_KEY_FILE: bad } }), /both KLOUDSPOT_CODEC_KEY_FILE and KLOUDSPOT_CODEC_KEYS/);
  });

  test('resolveDataConverter: encrypted with a key, undefined only with insecurePlaintext, otherwise a clear refusal', () => {
    assert.throws(() => resolveDataConverter({ env: {} }), (e: Error & { exitCode?: number }) => e.message === NO_KEY_MESSAGE && e.exitCode === 2);
    assert.match(NO_KEY_MESSAGE, /KLOUDSPOT_CODEC_KEY_FILE or --codec-key-file .*codec-key new FILE.*--insecure-plaintext/);
    assert.equal(resolveDataConverter({ insecurePlaintext: true, env: {} }), undefined);
    const json = JSON.stringify({ current: 'a', keys: { a: K1.toString('base64') } });
    const dc = resolveDataConverter({ env: { KLOUDSPOT_CODEC_KEYS: json } })!;
    assert.equal(dc.payloadCodecs!.length, 1);
    assert.equal(dc.failureConverterPath, FAILURE_CONVERTER_PATH);
  });
});

describe('redaction for /decode', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const ssh = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----';
  const body = (pem: string) => pem.split('\n')[1];

  test('PEM private keys of every variant go, certificates stay', () => {
    for (const pem of [KEY, rsa, ssh, '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIP==\n-----END EC PRIVATE KEY-----', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkq\n-----END ENCRYPTED PRIVATE KEY-----']) {
      const out = redactText(`before\n${CERT}${pem}\nafter`);
      assert.ok(!out.includes(body(pem)), pem.split('\n')[0]);
      assert.ok(out.includes(CERT) && out.includes(REDACTED) && out.startsWith('before') && out.endsWith('after'));
    }
  });

  test('a key cut off by an output tail is redacted too, whichever end is missing', () => {
    const lines = KEY.trim().split('\n');
    assert.equal(redactText(`stderr: ${lines.slice(0, 3).join('\n')}`), `stderr: ${REDACTED}`);
    const tail = redactText(`${lines.slice(2).join('\n')}\nexit 1`);
    assert.ok(!tail.includes(lines[2]) && !tail.includes(lines[3]) && tail.endsWith('exit 1'), tail);
  });

  test('secret JSON fields at any depth and PEM inside strings are replaced; the payload becomes json/plain', () => {
    const signal = defaultPayloadConverter.toPayload({
      certificatePem: CERT, privateKeyPem: KEY,
      nodes: [{ name: 'k8s-vm-1', joinToken: 'join-abc', ssh: { privateKey: 'x', Token: 't' } }],
      log: `microk8s add-node\n${KEY}`,
    });
    const out = redactPayload(signal);
    assert.equal(meta(out, 'encoding'), 'json/plain');
    assert.deepEqual(value(out), {
      certificatePem: CERT, privateKeyPem: REDACTED,
      nodes: [{ name: 'k8s-vm-1', joinToken: REDACTED, ssh: { privateKey: REDACTED, Token: REDACTED } }],
      log: `microk8s add-node\n${REDACTED}\n`,
    });
    const harmless = defaultPayloadConverter.toPayload({ certificatePem: CERT });
    assert.equal(redactPayload(harmless), harmless, 'unchanged payloads are returned as they are');
    const bin = defaultPayloadConverter.toPayload(Buffer.from(`x ${KEY}`));
    assert.ok(!Buffer.from(redactPayload(bin).data!).toString().includes(body(KEY)));
  });
});

describe('codec server', () => {
  const keys = keysOf({ k1: K1 }, 'k1');
  const codec = new AesGcmCodec(keys);
  let server: CodecServer;
  const ui = (extra: Record<string, string> = {}) => ({ 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI, Authorization: `Bearer ${TOKEN}`, ...extra });

  before(async () => { server = await startCodecServer({ port: 0, keys, allowedOrigin: UI, token: TOKEN }); });
  after(async () => { await server?.close(); });

  test('/decode takes the UI\'s request and answers decrypted, redacted payloads with CORS for the UI', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload({ certificatePem: CERT, privateKeyPem: KEY }), defaultPayloadConverter.toPayload('temporal')]);
    const r = await call(server.url, { path: '/decode', headers: ui(), body: { payloads: encrypted.map(toJson) } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], UI);
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    const [cert, word] = r.json.payloads.map(fromJson);
    assert.deepEqual(value(cert), { certificatePem: CERT, privateKeyPem: REDACTED });
    assert.equal(value(word), 'temporal');
    // The CLI's namespace-prefixed form.
    assert.equal((await call(server.url, { path: '/default/decode', headers: ui(), body: { payloads: [] } })).status, 200);
  });

  test('/encode takes the UI\'s signal input (json/plain, base64) and returns a payload the worker decrypts', async () => {
    const input = { certificatePem: CERT, privateKeyPem: KEY };
    const uiPayload = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify(input)).toString('base64') };
    const r = await call(server.url, { path: '/encode', headers: ui(), body: { payloads: [uiPayload] } });
    assert.equal(r.status, 200);
    const [enc] = r.json.payloads.map(fromJson);
    assert.equal(meta(enc, 'encoding'), ENCRYPTED_ENCODING);
    assert.deepEqual(value((await codec.decode([enc]))[0]), input, 'the worker, decoding locally, sees the real key');
  });

  test('CORS preflight is answered for the UI origin only', async () => {
    const pre = (origin: string) => call(server.url, { method: 'OPTIONS', path: '/decode', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' } });
    const ok = await pre(UI);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers['access-control-allow-origin'], UI);
    assert.equal(ok.headers['access-control-allow-methods'], 'POST');
    assert.equal(ok.headers['access-control-allow-credentials'], 'true');
    const allowed = String(ok.headers['access-control-allow-headers']).split(',');
    for (const h of ['content-type', 'x-namespace', 'authorization']) assert.ok(allowed.includes(h), h);
    const evil = await pre('https://evil.example');
    assert.equal(evil.status, 403);
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
    const post = await call(server.url, { path: '/decode', headers: ui({ Origin: 'https://evil.example' }), body: { payloads: [] } });
    assert.equal(post.status, 403, 'a foreign origin is refused even with the token');
  });

  test('a missing token is 401, a wrong one 403, the right one works; other paths 404, non-JSON 415', async () => {
    const { Authorization: _, ...noAuth } = ui();
    const missing = await call(server.url, { path: '/decode', headers: noAuth, body: { payloads: [] } });
    assert.equal(missing.status, 401);
    assert.match(missing.json.error, /missing bearer token/);
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    const wrong = await call(server.url, { path: '/encode', headers: ui({ Authorization: 'Bearer nope-nope-nope-nope' }), body: { payloads: [] } });
    assert.equal(wrong.status, 403);
    assert.match(wrong.json.error, /wrong bearer token/);
    const right = await call(server.url, { path: '/encode', headers: ui(), body: { payloads: [] } });
    assert.equal(right.status, 200);
    assert.deepEqual(right.json, { payloads: [] });
    assert.equal((await call(server.url, { method: 'GET', path: '/healthz' })).status, 200);
    const nf = await call(server.url, { path: '/nope', headers: ui(), body: {} });
    assert.equal(nf.status, 404);
    assert.match(nf.json.error, /no such endpoint/);
    assert.equal((await call(server.url, { path: '/decode', headers: ui({ 'Content-Type': 'text/plain' }), body: '{"payloads":[]}' })).status, 415);
    assert.equal((await call(server.url, { path: '/decode', headers: ui(), body: '{"payloads": 3}' })).status, 400);
    const undecodable = await call(server.url, { path: '/decode', headers: ui(), body: { payloads: [{ metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING).toString('base64'), 'encryption-key-id': Buffer.from('gone').toString('base64') }, data: 'AAAA' }] } });
    assert.equal(undecodable.status, 422);
    assert.match(undecodable.json.error, /key "gone"/);
  });

  test('requireToken: false (dev UI over http) works on loopback without a token but keeps origin and Host checks', async () => {
    await assert.rejects(startCodecServer({ port: 0, host: '0.0.0.0', keys, allowedOrigin: UI, requireToken: false }), /only listen on loopback/);
    await assert.rejects(startCodecServer({ port: 0, keys, allowedOrigin: UI }), /bearer token/);
    const open = await startCodecServer({ port: 0, keys, allowedOrigin: UI, requireToken: false });
    try {
      const h = { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI };
      assert.equal((await call(open.url, { path: '/decode', headers: h, body: { payloads: [] } })).status, 200);
      assert.equal((await call(open.url, { path: '/decode', headers: { ...h, Origin: 'http://evil.example' }, body: { payloads: [] } })).status, 403);
      assert.equal((await call(open.url, { path: '/decode', headers: { ...h, Host: 'rebound.evil.example' }, body: { payloads: [] } })).status, 403);
    } finally {
      await open.close();
    }
  });
});
