import type { Command } from 'commander';
import { NativeConnection } from '@temporalio/worker';
import { TASK_QUEUE } from '../../workflows/api';
import { createInstallerWorker } from '../../worker/worker';
import { EXIT_FAILED, UserError } from '../errors';
import { dataConverterFor, globals } from './common';

export function registerWorker(program: Command): void {
  program.command('worker')
    .option('--task-queue <name>', 'task queue to poll (env KLOUDSPOT_TASK_QUEUE)', process.env.KLOUDSPOT_TASK_QUEUE ?? TASK_QUEUE)
    .description('run a worker: executes installs of every site (SSH from this machine to the nodes)')
    .addHelpText('after', '\nExample:\n  $ TEMPORAL_ADDRESS=temporal.example:7233 kloudspot-installer worker')
    .action(async (o: { taskQueue: string }, cmd: Command) => {
      const g = globals(cmd);
      const dataConverter = dataConverterFor(cmd);
      const address = g.address ?? '127.0.0.1:7233';
      let connection: NativeConnection;
      try {
        connection = await NativeConnection.connect({ address });
      } catch (err) {
        throw new UserError(`Cannot reach the Temporal server at ${address}: ${(err as Error).message}`, EXIT_FAILED);
      }
      const { worker, pool } = await createInstallerWorker({ connection, namespace: g.namespace ?? 'default', taskQueue: o.taskQueue, dataConverter });
      process.stdout.write(`Worker polling ${o.taskQueue} on ${address}; Ctrl-C to stop.\n`);
      await worker.run();
      await pool.closeAll();
      await connection.close();
    });
}
