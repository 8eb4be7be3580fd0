// A user's own Temporal: a plain `temporal server start-dev` started WITHOUT the installer's search attributes.
// install and worker refuse to start with one paragraph naming the attributes and `kloudspot-installer setup`;
// the server's own refusal reaches the user with its status code and message; setup (run twice: the second
// changes nothing) registers them and creates a missing namespace with 30 days' retention; then an install
// started by the CLI completes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startFleet } from '../../src/sim';
import { installHandle, startInstall, useSelfSigned } from '../../src/client/installs';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { describeServerError, serverRefusal } from '../../src/temporal/server-errors';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { createInstallerWorker, installerBundle } from '../../src/worker/worker';
import { runCli, type CliResult } from '../helpers/cli';
import { TEST_CODEC_KEY_FILE, finish, quietRuntime, testDataConverter, waitForQuestion } from '../helpers/install';

const CLEAN_ENV: NodeJS.ProcessEnv = { KLOUDSPOT_CODEC_KEY_FILE: undefined, TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined };
const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const onePara = (r: CliResult, what: string) => {
  assert.doesNotMatch(r.stderr.trim(), /\n\s*\n/, `${what}: one paragraph\n${show(r)}`);
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+/m, `${what}: no stack trace\n${show(r)}`);
};

let server: DevServer;
let conn: string[];
const dir = mkdtempSync(join(tmpdir(), 'ks-setup-'));
before(async () => {
  server = await startDevServer({ uiPort: false, searchAttributes: false });
  conn = ['--address', server.address, '--codec-key-file', TEST_CODEC_KEY_FILE];
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});
const cli = (args: string[], timeoutMs = 90_000) => runCli(args, { env: CLEAN_ENV, timeoutMs });

test('a plain server: install and worker say what is missing and how to fix it; setup twice; then an install completes', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'own-temporal', seed: 15 });
  try {
    const spec = join(dir, 'site.yaml');
    writeFileSync(spec, fleet.specYaml());

    // 1. install: exit 1, one paragraph naming every missing attribute and the command that fixes it.
    const refused = await cli(['install', spec, ...conn]);
    assert.equal(refused.code, 1, show(refused));
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) assert.match(refused.stderr, new RegExp(name), show(refused));
    assert.match(refused.stderr, /kloudspot-installer setup/, show(refused));
    assert.match(refused.stderr, new RegExp(`namespace default`), show(refused));
    onePara(refused, 'install before setup');
    assert.doesNotMatch(refused.stderr, /^Error: Failed to start Workflow\s*$/m);

    // 2. worker: the same, and it does not start polling.
    const worker = await cli(['worker', '--log-format', 'text', ...conn], 60_000);
    assert.equal(worker.code, 1, show(worker));
    assert.match(worker.stderr, /KloudspotSite/, show(worker));
    assert.match(worker.stderr, /kloudspot-installer setup/, show(worker));
    onePara(worker, 'worker before setup');

    // 3. The server's own refusal, had the check been skipped: its status code and message, not only the SDK's words.
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: 'default', dataConverter: testDataConverter() });
    const err = await startInstall(client, fleet.spec).then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'the server refuses a start with unknown search attributes');
    assert.equal(serverRefusal(err)?.status, 'INVALID_ARGUMENT', String(err));
    const said = describeServerError(err)!;
    // The server names the first attribute of ours it does not know.
    assert.match(said, /^Failed to start Workflow: the Temporal server refused it with INVALID_ARGUMENT: .*search attribute Kloudspot(Site|Customer|Phase|Health)\b/, said);
    assert.match(said, /kloudspot-installer setup/, said);

    // 4. setup, twice: the first registers them, the second changes nothing.
    const first = await cli(['setup', ...conn]);
    assert.equal(first.code, 0, show(first));
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) assert.match(first.stdout, new RegExp(`search attribute ${name}: added \\(Keyword\\)`), show(first));
    // start-dev makes `default` with a 1-day retention: said, with the fix, and not changed without --retention.
    assert.match(first.stdout, /namespace default: exists with a retention of 1d;.*setup --retention 30d/, show(first));
    const second = await cli(['setup', ...conn]);
    assert.equal(second.code, 0, show(second));
    assert.doesNotMatch(second.stdout, /added/, show(second));
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) assert.match(second.stdout, new RegExp(`search attribute ${name}: registered`), show(second));
    assert.match(second.stdout, /nothing to change/, show(second));

    // A namespace that does not exist: created with the retention asked for, then set up like the other.
    const other = await cli(['setup', '--namespace', 'installs', '--retention', '45d', ...conn]);
    assert.equal(other.code, 0, show(other));
    assert.match(other.stdout, /namespace installs: created, retention 45d/, show(other));
    const described = await connection.workflowService.describeNamespace({ namespace: 'installs' });
    assert.equal(Number(described.config?.workflowExecutionRetentionTtl?.seconds), 45 * 86_400);
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'installs' });
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) assert.ok(name in (listed.customAttributes ?? {}), `${name} on installs`);
    const tooShort = await cli(['setup', '--retention', '7d', ...conn]);
    assert.equal(tooShort.code, 2, show(tooShort));
    assert.match(tooShort.stderr, /--retention 7d: give at least 30d/, show(tooShort));

    // 5. Now an install started by the CLI runs to the end on a worker.
    quietRuntime();
    const native = await NativeConnection.connect({ address: server.address });
    const { worker: w, pool } = await createInstallerWorker({
      connection: native, namespace: 'default', workflowBundle: await installerBundle(), pollMs: 100, dataConverter: testDataConverter(),
    });
    await w.runUntil(async () => {
      const started = await cli(['install', spec, ...conn]);
      assert.equal(started.code, 0, show(started));
      assert.match(started.stdout, /Started install\/own-temporal/);
      const handle = installHandle(client, 'own-temporal');
      await waitForQuestion(handle, (q) => q.kind === 'certificate', 180_000);
      await useSelfSigned(client, 'own-temporal');
      const final = await finish(handle, 180_000);
      assert.equal(final.state, 'completed');
      assert.deepEqual(fleet.duplicateEffects(), []);
    });
    await pool.closeAll();
    await native.close();
    await connection.close();
  } finally {
    await fleet.stop();
  }
});
