// Client side of `restore`: the spec from the file, one restore/<site> run at a time (a second start while one runs
// is refused with a clear message). The backup directory is read by the worker, where `backup` wrote it.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { SiteSpec } from '../site/schema';
import { CustomerKey, PhaseKey, SiteKey } from '../temporal/search-attributes';
import * as api from '../workflows/api';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from './errors';

export function checkBackupDir(dir: string): string {
  if (!dir.startsWith('/') || /[\0\n]/.test(dir)) {
    throw new UserError(`"${dir}" must be the absolute path, on the worker's machine, of one backup: <backup dir>/<site>/<time> as \`backup\` printed it.`, EXIT_BAD_INPUT);
  }
  return dir.replace(/\/+$/, '');
}

export async function startRestore(client: Client, spec: SiteSpec, backup: string): Promise<WorkflowHandle> {
  const input: api.RestoreInput = { spec, backup: checkBackupDir(backup) };
  const workflowId = api.restoreWorkflowId(spec.site);
  try {
    return await client.workflow.start('restore', {
      taskQueue: process.env.KLOUDSPOT_TASK_QUEUE || api.TASK_QUEUE, workflowId, args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL, workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [{ key: SiteKey, value: spec.site }, { key: CustomerKey, value: spec.customer }, { key: PhaseKey, value: 'preflight' }],
      staticSummary: `restore ${spec.site} from ${input.backup}`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new UserError(`${workflowId} is already running: follow it with \`kloudspot-installer watch ${spec.site}\` or wait for it to finish.`, EXIT_FAILED);
    }
    throw err;
  }
}
