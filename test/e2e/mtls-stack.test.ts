// Issue 17, finding 1 (last part): the native production stack with mTLS on its frontend (deploy/gen-mtls-certs.sh,
// `npm run stack -- --mtls`). The real PostgreSQL-backed Temporal server refuses a client without a certificate
// (plaintext, or TLS without a client certificate, or one from another CA) and serves one with the CLI's; the
// namespace setup, the worker and our CLI all run through it with theirs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { startStack, type Stack } from '../../src/stack/stack';
import { runCli } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'ks-mtls-stack-'));
chmodSync(dir, 0o755);
let stack: Stack;
const log = (line: string) => process.stderr.write(`[mtls-stack ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

before(async () => {
  stack = await startStack({ dir, ports: 'free', workers: 1, ui: false, mtls: true, log });
}, { timeout: 600_000 });

after(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Whether a connection with these settings gets an answer from the frontend. */
async function served(tls: ConnectionOptions['tls']): Promise<true | string> {
  try {
    const c = await Connection.connect({ address: stack.address, tls, connectTimeout: 5000 });
    try {
      await c.withDeadline(Date.now() + 5000, () => c.workflowService.describeNamespace({ namespace: stack.namespace }));
      return true;
    } finally {
      await c.close();
    }
  } catch (err) {
    return (err as Error).message;
  }
}

test('a client without a certificate is refused; one with the CLI certificate is served', { timeout: 120_000 }, async () => {
  assert.ok(stack.tls, 'the stack runs with mTLS');
  const ca = readFileSync(stack.tls.cli.ca);
  assert.notEqual(await served(undefined), true, 'plaintext gRPC');
  assert.notEqual(await served({ serverRootCACertificate: ca, serverNameOverride: 'localhost' }), true, 'TLS without a client certificate');
  // A certificate from another CA (made by the same script in another directory) is refused as well.
  const other = join(dir, 'other-ca');
  assert.equal(spawnSync('bash', [join(__dirname, '..', '..', 'deploy', 'gen-mtls-certs.sh'), other]).status, 0);
  assert.notEqual(await served({ serverRootCACertificate: ca, serverNameOverride: 'localhost',
    clientCertPair: { crt: readFileSync(join(other, 'cli.crt')), key: readFileSync(join(other, 'cli.key')) } }), true, 'a certificate of another CA');
  assert.equal(await served(stack.tls.connection), true);
});

test('the worker polls through mTLS and our CLI connects with TEMPORAL_TLS_*; without them it is refused', { timeout: 120_000 }, async () => {
  const c = await Connection.connect({ address: stack.address, tls: stack.tls!.connection });
  try {
    const pollers = await c.workflowService.describeTaskQueue({ namespace: stack.namespace, taskQueue: { name: 'kloudspot-installer' }, taskQueueType: 1 });
    assert.ok((pollers.pollers ?? []).length > 0, 'the worker polls the task queue');
  } finally {
    await c.close();
  }
  const base = { TEMPORAL_ADDRESS: stack.address, TEMPORAL_NAMESPACE: stack.namespace, KLOUDSPOT_CODEC_KEY_FILE: stack.codecKeyFile };
  const withCert = await runCli(['list'], { env: { ...base, ...stack.tls!.env } });
  assert.equal(withCert.code, 0, withCert.stderr);
  const without = await runCli(['list'], { env: { ...base, TEMPORAL_TLS_CERT: undefined, TEMPORAL_TLS_KEY: undefined, TEMPORAL_TLS_CA: undefined } });
  assert.equal(without.code, 1, without.stdout);
});
