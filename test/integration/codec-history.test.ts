// A real dev-server run with payload encryption: the raw history (read without the codec) holds no plaintext
// input and no failure secret; the codec client and the codec server read it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { ENCRYPTED_ENCODING } from '../../src/codec/codec';
import { FAILURE_CONVERTER_PATH, createDataConverter } from '../../src/codec/data-converter';
import { REDACTED } from '../../src/codec/redact';
import { startCodecServer } from '../../src/codec/server';
import { startHarness, quietLogger, type TemporalHarness } from '../helpers/temporal';
import { KEY } from '../helpers/sim-tls';
import { TOKEN, UI, body64, call, fromJson, keysOf, value } from '../helpers/codec';

const K1 = randomBytes(32);

/** Every payload object (metadata + data) in a JSON history. */
function payloadsIn(v: unknown, out: { metadata: Record<string, string>; data?: string }[] = []) {
  if (Array.isArray(v)) v.forEach((x) => payloadsIn(x, out));
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'encoding' in (o.metadata as object)) out.push(o as never);
    Object.values(o).forEach((x) => payloadsIn(x, out));
  }
  return out;
}

describe('a real dev server with the codec', () => {
  let h: TemporalHarness;
  const keys = keysOf({ k1: K1 }, 'k1');
  const SECRET = 'join-token-7f3a9c51e2';

  before(async () => {
    // The SDK's default worker log prints failed activities' messages (this test's secret) at WARN.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    h = await startHarness();
  });
  after(async () => { await h?.stop(); });

  test('history holds only ciphertext, failure messages included; the codec client and the codec server read it', async () => {
    const dataConverter = createDataConverter(keys);
    const client = new Client({ connection: h.client.connection, namespace: h.server.namespace, dataConverter });
    // The failure converter runs inside the sandbox too, so the bundle is built with its path.
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../fixtures/ping-workflow'), failureConverterPath: FAILURE_CONVERTER_PATH, logger: quietLogger });
    const activities = {
      async echo(text: string): Promise<string> {
        if (text.startsWith('fail')) throw ApplicationFailure.nonRetryable(`microk8s join 10.0.0.1:25000/${SECRET} failed\n${KEY}`, 'JoinFailed');
        return text.toUpperCase();
      },
    };
    const worker = await Worker.create({ connection: h.nativeConnection, namespace: h.server.namespace, taskQueue: 'codec', workflowBundle, activities, dataConverter });
    const failed = await worker.runUntil(async () => {
      assert.equal(await client.workflow.execute('ping', { taskQueue: 'codec', workflowId: 'codec-ok', args: ['temporal'] }), 'pong: TEMPORAL');
      return client.workflow.execute('ping', { taskQueue: 'codec', workflowId: 'codec-fail', args: ['fail'] }).then(() => undefined, (e: unknown) => e);
    });
    assert.ok(failed instanceof WorkflowFailedError);
    assert.match(String(((failed.cause as Error)?.cause as Error | undefined)?.message), new RegExp(SECRET), 'the codec client decodes the failure message');

    // Raw history, read with a plain client (no codec).
    for (const id of ['codec-ok', 'codec-fail']) {
      const raw = historyToJSON(await h.client.workflow.getHandle(id).fetchHistory());
      for (const plain of ['"temporal"', 'pong: TEMPORAL', SECRET, body64(KEY).slice(0, 24), 'microk8s join']) {
        assert.ok(!raw.includes(plain), `${id}: ${plain} in the raw history`);
        assert.ok(!raw.includes(Buffer.from(plain).toString('base64').slice(0, 12)), `${id}: base64 of ${plain} in the raw history`);
      }
      const payloads = payloadsIn(JSON.parse(raw));
      assert.ok(payloads.length >= 3, `${id}: payloads found`);
      for (const p of payloads) assert.equal(Buffer.from(p.metadata.encoding, 'base64').toString(), ENCRYPTED_ENCODING, `${id}: every payload encrypted`);
      // The only "temporal" left may be the SDK's own name and build id, which the server records in every run.
      const withoutSdkIds = raw.replace(/"sdkName": "temporal-typescript"/g, '').replace(/"buildId": "@temporalio\/worker@[^"]*"/g, '');
      assert.doesNotMatch(withoutSdkIds, /temporal/i, `${id}: the input string (any case) appears nowhere in the raw history`);
    }

    // The codec server decodes the same raw payloads for the UI, with the private key redacted from the failure.
    const server = await startCodecServer({ port: 0, keys, allowedOrigin: UI, token: TOKEN });
    try {
      const raw = JSON.parse(historyToJSON(await h.client.workflow.getHandle('codec-fail').fetchHistory()));
      const failedEvent = raw.events.find((e: Record<string, unknown>) => e.activityTaskFailedEventAttributes);
      const attrs = failedEvent.activityTaskFailedEventAttributes.failure.encodedAttributes;
      const r = await call(server.url, { path: '/decode', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI, Authorization: `Bearer ${TOKEN}` }, body: { payloads: [attrs] } });
      assert.equal(r.status, 200);
      const decoded = value(fromJson(r.json.payloads[0])) as { message: string };
      assert.match(decoded.message, new RegExp(`microk8s join .*${SECRET} failed`));
      assert.ok(decoded.message.includes(REDACTED) && !decoded.message.includes(body64(KEY).slice(0, 24)));
    } finally {
      await server.close();
    }
  });
});
