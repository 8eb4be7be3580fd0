// Secrets stay secret: a full install with a certificate upload leaves neither the private key nor a
// join token readable in the raw history; host keys are pinned; hostile answers are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { startFleet } from '../../src/sim';
import { parseSiteSpec } from '../../src/site/validate';
import { PINNED_SUMMARY, writePinsToSpec } from '../../src/client/write-spec';
import { makeCertificate } from '../../src/client/certs';
import { startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import { CHART_NAMESPACE, TLS_SECRET } from '../../src/activities/commands/chart';
import { startInstallEnv, status, waitForQuestion, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

/** The base64 body of a PEM block, the part that is the secret. */
const pemBody = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');

test('the raw history of a full install holds no private key, join token or other secret; the codec decodes it', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'secrets', seed: 21 });
  try {
    const handle = await startInstall(env.client, fleet.spec);
    await waitForQuestion(handle, (q) => q.kind === 'certificate');
    const pair = makeCertificate(fleet.spec.dnsHostname);
    await handle.executeUpdate(api.uploadCertificateUpdate, { args: [pair] });
    const final = await handle.result() as api.InstallStatus;
    assert.equal(final.state, 'completed');

    // The history as anyone with access to the server sees it: no codec.
    const plain = new Client({ connection: env.client.connection, namespace: 'default' });
    const ids = [handle.workflowId, ...fleet.spec.nodes.map((n) => `${handle.workflowId}/prepare/${n.name}`)];
    const raw = (await Promise.all(ids.map(async (id) => historyToJSON(await plain.workflow.getHandle(id).fetchHistory())))).join('\n');
    const secrets: [string, string][] = [
      ['the private key', pemBody(pair.privateKeyPem)],
      ['a chunk of the private key', pemBody(pair.privateKeyPem).slice(20, 60)],
      ...[...fleet.node(fleet.spec.nodes[0].name).state.microk8s.issuedTokens].map((t): [string, string] => ['a join token', t]),
      ['the ssh private key path\'s key', 'OPENSSH PRIVATE KEY'],
    ];
    assert.ok(secrets.filter(([what]) => what === 'a join token').length >= 2, 'the cluster issued join tokens');
    for (const [what, value] of secrets) {
      assert.ok(!raw.includes(value), `${what} is readable in the raw history`);
      assert.ok(!raw.includes(Buffer.from(value).toString('base64').slice(0, 40)), `${what} is in the raw history as base64`);
    }
    // With the codec the same history decodes: the certificate is there (it is not secret).
    const decoded = JSON.stringify(await env.client.workflow.getHandle(handle.workflowId).fetchHistory());
    assert.ok(decoded.length > 0);
    const s = JSON.stringify(await status(handle));
    assert.ok(!s.includes(pemBody(pair.privateKeyPem)), 'status carries no key');

    // The key reached the cluster only as a Secret on kubectl's stdin: never a file on the node.
    const first = fleet.node(fleet.spec.nodes[0].name).state;
    // Server-side apply: no annotation of the Secret holds the key (client-side apply's last-applied-configuration did).
    const secret = first.microk8s.cluster!.store.get('Secret', CHART_NAMESPACE, TLS_SECRET);
    assert.ok(secret, 'the TLS Secret exists');
    const annotations = JSON.stringify(secret.metadata.annotations ?? {});
    assert.ok(!annotations.includes(Buffer.from(pair.privateKeyPem).toString('base64').slice(0, 40)), 'no annotation holds the key (base64)');
    assert.ok(!annotations.includes(pemBody(pair.privateKeyPem).slice(0, 40)), 'no annotation holds the key');
    assert.equal(secret.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);
    assert.equal(first.files.has('/etc/kloudspot/tls.key'), false, 'no key file on the node');
    assert.ok(!fleet.audit().some((e) => e.command.includes('tls.key')), 'the key was never written to a file');
    for (const e of fleet.audit()) assert.ok(!e.command.includes(pemBody(pair.privateKeyPem).slice(0, 40)), 'no key on a command line');

    // --write-spec (finding 3): the keys pinned at first contact, from the real status, go into a spec file.
    const specFile = join(mkdtempSync(join(tmpdir(), 'ks-write-spec-')), 'site.yaml');
    writeFileSync(specFile, `# written by hand\n${yaml.dump(fleet.spec)}`);
    writePinsToSpec(specFile, final.summary?.[PINNED_SUMMARY]);
    const written = parseSiteSpec(yaml.load(readFileSync(specFile, 'utf8')), specFile);
    assert.deepEqual(written.nodes.map((n) => n.hostKey), fleet.spec.nodes.map((n) => fleet.node(n.name).hostKeyFingerprint));
    assert.match(readFileSync(specFile, 'utf8'), /^# written by hand\n/);

    // Join tokens (finding 4): single-use, written to the agent's token file from stdin, on no node's command line
    // (ps, /proc/*/cmdline, sudo's log) at any moment, and gone from the first manager once used.
    const tokens = [...first.microk8s.issuedTokens];
    assert.equal(tokens.length, fleet.spec.nodes.length - 1, 'one token per join');
    const leftover = first.files.get('/var/snap/microk8s/current/credentials/cluster-tokens.txt')?.content ?? '';
    for (const t of tokens) {
      const shown = fleet.audit().filter((e) => e.command.includes(t)).map((e) => `${e.node}: ${e.command}`);
      assert.deepEqual(shown, [], 'a join token is on a command line (ps, sudo log)');
      assert.ok(!leftover.includes(t), 'a join token is still valid after the install');
      assert.ok(!s.includes(t), 'a join token is in the status');
    }
  } finally {
    await fleet.stop();
  }
});

