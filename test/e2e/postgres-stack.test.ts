// The native production stack (`npm run stack`: PostgreSQL, the Temporal server built from source, the Web
// UI with the codec server, two workers) with a 3-node simulated install through it. The questions are
// answered with the Temporal CLI against the stack's frontend. Mid-install the Temporal server is killed
// with SIGKILL and restarted, and PostgreSQL restarted with `pg_ctl restart -m immediate`; before the last
// answer both workers are replaced by new ones, which happens only after `kloudspot-installer replay`
// has checked the running histories exported from the stack. The install completes; no side effect twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { startFleet, type Fleet } from '../../src/sim';
import { readCodecKeyFile } from '../../src/codec/codec';
import { createDataConverter } from '../../src/codec/data-converter';
import { startStack, type Stack } from '../../src/stack/stack';
import { resolveTemporalCli } from '../../src/temporal/cli-path';
import { installWorkflowId, prepareNodeWorkflowId, type InstallStatus } from '../../src/workflows/api';
import { runCli, type CliResult } from '../helpers/cli';
import { eventually } from '../helpers/sim';
import { finish, status, waitForQuestion } from '../helpers/install';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ks-stack-'));
chmodSync(dir, 0o755);
let stack: Stack;
let connection: Connection;
let client: Client;
const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const log = (line: string) => process.stderr.write(`[stack ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

before(async () => {
  stack = await startStack({ dir, ports: 'free', workers: 2, log });
  connection = await Connection.connect({ address: stack.address });
  client = new Client({ connection, namespace: stack.namespace, dataConverter: createDataConverter(readCodecKeyFile(stack.codecKeyFile)) });
}, { timeout: 600_000 });

after(async () => {
  await connection?.close();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * `temporal workflow signal` against the stack's frontend, as a person would send it. The worker refuses plaintext
 * payloads (docs/security.md), so the CLI encrypts the input through the stack's codec server (POST /encode).
 */
async function signalWithCli(workflowId: string, name: string, input: unknown): Promise<void> {
  await run(resolveTemporalCli(), ['workflow', 'signal', '--address', stack.address, '--namespace', stack.namespace, '--codec-endpoint', stack.codecUrl!,
    '--workflow-id', workflowId, '--name', name, '--input', JSON.stringify(input)]);
}

const cli = (args: string[], timeoutMs = 120_000) => runCli([...args, '--address', stack.address, '--codec-key-file', stack.codecKeyFile],
  { env: { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined, KLOUDSPOT_CODEC_KEY_FILE: undefined }, timeoutMs });

test('the stack serves the Web UI with the codec server, and the namespace is set up by the compose scripts', async () => {
  assert.ok(stack.uiUrl && stack.codecUrl);
  const ui = await fetch(`${stack.uiUrl}/`);
  assert.equal(ui.status, 200);
  assert.match(await ui.text(), /<html/i);
  // The UI server hands the browser our codec endpoint.
  const settings = await (await fetch(`${stack.uiUrl}/api/v1/settings`)).json() as { Codec?: { Endpoint?: string } };
  assert.equal(settings.Codec?.Endpoint, stack.codecUrl);
  assert.equal((await fetch(`${stack.codecUrl}/healthz`)).status, 200);
  const ns = await connection.workflowService.describeNamespace({ namespace: stack.namespace });
  assert.equal(Number(ns.config?.workflowExecutionRetentionTtl?.seconds), 30 * 86_400);
  // `setup` on a set-up namespace changes nothing: the scripts and the command agree.
  const setup = await cli(['setup']);
  assert.equal(setup.code, 0, show(setup));
  assert.match(setup.stdout, /nothing to change/, show(setup));
});

test('3-node install through the stack survives a SIGKILL of the Temporal server, an immediate PostgreSQL restart and a worker replacement checked by replay', { timeout: 420_000 }, async () => {
  const fleet: Fleet = await startFleet({ nodes: 3, site: 'pg-stack', severalBlockDevices: [1], seed: 29, latency: 'fast' });
  try {
    const spec = join(dir, 'site.yaml');
    writeFileSync(spec, fleet.specYaml());
    const started = await cli(['install', spec]);
    assert.equal(started.code, 0, show(started));
    const workflowId = installWorkflowId('pg-stack');
    const handle = client.workflow.getHandle(workflowId);

    // 1. The Temporal server dies (SIGKILL) while nodes are being prepared, and comes back on the same database.
    await eventually(async () => fleet.effects().length >= 6, 180_000, 100);
    const effectsAtKill = fleet.effects().length;
    await stack.killServer();
    assert.equal(stack.server().running(), false);
    log(`temporal server killed after ${effectsAtKill} node changes`);
    await stack.startServer();
    log('temporal server restarted');

    // 2. The block-device question, answered with the Temporal CLI.
    const bd = await waitForQuestion(handle, (q) => q.kind === 'blockDevice', 180_000);
    assert.equal(bd.node, 'k8s-vm-2');
    await signalWithCli(workflowId, 'chooseBlockDevice', { node: bd.node, blockDevice: bd.options![1] });

    // 3. PostgreSQL restarted with no shutdown checkpoint, as after a crash, while storage is configured.
    await eventually(async () => (await status(handle).catch(() => undefined))?.questions.every((q) => q.kind !== 'blockDevice'), 60_000, 100);
    const t0 = Date.now();
    stack.postgres.restart('immediate');
    log(`postgres restarted (immediate) in ${Date.now() - t0} ms`);

    // 4. A worker with new code: export the running histories from the stack, replay them, then deploy it.
    await waitForQuestion(handle, (q) => q.kind === 'certificate', 240_000);
    const s = await status(handle);
    const ids = [workflowId, ...s.nodes.map((n) => prepareNodeWorkflowId('pg-stack', n.name))];
    const files: string[] = [];
    for (const id of ids) {
      const file = join(dir, `${id.replace(/\//g, '_')}.json`);
      const exported = await cli(['history', 'pg-stack', '--workflow-id', id, '-o', file]);
      assert.equal(exported.code, 0, show(exported));
      files.push(file);
    }
    const replay = await cli(['replay', ...files], 180_000);
    assert.equal(replay.code, 0, show(replay));
    assert.equal(replay.stdout.match(/^compatible {4}/gm)?.length, files.length, show(replay));
    const before = stack.workers.map((w) => w.child.pid);
    await stack.redeployWorkers();
    assert.ok(stack.workers.every((w, i) => w.running() && w.child.pid !== before[i]), 'both workers replaced');

    // 5. The last answer, with the CLI again; the new workers finish the install.
    await signalWithCli(workflowId, 'useSelfSignedCertificate', {});
    const final: InstallStatus = await finish(handle, 240_000);
    assert.equal(final.state, 'completed');
    assert.equal(final.phase, 'done');
    const names = fleet.spec.nodes.map((n) => n.name);
    const cluster = fleet.clusterOf(names[0]);
    assert.ok(cluster);
    for (const n of names) assert.equal(fleet.clusterOf(n), cluster, `${n} joined the one cluster`);
    assert.deepEqual(fleet.duplicateEffects(), [], 'no side effect happened twice');
  } finally {
    await fleet.stop();
  }
});
