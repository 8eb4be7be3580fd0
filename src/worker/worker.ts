// The worker: one process serves every site. Workflows come from src/workflows (bundled once), activities
// share one SSH pool (one connection per node, reused across steps and sites).
import { NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { SshPool } from '../activities/ssh';
import { TASK_QUEUE } from '../workflows/api';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface InstallerWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** A bundle built once (tests, production image); otherwise built at start. */
  workflowBundle?: { code: string };
  pool?: SshPool;
  pollMs?: number;
  extra?: Partial<WorkerOptions>;
}

let cachedBundle: Promise<{ code: string }> | undefined;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

export function installerBundle(): Promise<{ code: string }> {
  cachedBundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  return cachedBundle;
}

export async function createInstallerWorker(o: InstallerWorkerOptions): Promise<{ worker: Worker; pool: SshPool }> {
  const pool = o.pool ?? new SshPool();
  const worker = await Worker.create({
    connection: o.connection,
    namespace: o.namespace ?? 'default',
    taskQueue: o.taskQueue ?? TASK_QUEUE,
    workflowBundle: o.workflowBundle ?? (await installerBundle()),
    activities: createActivities({ pool, pollMs: o.pollMs }),
    ...o.extra,
  });
  return { worker, pool };
}
