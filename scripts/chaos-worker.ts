// The chaos run's worker, in a process of its own so that `kill -9` is a real crash: no shutdown, no
// activity completion, no SSH channel closed politely. Configured by environment (set by chaos-supervisor.ts):
//   CHAOS_ADDRESS            the dev server, host:port (retried while the server restarts)
//   CHAOS_CODEC_KEY_FILE     payload encryption keys, as every worker and client uses them
//   CHAOS_BUNDLE             the workflow bundle built once by the chaos process (no webpack per restart)
//   CHAOS_POLL_MS            poll interval of the wait activities
//   CHAOS_COMMAND_TIMEOUT_MS default per-command timeout (a hung command ends this soon)
// Prints `ready` on stdout once polling; SIGTERM shuts down gracefully (only at the end of the run).
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { readCodecKeyFile } from '../src/codec/codec';
import { createDataConverter } from '../src/codec/data-converter';
import { createInstallerWorker } from '../src/worker/worker';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (this script is started by scripts/chaos.ts)`);
  return v;
};

async function connect(address: string): Promise<NativeConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      if (attempt >= 120) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN', (e) => process.stderr.write(`[worker ${e.level}] ${e.message} ${JSON.stringify(e.meta ?? {})}\n`)) });
  const connection = await connect(env('CHAOS_ADDRESS'));
  const { worker, pool } = await createInstallerWorker({
    connection,
    workflowBundle: { codePath: env('CHAOS_BUNDLE') },
    dataConverter: createDataConverter(readCodecKeyFile(env('CHAOS_CODEC_KEY_FILE'))),
    pollMs: Number(process.env.CHAOS_POLL_MS ?? 100),
    commandTimeoutMs: process.env.CHAOS_COMMAND_TIMEOUT_MS ? Number(process.env.CHAOS_COMMAND_TIMEOUT_MS) : undefined,
  });
  process.once('SIGTERM', () => worker.shutdown());
  // The chaos process holds an IPC channel: if it dies, so does this worker (no orphan polling on).
  process.once('disconnect', () => process.exit(1));
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
  await pool.closeAll();
  await connection.close();
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`chaos worker failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
