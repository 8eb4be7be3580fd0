// Issue 17, finding 3 (last part): host keys of nodes met for the first time are shown to a person for
// confirmation before anything but the key exchange happens there. Real dev server, worker and simulated nodes:
// the install asks (no login, no command on any node meanwhile), accept goes on with the keys pinned, reject stops
// with a failure naming the nodes, a key in the spec is not asked about, and an impostor at a later run still stops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { readCodecKeyFile } from '../../src/codec/codec';
import { startCodecServer } from '../../src/codec/server';
import { resolveTemporalCli } from '../../src/temporal/cli-path';
import { startFleet, type Fleet } from '../../src/sim';
import { parseSiteSpec } from '../../src/site/load';
import { confirmHostKeys, startInstall } from '../../src/client/installs';
import { answerCommand, renderStatus } from '../../src/client/render';
import { finish, startInstallEnv, status, TEST_CODEC_KEY_FILE, waitForQuestion, type InstallEnv } from '../helpers/install';
import { eventually } from '../helpers/sim';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

const logins = (fleet: Fleet) => fleet.nodes.reduce((sum, n) => sum + fleet.node(n.name).server.logins, 0);
const commands = (fleet: Fleet, node?: string, since = 0) => fleet.audit(node).filter((e) => e.source === 'ssh' && e.start >= since).map((e) => e.command);

test('a first install asks; nothing but the key exchange meanwhile; accept pins the shown keys and the install goes on', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'hk-accept', seed: 71, confirmHostKeys: true, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    // k8s-vm-1's key is in the spec: it is not asked about.
    const nodes = fleet.spec.nodes.map((n, i) => (i === 0 ? { ...n, hostKey: fleet.node(n.name).hostKeyFingerprint } : n));
    const spec = parseSiteSpec({ ...fleet.spec, nodes });
    assert.equal(spec.ssh.trustOnFirstUse, false, 'asking is the default');
    const h = await startInstall(env.client, spec);
    const q = await waitForQuestion(h, (x) => x.kind === 'hostKeys', 120_000);
    const shown = (q.lastError ?? '').split('\n');
    assert.deepEqual(shown.map((l) => l.split(' ')[0]), ['k8s-vm-2', 'k8s-vm-3'], 'only the nodes without a pin');
    for (const line of shown) {
      const [name, , key] = line.split(' ');
      assert.equal(key, fleet.node(name).hostKeyFingerprint, `${name}: the fingerprint as ssh-keygen -lf prints it`);
    }
    assert.match(q.prompt, /ssh-keygen -lf/, 'the prompt says how to check on the node');
    assert.equal(answerCommand(spec.site, q), `kloudspot-installer answer ${spec.site} hostkeys --accept   (or: --reject)`);
    assert.match(renderStatus(await status(h)), /k8s-vm-2 \S+ SHA256:/);
    // While the question waits: no login and no command anywhere (k8s-vm-1, pinned, waits with the others).
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(logins(fleet), 0, 'no node was logged into');
    assert.deepEqual(commands(fleet), [], 'no command ran on any node');

    // A wrong answer is refused at once by the update; then accept.
    await assert.rejects(confirmHostKeys(env.client, spec.site, { answer: 'maybe' as 'accept' }), /accept.*reject/);
    assert.equal(await confirmHostKeys(env.client, spec.site, { answer: 'accept' }), 'host keys accepted');
    for (;;) {
      const s = await status(h);
      if (s.phase !== 'preflight' || s.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const s = await status(h);
    assert.notEqual(s.state, 'failed', s.lastError);
    assert.equal(s.questions.filter((x) => x.kind === 'hostKeys').length, 0);
    assert.ok(commands(fleet, 'k8s-vm-2').length > 0, 'preflight ran once the keys were accepted');
    assert.match(s.summary?.['host keys confirmed at first contact'] ?? '', new RegExp(`k8s-vm-3 ${fleet.node('k8s-vm-3').hostKeyFingerprint.replace(/[+/]/g, '\\$&')}`));
    await h.terminate('test done: the install went on past preflight');

    // A later run: the accepted keys are the worker's pins. An impostor at k8s-vm-3 stops it before any command.
    const real = fleet.node('k8s-vm-3').hostKeyFingerprint;
    fleet.faults.wrongHostKey('k8s-vm-3');
    fleet.node('k8s-vm-3').server.dropAll('KILL');
    const switchedAt = Date.now();
    const again = await startInstall(env.client, spec);
    const mismatch = await waitForQuestion(again, (x) => x.kind === 'failure' && /host key mismatch/i.test(x.lastError ?? ''), 120_000);
    assert.ok(mismatch.lastError!.includes(real), 'names the key accepted at first contact');
    assert.equal((await status(again)).questions.filter((x) => x.kind === 'hostKeys').length, 0, 'not asked again: the keys are pinned');
    assert.deepEqual(commands(fleet, 'k8s-vm-3', switchedAt), [], 'no command ran on the impostor');
    await again.terminate('test done');
  } finally {
    await fleet.stop();
  }
});

