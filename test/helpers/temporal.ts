// Shared harness: a real dev server per test file, real workers, workflow bundles built once per process.
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { startDevServer, type DevServer, type DevServerOptions } from '../../src/temporal/dev-server';

export interface TemporalHarness {
  server: DevServer;
  client: Client;
  nativeConnection: NativeConnection;
  stop(): Promise<void>;
}

export async function startHarness(opts: DevServerOptions = {}, dataConverter?: DataConverter): Promise<TemporalHarness> {
  const server = await startDevServer({ uiPort: false, ...opts });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  return {
    server,
    client,
    nativeConnection,
    async stop() {
      await nativeConnection.close();
      await connection.close();
      await server.stop();
    },
  };
}

const bundles = new Map<string, Promise<{ code: string }>>();
export function workflowBundle(workflowsPath: string): Promise<{ code: string }> {
  let b = bundles.get(workflowsPath);
  if (!b) {
    b = bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    bundles.set(workflowsPath, b);
  }
  return b;
}

const noop = () => undefined;
export const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

/** Runs `fn` while a worker polls `taskQueue`; shuts the worker down afterwards. */
export async function withWorker<T>(
  h: TemporalHarness,
  opts: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath'> & { workflowsPath: string },
  fn: (worker: Worker) => Promise<T>,
): Promise<T> {
  const { workflowsPath, ...rest } = opts;
  const worker = await Worker.create({
    connection: h.nativeConnection,
    namespace: h.server.namespace,
    workflowBundle: await workflowBundle(workflowsPath),
    ...rest,
  });
  return worker.runUntil(() => fn(worker));
}
