// Issue 17, finding 1: Temporal access is not root on the nodes. A start or signal sent without the codec key
// (plaintext) is refused with a clear reason and runs nothing; an encrypted start that the CLI would refuse is
// refused by the workflow itself; a nodeReport not from the site's own child is ignored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startFleet } from '../../src/sim';
import { getStatus, startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import { startInstallEnv, status, waitForQuestion, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError, `the workflow failed (got ${String(err)})`);
  assert.ok(err.cause instanceof ApplicationFailure, `an application failure: ${String(err.cause)}`);
  return err.cause;
}

test('a plaintext installCluster start with a hostile tools URL fails at once, naming the codec key; no node sees a command', { timeout: 120_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'plain-start', seed: 31 });
  try {
    const plain = new Client({ connection: env.client.connection, namespace: 'default' });
    const hostile = { ...fleet.spec, kloudspot: { toolsUrl: 'http://attacker.example/x.sh' } };
    const before = fleet.audit().length;
    const handle = await plain.workflow.start('installCluster', { taskQueue: api.TASK_QUEUE, workflowId: api.installWorkflowId('plain-start'), args: [hostile] });
    // The operator's client (with the key) reads the failure: the reason, not a stuck workflow task.
    const f = await failureOf(env.client.workflow.getHandle(handle.workflowId).result());
    assert.equal(f.type, 'PlaintextRefused');
    assert.match(f.message, /workflow input refused: .*not encrypted with the installer's codec key/);
    assert.match(f.message, /KLOUDSPOT_CODEC_KEY_FILE/);
    // What `kloudspot-installer status plain-start` prints: the refusal, not a query error.
    await assert.rejects(getStatus(env.client, 'plain-start'), /install\/plain-start failed before it started: workflow input refused: .*not encrypted/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fleet.audit().length, before, 'no command ran on any node');
  } finally {
    await fleet.stop();
  }
});

test('an encrypted start the schema refuses (http tools URL, newline in a node name) fails naming the field; nothing runs', { timeout: 120_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'bad-input', seed: 32 });
  try {
    const before = fleet.audit().length;
    const nodes = fleet.spec.nodes.map((n, i) => (i === 1 ? { ...n, name: 'k8s-vm-2\n10.0.0.9 registry.kloudspot.com' } : n));
    const handle = await startInstall(env.client, { ...fleet.spec, nodes, kloudspot: { ...fleet.spec.kloudspot, toolsUrl: 'http://attacker.example/x.sh' } });
    const f = await failureOf(handle.result());
    assert.equal(f.type, 'InvalidInput');
    assert.match(f.message, /nodes\[1\]\.name: .*is not an RFC 1123 label/);
    assert.match(f.message, /Nothing was run on any node/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fleet.audit().length, before, 'no command ran on any node');
  } finally {
    await fleet.stop();
  }
});

test('a plaintext signal and a forged nodeReport change nothing; the refusal is in the status', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'plain-signal', seed: 33 });
  try {
    const handle = await startInstall(env.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.kind === 'certificate');
    const plain = new Client({ connection: env.client.connection, namespace: 'default' });
    await plain.workflow.getHandle(handle.workflowId).signal(api.useSelfSignedCertificateSignal, {});
    // Encrypted (as the Web UI's codec server would send it) but without the child's key.
    await handle.signal(api.nodeReportSignal, { node: 'k8s-vm-1', step: 'forged', state: 'failed', question: { ...q, id: 'x', kind: 'failure', step: 'k8s-vm-1:forged', prompt: 'forged' } });
    // A plaintext update is rejected (its reason is encrypted like every failure: the sender without the key cannot read it).
    await assert.rejects(plain.workflow.getHandle(handle.workflowId).executeUpdate(api.useSelfSignedCertificateUpdate, { args: [{}] }));
    let s = await status(handle);
    for (let i = 0; i < 50 && !s.summary?.refused; i++) { await new Promise((r) => setTimeout(r, 100)); s = await status(handle); }
    assert.match(s.summary?.refused ?? '', /signal useSelfSignedCertificate refused: .*not encrypted/);
    assert.ok(s.questions.some((x) => x.kind === 'certificate'), 'the certificate question still waits');
    assert.ok(!s.questions.some((x) => x.prompt === 'forged'), 'the forged report added no question');
    assert.ok(!s.nodes.some((n) => n.step === 'forged'), 'the forged report moved no node');
    // The same answer with the key goes through.
    await handle.executeUpdate(api.useSelfSignedCertificateUpdate, { args: [{}] });
    await handle.terminate('test done');
  } finally {
    await fleet.stop();
  }
});