test('a host key that changes mid-install stops that node with both fingerprints; nothing runs on the impostor', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'impostor', seed: 22, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    const victim = 'k8s-vm-2';
    const real = fleet.node(victim).hostKeyFingerprint;
    // Hold node 2 at its hostname step until the key has been swapped.
    const hold = fleet.faults.add({ kind: 'hang', node: victim, match: 'hostnamectl set-hostname', times: 1 });
    const handle = await startInstall(env.client, fleet.spec);
    for (let i = 0; i < 600 && !fleet.audit(victim).some((e) => e.command.includes('hostnamectl set-hostname')); i++) await new Promise((r) => setTimeout(r, 100));
    fleet.faults.wrongHostKey(victim);
    const impostor = fleet.node(victim).hostKeyFingerprint;
    assert.notEqual(impostor, real);
    const switchedAt = Date.now();
    fleet.node(victim).server.dropAll('KILL');
    fleet.faults.remove(hold);

    const q = await waitForQuestion(handle, (x) => x.kind === 'failure' && x.node === victim);
    assert.match(q.lastError!, /host key mismatch/);
    assert.ok(q.lastError!.includes(real) && q.lastError!.includes(impostor), 'names both fingerprints');
    const after = fleet.audit(victim).filter((e) => e.source === 'ssh' && e.start > switchedAt);
    assert.deepEqual(after.map((e) => e.command), [], 'nothing ran on the impostor');
    await handle.terminate('test done');
  } finally {
    await fleet.stop();
  }
});

test('hostile answers are refused by the update validators before anything runs', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'hostile', seed: 23, severalBlockDevices: [2], specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    const handle = await startInstall(env.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.kind === 'blockDevice');
    const hostile = ['x; reboot', '$(touch /tmp/pwned)', '`id`', "a'b", 'a\nb', 'a\u0000b', 'ü'.repeat(5000)];
    for (const v of hostile) {
      await assert.rejects(handle.executeUpdate(api.chooseBlockDeviceUpdate, { args: [{ node: q.node!, blockDevice: v }] }), `blockDevice ${JSON.stringify(v.slice(0, 20))}`);
      await assert.rejects(handle.executeUpdate(api.chooseBlockDeviceUpdate, { args: [{ node: v, blockDevice: q.options![0] }] }), `node ${JSON.stringify(v.slice(0, 20))}`);
      await assert.rejects(handle.executeUpdate(api.resolveFailureUpdate, { args: [{ step: v, action: 'retry' }] }));
      await assert.rejects(handle.executeUpdate(api.uploadCertificateUpdate, { args: [{ certificatePem: v, privateKeyPem: v }] }));
    }
    await assert.rejects(handle.executeUpdate(api.chooseBlockDeviceUpdate, { args: [null as never] }));
    assert.ok((await status(handle)).questions.some((x) => x.id === q.id), 'the question is still open');
    await handle.signal(api.chooseBlockDeviceSignal, { node: q.node!, blockDevice: q.options![0] });
    const final = await handle.result() as api.InstallStatus;
    assert.equal(final.state, 'completed');
    assert.ok(!fleet.audit().some((e) => /pwned|reboot;|`id`/.test(e.command)), 'no hostile value reached a node');
  } finally {
    await fleet.stop();
  }
});
