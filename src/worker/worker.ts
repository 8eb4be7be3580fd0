// The worker: one process serves every site. Workflows come from src/workflows (bundled once), activities
// share one SSH pool (one connection per node, reused across steps and sites).
import { readFileSync } from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { SshPool } from '../activities/ssh';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter';
import { WORKFLOW_INTERCEPTORS_PATH, refusePlaintextActivities } from './refuse-plaintext';
import { TASK_QUEUE } from '../workflows/api';
import { ENV } from './config';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface InstallerWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** A bundle built once (tests) or a prebuilt file (the production image); otherwise built at start. */
  workflowBundle?: { code: string } | { codePath: string };
  pool?: SshPool;
  pollMs?: number;
  /** Timeout of commands that bring none of their own (default 5 min; the chaos run uses seconds). */
  commandTimeoutMs?: number;
  /** Encrypting converter (src/codec); undefined only with --insecure-plaintext. */
  dataConverter?: DataConverter;
  extra?: Partial<WorkerOptions>;
}

let cachedBundle: Promise<{ code: string }> | undefined;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** Builds the workflow bundle; the one set of bundler options, shared with the image's build step. */
export function buildInstallerBundle(): Promise<{ code: string }> {
  // The failure converter runs inside the sandbox (workflow errors become failures there), so it is bundled.
  // The interceptor refuses plaintext (unencrypted) starts, signals and updates: workflows/refusals.ts.
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH], logger: quiet,
  });
}

/**
 * The workflow code this process runs (and `replay` checks): the prebuilt file named by
 * KLOUDSPOT_WORKFLOW_BUNDLE when set, so a replay in the image checks exactly what its worker runs;
 * otherwise built from source once per process.
 */
export function installerBundle(): Promise<{ code: string }> {
  const file = process.env[ENV.workflowBundle]?.trim();
  cachedBundle ??= file ? Promise.resolve().then(() => ({ code: readFileSync(file, 'utf8') })) : buildInstallerBundle();
  return cachedBundle;
}

export async function createInstallerWorker(o: InstallerWorkerOptions): Promise<{ worker: Worker; pool: SshPool }> {
  const pool = o.pool ?? new SshPool();
  const worker = await Worker.create({
    connection: o.connection,
    namespace: o.namespace ?? 'default',
    taskQueue: o.taskQueue ?? TASK_QUEUE,
    workflowBundle: o.workflowBundle ?? (await installerBundle()),
    activities: createActivities({ pool, pollMs: o.pollMs, commandTimeoutMs: o.commandTimeoutMs },
      { connection: o.connection, namespace: o.namespace ?? 'default', dataConverter: o.dataConverter }),
    dataConverter: o.dataConverter,
    // Activities mostly wait on SSH (an apt upgrade, a reboot, a poll): the SDK's 100 slots made 50 sites of 3
    // nodes queue for seconds behind each other (docs/performance.md). KLOUDSPOT_MAX_CONCURRENT_ACTIVITIES overrides.
    ...(o.extra?.tuner ? {} : { maxConcurrentActivityTaskExecutions: 1000 }),
    ...o.extra,
    interceptors: { ...o.extra?.interceptors, activity: [refusePlaintextActivities, ...(o.extra?.interceptors?.activity ?? [])] },
  });
  return { worker, pool };
}
