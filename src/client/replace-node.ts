// Client side of `replace-node`: the request judged before anything starts, then replace-node/<site>/<old>.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { SiteSpec } from '../site/schema';
import { CustomerKey, PhaseKey, SiteKey } from '../temporal/search-attributes';
import * as api from '../workflows/api';
import { replaceProblem } from '../workflows/replace-node-input';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from './errors';

export async function startReplaceNode(client: Client, spec: SiteSpec, node: string, withNode: string, file = 'the spec'): Promise<WorkflowHandle> {
  const problem = replaceProblem(spec, node, withNode);
  if (problem) throw new UserError(`${file}: ${problem}.`, EXIT_BAD_INPUT);
  const workflowId = api.replaceNodeWorkflowId(spec.site, node);
  try {
    return await client.workflow.start('replaceNode', {
      taskQueue: process.env.KLOUDSPOT_TASK_QUEUE || api.TASK_QUEUE, workflowId, args: [{ spec, node, with: withNode }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL, workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [{ key: SiteKey, value: spec.site }, { key: CustomerKey, value: spec.customer }, { key: PhaseKey, value: 'preflight' }],
      staticSummary: `replace-node ${spec.site}: ${node} -> ${withNode}`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new UserError(`${workflowId} is already running: watch it with \`kloudspot-installer watch ${spec.site}\`, or wait for it to finish.`, EXIT_FAILED);
    }
    throw err;
  }
}
