// The installer's worker as a user runs it (`kloudspot-installer worker`, JSON log to a file), in a process
// group of its own: a test can `kill -9` the whole group, as a crash or an OOM kill would, and start another.
import { join } from 'node:path';
import { startGroup, type GroupProcess } from '../../src/stack/process-group';
import { freePort } from '../../src/temporal/dev-server';
import { ENV, ENV_ALIASES } from '../../src/worker/config';
import { CLI } from './cli';
import { TEST_CODEC_KEY_FILE } from './install';

export interface WorkerProcessOptions {
  address: string;
  namespace: string;
  /** A prebuilt workflow bundle: no webpack at each start. */
  bundleFile: string;
  /** Appended to by every worker started (the log a scan for secrets reads). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** This process's environment without any worker setting, so only the flags configure the worker. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [...Object.values(ENV), ...Object.values(ENV_ALIASES)]) delete env[name];
  return { ...env, ...extra };
}

/** Starts a worker and resolves once it is ready (polling), or fails with its log's tail. */
export async function startWorkerProcess(o: WorkerProcessOptions, readyTimeoutMs = 180_000): Promise<GroupProcess> {
  const port = await freePort();
  const group = startGroup('worker', process.execPath, [
    CLI, 'worker', '--address', o.address, '--namespace', o.namespace, '--codec-key-file', TEST_CODEC_KEY_FILE,
    '--workflow-bundle', o.bundleFile, '--health-address', `127.0.0.1:${port}`, '--shutdown-grace', '5s',
    '--log-format', 'json', '--log-level', 'DEBUG',
  ], { env: cleanEnv(o.env), logFile: o.logFile, cwd: join(__dirname, '..', '..') });
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (r?.status === 200) return group;
    if (!group.running()) throw new Error(`the worker exited before it was ready:\n${group.tail()}`);
    if (Date.now() > deadline) {
      await group.stop(1000);
      throw new Error(`the worker was not ready within ${readyTimeoutMs / 1000} s:\n${group.tail()}`);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** `kill -9` of the worker's whole process group; resolves once the leader is gone. */
export async function killWorker(group: GroupProcess): Promise<void> {
  group.signal('SIGKILL');
  await group.exited;
}
