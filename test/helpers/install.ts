// Shared by the install tests: a dev server, a worker, simulated nodes, and helpers to wait for questions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { exportHistory } from '../../src/client/installs';
import type { SshPool } from '../../src/activities/ssh';
import type { InstallStatus, Question } from '../../src/workflows/api';
import { createInstallerWorker, installerBundle } from '../../src/worker/worker';
import { readCodecKeyFile } from '../../src/codec/codec';
import { createDataConverter } from '../../src/codec/data-converter';
import { startHarness, type TemporalHarness } from './temporal';

export interface InstallEnv {
  h: TemporalHarness;
  client: Client;
  worker: Worker;
  pool: SshPool;
  stop(): Promise<void>;
}

/** Worker logs at WARN and above only: the tests print what they check. */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this process.
  }
}

/** The codec key the tests (and their recorded histories) use: test-only, never a real site's. */
export const TEST_CODEC_KEY_FILE = join(__dirname, '..', 'fixtures', 'test-codec-keys.json');
export const testDataConverter = () => createDataConverter(readCodecKeyFile(TEST_CODEC_KEY_FILE));

export async function startInstallEnv(opts: { uiPort?: number; codecEndpoint?: string; pool?: SshPool } = {}): Promise<InstallEnv> {
  quietRuntime();
  const dataConverter = testDataConverter();
  const h = await startHarness({ uiPort: opts.uiPort ?? false, codecEndpoint: opts.codecEndpoint }, dataConverter);
  const { worker, pool } = await createInstallerWorker({
    connection: h.nativeConnection, namespace: h.server.namespace, workflowBundle: await installerBundle(), pollMs: 100, dataConverter, pool: opts.pool,
  });
  const running = worker.run();
  return {
    h, client: h.client, worker, pool,
    async stop() {
      worker.shutdown();
      await running.catch(() => undefined);
      await pool.closeAll();
      await h.stop();
    },
  };
}

export async function status(handle: WorkflowHandle): Promise<InstallStatus> {
  return handle.query<InstallStatus>('status');
}

/** Waits until a question matching `match` is pending (or the workflow ends). */
export async function waitForQuestion(handle: WorkflowHandle, match: (q: Question) => boolean, timeoutMs = 120_000): Promise<Question> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(handle).catch(() => undefined);
    const q = s?.questions.find(match);
    if (q) return q;
    if (s && (s.state === 'completed' || s.state === 'failed')) throw new Error(`install ended (${s.state}) without the question; last error: ${s.lastError}`);
    if (Date.now() > deadline) throw new Error(`no such question within ${timeoutMs} ms; status: ${JSON.stringify(s, null, 1).slice(0, 3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Keeps a history for the replay tests when KLOUDSPOT_RECORD_HISTORIES=1. */
export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.KLOUDSPOT_RECORD_HISTORIES !== '1') return;
  const dir = join(__dirname, '..', 'histories');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), await exportHistory(client, workflowId));
}

/** The message a workflow failed with (its cause's); throws if it completed or failed otherwise. */
export async function failureOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => { throw new Error('expected the workflow to fail, it completed'); }, (e: unknown) => e);
  if (!(err instanceof WorkflowFailedError)) throw err;
  return err.cause?.message ?? err.message;
}

/** The workflow's result, or an error carrying its status when it does not finish in time. */
export async function finish(handle: WorkflowHandle, timeoutMs = 180_000): Promise<InstallStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(async () => {
      const s = await status(handle).catch((e) => String(e));
      reject(new Error(`${handle.workflowId} did not finish in ${timeoutMs} ms; status: ${JSON.stringify(s, null, 1).slice(0, 4000)}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([handle.result() as Promise<InstallStatus>, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
