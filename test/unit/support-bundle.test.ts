// The support bundle's pure parts: our ustar writer read back by GNU tar and GNU tar's archives read by us,
// redaction of keys and tokens inside nested tarballs, inspect's report line, and a history's payloads decoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTarGz, unpackTarGz } from '../../src/bundle/tar';
import { redactBundleText, redactFile, REDACTED } from '../../src/bundle/redact';
import { decodeHistoryPayloads } from '../../src/bundle/history';
import { parseInspectReport, removeInspectReport } from '../../src/activities/commands/microk8s';
import { AesGcmCodec, readCodecKeyFile } from '../../src/codec/codec';
import { KEY } from '../helpers/sim-tls';
import { join as pjoin } from 'node:path';

test('ustar: GNU tar lists what we pack, and we read what GNU tar packs (long names too)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-unit-'));
  try {
    const long = `${'abcdefghij/'.repeat(12)}deep.log`;
    writeFileSync(join(dir, 'ours.tgz'), packTarGz([{ name: 'r', data: Buffer.alloc(0), dir: true }, { name: 'r/a.txt', data: Buffer.from('hi\n') }, { name: long, data: Buffer.from('x') }]));
    assert.deepEqual(execFileSync('tar', ['-tzf', join(dir, 'ours.tgz')]).toString().trim().split('\n'), ['r/', 'r/a.txt', long]);
    mkdirSync(join(dir, 'src', ...'abcdefghij/'.repeat(12).split('/').filter(Boolean)), { recursive: true });
    writeFileSync(join(dir, 'src', long), 'deep\n');
    execFileSync('tar', ['--format=gnu', '-czf', join(dir, 'gnu.tgz'), '-C', join(dir, 'src'), '.']);
    const files = unpackTarGz(readFileSync(join(dir, 'gnu.tgz'))).filter((e) => !e.dir);
    assert.deepEqual(files.map((e) => [e.name, e.data.toString()]), [[`./${long}`, 'deep\n']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('redaction: PEM keys, join URLs, --token, bearer tokens, credential keys; inside nested tarballs; binary dropped', () => {
  const r = redactBundleText(['microk8s join 10.0.0.1:25000/0123456789abcdef0123456789abcdef/1a2b3c4d5e6f --worker',
    'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.abc', '    token: 0123456789abcdef', '"privateKeyPem": "x-y-z-w"', KEY.trim(),
    'server: https://10.0.0.1:16443', 'kube-apiserver --token-auth-file=/x'].join('\n'));
  assert.equal(r.count, 5);
  assert.doesNotMatch(r.text, /0123456789abcdef|eyJhbGci|PRIVATE KEY|x-y-z-w/);
  assert.match(r.text, new RegExp(`10\\.0\\.0\\.1:25000/${REDACTED.replace(/[[\]]/g, '\\$&')}`));
  assert.match(r.text, /server: https:\/\/10\.0\.0\.1:16443\n--token-auth|kube-apiserver --token-auth-file=\/x/, 'paths and addresses stay');
  const inner = packTarGz([{ name: 'inspection-report/args/x', data: Buffer.from(`key:\n${KEY}`) }]);
  const outer = redactFile(packTarGz([{ name: 'nodes/a/inspection-report.tar.gz', data: inner }, { name: 'blob.bin', data: Buffer.from([0, 1, 2, 0xff]) }]));
  const entries = unpackTarGz(outer!.data);
  assert.deepEqual(entries.map((e) => e.name), ['nodes/a/inspection-report.tar.gz'], 'a file neither text nor tarball is left out');
  assert.doesNotMatch(unpackTarGz(entries[0].data)[0].data.toString(), /PRIVATE KEY/);
  assert.equal(outer!.count, 1);
});

test('microk8s inspect: the report path from inspect.sh\'s last line, and only such a path may be removed', () => {
  const out = 'Inspecting system\nBuilding the report tarball\n  Report tarball is at /var/snap/microk8s/7394/inspection-report-20261202_183000.tar.gz\n';
  assert.equal(parseInspectReport(out), '/var/snap/microk8s/7394/inspection-report-20261202_183000.tar.gz');
  assert.throws(() => parseInspectReport('  Report tarball is at /etc/passwd\n'), /no report path/);
  assert.equal(removeInspectReport('/var/snap/microk8s/7394/inspection-report-20261202_183000.tar.gz').command,
    'sudo rm -f /var/snap/microk8s/7394/inspection-report-20261202_183000.tar.gz');
  assert.throws(() => removeInspectReport('/var/snap/microk8s/7394/../../../etc/shadow'), /not an inspect report path/);
});

test('a history\'s encrypted payloads are decoded through the codec; one it cannot decode is counted and kept', async () => {
  const codec = new AesGcmCodec(readCodecKeyFile(pjoin(__dirname, '..', 'fixtures', 'test-codec-keys.json')));
  const [enc] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"site":"a","privateKeyPem":"k"}') }]);
  const asJson = (p: typeof enc) => ({ metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(p.data!).toString('base64') });
  const history = { events: [{ input: { payloads: [asJson(enc)] } }, { result: { payloads: [{ ...asJson(enc), data: Buffer.from('garbage').toString('base64') }] } }] };
  const d = await decodeHistoryPayloads(history, [codec]);
  assert.deepEqual((d.history as { events: { input: { payloads: unknown[] } }[] }).events[0].input.payloads[0], { decoded: { site: 'a', privateKeyPem: 'k' } });
  assert.equal(d.undecodable, 1);
  assert.match(redactBundleText(JSON.stringify(d.history)).text, /"privateKeyPem":"\[REDACTED/);
});
