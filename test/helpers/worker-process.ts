// The installer's worker as a user runs it (`kloudspot-installer worker`, JSON log to a file), in a process
// group of its own: a test can `kill -9` the whole group, as a crash or an OOM kill would, and start another.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startGroup, type GroupProcess } from '../../src/stack/process-group';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { ENV, ENV_ALIASES } from '../../src/worker/config';
import { installerBundle } from '../../src/worker/worker';
import { CLI } from './cli';
import { TEST_CODEC_KEY_FILE, testDataConverter } from './install';

export interface WorkerProcessOptions {
  address: string;
  namespace: string;
  /** A prebuilt workflow bundle: no webpack at each start. */
  bundleFile: string;
  /** Appended to by every worker started (the log a scan for secrets reads). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** --identity: the name the histories show on each activity it ran. */
  identity?: string;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN';
  /** --shutdown-grace: how long a SIGTERM lets running activities finish. */
  shutdownGrace?: string;
}

/** A worker process; `health`: its health server's base URL (/readyz, /healthz). */
export interface WorkerProcess extends GroupProcess { health: string }

/** This process's environment without any worker setting, so only the flags configure the worker. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [...Object.values(ENV), ...Object.values(ENV_ALIASES)]) delete env[name];
  return { ...env, ...extra };
}

/** Starts a worker and resolves once it is ready (polling), or fails with its log's tail. */
export async function startWorkerProcess(o: WorkerProcessOptions, readyTimeoutMs = 180_000): Promise<WorkerProcess> {
  const port = await freePort();
  const group = startGroup('worker', process.execPath, [
    CLI, 'worker', '--address', o.address, '--namespace', o.namespace, '--codec-key-file', TEST_CODEC_KEY_FILE,
    ...(o.identity ? ['--identity', o.identity] : []),
    '--workflow-bundle', o.bundleFile, '--health-address', `127.0.0.1:${port}`, '--shutdown-grace', o.shutdownGrace ?? '5s',
    '--log-format', 'json', '--log-level', o.logLevel ?? 'DEBUG',
  ], { env: cleanEnv(o.env), logFile: o.logFile, cwd: join(__dirname, '..', '..') });
  const health = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const r = await fetch(`${health}/readyz`).catch(() => undefined);
    if (r?.status === 200) return { ...group, health };
    if (!group.running()) throw new Error(`the worker ${o.identity ?? ''} exited before it was ready:\n${group.tail()}`);
    if (Date.now() > deadline) {
      await group.stop(1000);
      throw new Error(`the worker ${o.identity ?? ''} was not ready within ${readyTimeoutMs / 1000} s:\n${group.tail()}`);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** The worker's log as JSON objects, one a line; a line that is not JSON comes back as `{ msg, notJson: true }`. */
export function jsonLog(w: GroupProcess): Record<string, unknown>[] {
  const text = (() => { try { return readFileSync(w.logFile, 'utf8'); } catch { return ''; } })();
  return text.split('\n').filter(Boolean).map((line) => {
    try { return JSON.parse(line) as Record<string, unknown>; } catch { return { msg: line, notJson: true }; }
  });
}

/** `kill -9` of the worker's whole process group; resolves once the leader is gone. */
export async function killWorker(group: GroupProcess): Promise<void> {
  group.signal('SIGKILL');
  await group.exited;
}

/** A dev server, a client with the test codec, the workflow bundle built once into a file (as the image has it: no
 * webpack at a worker's start), and the worker processes a test starts on them, each logging to <dir>/<identity>.log. */
export interface WorkerProcessEnv {
  server: DevServer;
  client: Client;
  dir: string;
  startWorker(identity: string, o?: Pick<WorkerProcessOptions, 'env' | 'logLevel' | 'shutdownGrace'>): Promise<WorkerProcess>;
  /** Every worker's group killed, then the server stopped and the folder removed. */
  stop(): Promise<void>;
}

export async function startWorkerProcessEnv(prefix: string): Promise<WorkerProcessEnv> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const server = await startDevServer({ uiPort: false });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter: testDataConverter() });
  const bundleFile = join(dir, 'workflow-bundle.js');
  writeFileSync(bundleFile, (await installerBundle()).code);
  const workers: WorkerProcess[] = [];
  return {
    server, client, dir,
    async startWorker(identity, o = {}) {
      const w = await startWorkerProcess({ address: server.address, namespace: server.namespace, bundleFile, logFile: join(dir, `${identity}.log`), identity, ...o });
      workers.push(w);
      return w;
    },
    async stop() {
      await Promise.all(workers.map((w) => killWorker(w)));
      await connection.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
