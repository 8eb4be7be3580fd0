// The benchmark's worker, in a process of its own so its peak RSS and CPU time are its own: forked by
// scripts/bench.ts with `node --require tsx/cjs`, it serves the installer's task queue until told to stop and
// answers 'stats' with its CPU time, RSS and the SSH pool's connect events (for the idle-gap analysis).
import { readFileSync } from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime, type WorkerOptions } from '@temporalio/worker';
import { SshPool } from '../src/activities/ssh';
import { readCodecKeyFile } from '../src/codec/codec';
import { createDataConverter } from '../src/codec/data-converter';
import { createInstallerWorker } from '../src/worker/worker';

export interface WorkerConfig {
  address: string;
  namespace: string;
  bundleFile: string;
  codecKeyFile: string;
  pollMs: number;
  /** Worker options to try (maxConcurrentActivityTaskExecutions, maxCachedWorkflows...); none = the installer's own. */
  extra?: Partial<WorkerOptions>;
}

/** One SSH connection being opened, in worker wall-clock ms. */
export interface ConnectEvent { node: string; host: string; start: number; end: number; ok: boolean }

export interface WorkerStats {
  pid: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rssBytes: number;
  /** process.memoryUsage(): V8 heap used/total, external (Buffers, the native core's JS-side objects). */
  memory: NodeJS.MemoryUsage;
  connects: ConnectEvent[];
  /** Commands run, and commands that could not run (mostly a node refusing SSH while it reboots). */
  execs: number;
  execFailures: number;
}

export type ToWorker = { type: 'stats'; clearConnects?: boolean } | { type: 'stop' };
export type FromWorker = { type: 'ready' } | { type: 'stats'; stats: WorkerStats } | { type: 'error'; message: string };

function send(m: FromWorker): void {
  process.send?.(m);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_WORKER_CONFIG ?? '') as WorkerConfig;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  let connects: ConnectEvent[] = [];
  let execs = 0;
  let execFailures = 0;
  // Connect events come from the pool's own log: 'ssh.connect'/'ssh.reconnect' carry how long the handshake took.
  const pool = new SshPool({
    log: (e) => {
      if (e.event === 'ssh.exec.end') execs++;
      if (e.event === 'ssh.exec.failed') execFailures++;
      if (e.event === 'ssh.connect' || e.event === 'ssh.reconnect') {
        const end = Date.now();
        connects.push({ node: String(e.node), host: String(e.host), start: end - Number(e.durationMs ?? 0), end, ok: true });
      }
    },
  });
  const connection = await NativeConnection.connect({ address: config.address });
  const { worker } = await createInstallerWorker({
    connection,
    namespace: config.namespace,
    workflowBundle: { code: readFileSync(config.bundleFile, 'utf8') },
    pool,
    pollMs: config.pollMs,
    dataConverter: createDataConverter(readCodecKeyFile(config.codecKeyFile)),
    extra: config.extra,
  });
  const running = worker.run();
  process.on('message', (m: ToWorker) => {
    if (m.type === 'stats') {
      const cpu = process.cpuUsage();
      send({ type: 'stats', stats: { pid: process.pid, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, rssBytes: process.memoryUsage().rss, memory: process.memoryUsage(), connects, execs, execFailures } });
      if (m.clearConnects) {
        connects = [];
        execs = 0;
        execFailures = 0;
      }
    } else if (m.type === 'stop') {
      worker.shutdown();
    }
  });
  send({ type: 'ready' });
  await running;
  await pool.closeAll();
  await connection.close();
  process.exit(0);
}

main().catch((err) => {
  send({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exit(1);
});