test('a rejection (Temporal CLI signal) stops the install with a failure naming the nodes; nothing ran on any node', { timeout: 200_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'hk-reject', seed: 72, confirmHostKeys: true, specOverrides: { tls: { mode: 'self-signed' } } });
  // The worker refuses plaintext: the Temporal CLI encrypts its input through a codec server, as a person's would.
  const codec = await startCodecServer({ port: 0, keys: readCodecKeyFile(TEST_CODEC_KEY_FILE), allowedOrigin: 'http://localhost:8233', requireToken: false });
  try {
    const h = await startInstall(env.client, fleet.spec);
    await waitForQuestion(h, (x) => x.kind === 'hostKeys', 120_000);
    await promisify(execFile)(resolveTemporalCli(), ['workflow', 'signal', '--address', env.h.server.address, '--namespace', env.h.server.namespace,
      '--codec-endpoint', codec.url, '--workflow-id', h.workflowId, '--name', 'confirmHostKeys', '--input', '{"answer": "reject"}']);
    await assert.rejects(h.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      const cause = err.cause as Error & { type?: string };
      assert.equal(cause.type, 'HostKeyRejected');
      assert.match(cause.message, /rejected the host keys shown for k8s-vm-1, k8s-vm-2, k8s-vm-3: nothing ran on them beyond the SSH key exchange/);
      return true;
    });
    assert.equal((await status(h)).state, 'failed');
    assert.equal(logins(fleet), 0, 'no node was logged into');
    assert.deepEqual(commands(fleet), [], 'no command ran on any node');
  } finally {
    await codec.close();
    await fleet.stop();
  }
});

test('every key in the spec (or ssh.trustOnFirstUse): no question, the install goes straight to preflight', { timeout: 200_000 }, async () => {
  for (const [site, opts] of [['hk-pinned', { pinHostKeys: true, confirmHostKeys: true }], ['hk-tofu', {}]] as const) {
    const fleet = await startFleet({ nodes: 3, site, seed: 73, ...opts, specOverrides: { tls: { mode: 'self-signed' } } });
    try {
      const h = await startInstall(env.client, fleet.spec);
      const deadline = Date.now() + 120_000;
      while (commands(fleet).length === 0) {
        assert.ok(Date.now() < deadline, `${site}: preflight started`);
        const s = await status(h).catch(() => undefined);
        assert.equal(s?.questions.filter((x) => x.kind === 'hostKeys').length ?? 0, 0, `${site}: no host key question`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await h.terminate('test done');
    } finally {
      await fleet.stop();
    }
  }
});

test('add-node asks about the new node only, answered on the add-node workflow; the node is then prepared', { timeout: 500_000 }, async () => {
  const fleet = await startFleet({ nodes: 4, site: 'hk-add', seed: 74, confirmHostKeys: true, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    const pinned = fleet.spec.nodes.slice(0, 3).map((n) => ({ ...n, hostKey: fleet.node(n.name).hostKeyFingerprint }));
    const three = parseSiteSpec({ ...fleet.spec, nodes: pinned });
    const done = await finish(await startInstall(env.client, three), 300_000);
    assert.equal(done.state, 'completed', 'every key in the spec: the install never asked');
    const grown = parseSiteSpec({ ...fleet.spec, nodes: [...pinned, fleet.spec.nodes[3]] });
    const h = await startInstall(env.client, grown, 'addNode', [grown, 'k8s-vm-4']);
    const q = await waitForQuestion(h, (x) => x.kind === 'hostKeys', 120_000);
    assert.equal(q.lastError?.split(' ')[0], 'k8s-vm-4');
    assert.ok(q.lastError?.endsWith(fleet.node('k8s-vm-4').hostKeyFingerprint));
    assert.equal(answerCommand(grown.site, q, h.workflowId), `kloudspot-installer answer hk-add hostkeys --accept --workflow ${h.workflowId}   (or: --reject)`);
    assert.deepEqual(commands(fleet, 'k8s-vm-4'), [], 'nothing ran on the new node before the answer');
    assert.equal(await confirmHostKeys(env.client, grown.site, { answer: 'accept' }, h.workflowId), 'host keys accepted');
    await eventually(async () => commands(fleet, 'k8s-vm-4').length > 0, 120_000, 300);
    await h.terminate('test done: the new node is being prepared');
  } finally {
    await fleet.stop();
  }
});
