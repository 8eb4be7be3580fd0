// The embedded default: a persisted dev server with its Web UI, an in-process worker and, optionally,
// simulated nodes. Used by `npm run demo` and `kloudspot-installer dev`.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { startDevServer, freePort, type DevServer } from '../temporal/dev-server';
import { createInstallerWorker } from '../worker/worker';
import type { SshPool } from '../activities/ssh';
import { generateKeyFile, readCodecKeyFile } from '../codec/codec';
import { createDataConverter } from '../codec/data-converter';
import { startCodecServer, type CodecServer } from '../codec/server';
import { DefaultLogger, Runtime } from '@temporalio/worker';

export interface DevStackOptions {
  dir: string;
  /** Web UI port: 8233 (the dev server's default) when free. */
  uiPort?: number;
  port?: number;
  log?: (line: string) => void;
}

export interface DevStack {
  server: DevServer;
  codecServer: CodecServer;
  codecKeyFile: string;
  client: Client;
  worker: Worker;
  pool: SshPool;
  uiUrl: string;
  stop(): Promise<void>;
}

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => { freePort().then(resolve, () => resolve(0)); });
    s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(preferred)));
  });
}

export async function startDevStack(o: DevStackOptions): Promise<DevStack> {
  mkdirSync(o.dir, { recursive: true });
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this process.
  }
  // Payloads are encrypted even here; the key stays in the dev folder and the UI decodes through our codec server.
  const codecKeyFile = join(o.dir, 'codec-keys.json');
  if (!existsSync(codecKeyFile)) generateKeyFile(codecKeyFile);
  const keys = readCodecKeyFile(codecKeyFile);
  const uiPort = o.uiPort ?? (await portOr(8233));
  const port = o.port ?? (await portOr(7233));
  const codecServer = await startCodecServer({
    port: await portOr(8888), keys, requireToken: false,
    allowedOrigin: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
  });
  const server = await startDevServer({
    dbFilename: join(o.dir, 'temporal.db'), port, uiPort, retention: '720h', log: o.log, startTimeoutMs: 120_000,
    codecEndpoint: codecServer.url,
  });
  const dataConverter = createDataConverter(keys);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter });
  const native = await NativeConnection.connect({ address: server.address });
  const { worker, pool } = await createInstallerWorker({ connection: native, namespace: server.namespace, pollMs: 250, dataConverter });
  const running = worker.run();
  return {
    server, codecServer, codecKeyFile, client, worker, pool, uiUrl: server.uiUrl!,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await pool.closeAll();
      await native.close();
      await connection.close();
      await server.stop();
      await codecServer.close();
    },
  };
}
