// support-bundle on a demo install (3 nodes, a certificate uploaded so the install's history holds a private key):
// the archive has every node's microk8s inspect tarball (a real one, as inspect.sh builds it), the journal and
// dqlite files, the OpenEBS/cStor objects, helm status and the decoded history; scanning every file, inside the
// nested tarballs too, finds no private key and no join token. The nodes keep no inspect report behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim';
import { makeCertificate, type CertificatePair } from '../../src/client/certs';
import { startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import { isGzip, unpackTarGz } from '../../src/bundle/tar';
import { finish, startInstallEnv, TEST_CODEC_KEY_FILE, waitForQuestion, type InstallEnv } from '../helpers/install';
import { runCli } from '../helpers/cli';

let env: InstallEnv;
let fleet: Fleet;
let pair: CertificatePair;
let dir: string;
const SITE = 'bundled';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  process.env.KLOUDSPOT_BUNDLE_DIR = join(dir, 'worker');
  env = await startInstallEnv();
  fleet = await startFleet({ nodes: 3, site: SITE, seed: 23, specOverrides: { doctor: { every: 'off' } } });
  const handle = await startInstall(env.client, fleet.spec);
  await waitForQuestion(handle, (q) => q.kind === 'certificate', 300_000);
  pair = makeCertificate(fleet.spec.dnsHostname);
  await handle.executeUpdate(api.uploadCertificateUpdate, { args: [pair] });
  assert.equal((await finish(handle, 300_000)).state, 'completed');
});
after(async () => { await fleet?.stop(); await env?.stop(); rmSync(dir, { recursive: true, force: true }); });

/** Every file of an archive, nested gzipped tarballs opened in turn: [path, text]. */
function allFiles(gz: Buffer, prefix = ''): [string, Buffer][] {
  return unpackTarGz(gz).filter((e) => !e.dir).flatMap((e): [string, Buffer][] =>
    isGzip(e.data) ? [[prefix + e.name, e.data], ...allFiles(e.data, `${prefix}${e.name}!/`)] : [[prefix + e.name, e.data]]);
}
const pemBody = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');

test('the bundle of a demo install: every node\'s inspect tarball, the cluster\'s objects, the history; no key, no join token', { timeout: 600_000 }, async () => {
  const out = join(dir, 'bundle.tar.gz');
  const r = await runCli(['support-bundle', SITE, '-o', out, '--address', env.h.server.address, '--codec-key-file', TEST_CODEC_KEY_FILE],
    { env: { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined }, timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Wrote ${out.replace(/[.]/g, '\\.')} \\(\\d+ KiB, \\d+ files, [1-9]\\d* secrets redacted\\) for ${SITE}\\.$`, 'm'));
  assert.equal(statSync(out).mode & 0o777, 0o600);

  const files = allFiles(readFileSync(out));
  const names = files.map(([n]) => n.replace(/^bundled-\d{8}T\d{6}Z\//, ''));
  for (const n of fleet.spec.nodes.map((x) => x.name)) {
    assert.ok(names.includes(`nodes/${n}/inspection-report.tar.gz`), `${n}'s inspect tarball`);
    assert.ok(names.some((x) => x.startsWith(`nodes/${n}/inspection-report.tar.gz!/inspection-report/snap.microk8s.daemon-kubelite/journal.log`)), `${n}'s report opens`);
    assert.ok(names.includes(`nodes/${n}/journal-snap.microk8s.log`));
    assert.ok(names.includes(`nodes/${n}/dqlite-cluster.yaml`) && names.includes(`nodes/${n}/dqlite-info.yaml`));
  }
  const text = (suffix: string) => files.find(([n]) => n.endsWith(suffix))![1].toString();
  assert.equal((text('nodes/k8s-vm-2/dqlite-cluster.yaml').match(/^ {2}Role: 0$/gm) ?? []).length, 3, 'three voters in cluster.yaml');
  assert.match(text('cluster/openebs-cstorvolumereplicas.yaml'), /kind: CStorVolumeReplica/);
  assert.match(text('cluster/openebs-cstorpoolinstances.yaml'), /phase: ONLINE/);
  assert.match(text('cluster/helm-status.json'), /"status":"deployed"/);
  const history = text(`history/install-${SITE}.json`);
  assert.match(history, /"decoded": \{/, 'payloads decoded through the codec');
  assert.match(history, new RegExp(`"dnsHostname": "${fleet.spec.dnsHostname.replace(/\./g, '\\.')}"`));
  assert.match(text('MANIFEST.txt'), /Everything was collected\./);

  const tokens = [...fleet.node('k8s-vm-1').state.microk8s.tokens.keys()];
  assert.ok(tokens.length >= 2, 'the cluster issued join tokens');
  const secrets: [string, string][] = [['the TLS private key', pemBody(pair.privateKeyPem).slice(10, 50)], ['a PEM private key block', 'PRIVATE KEY-----'],
    ...tokens.map((t): [string, string] => ['a join token', t])];
  for (const [name, data] of files) {
    const s = data.toString('latin1');
    for (const [what, value] of secrets) assert.ok(!s.includes(value), `${what} in ${name}`);
  }
  // The inspect reports were copied and removed: the nodes keep none.
  for (const n of fleet.fleetNodes) assert.deepEqual([...n.state.files.keys()].filter((p) => /inspection-report-/.test(p)), [], n.name);
});
