// Client side of `upgrade`: the spec from the file, the host keys the site's install pinned, one upgrade/<site>
// run at a time (a second start while one runs is refused with a clear message).
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import { MICROK8S_CHANNEL } from '../site/channels';
import type { SiteSpec } from '../site/schema';
import { CustomerKey, PhaseKey, SiteKey } from '../temporal/search-attributes';
import * as api from '../workflows/api';
import { installedSite } from './doctor';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from './errors';

export function checkChannel(channel: string): string {
  if (!MICROK8S_CHANNEL.test(channel)) {
    throw new UserError(`--channel "${channel}" is not a MicroK8s channel. Fix: give <major>.<minor>/<risk>, the next minor after the nodes' own, e.g. 1.33/stable.`, EXIT_BAD_INPUT);
  }
  return channel;
}

export async function startUpgrade(client: Client, spec: SiteSpec, channel: string, o: { drainTimeoutSeconds?: number } = {}): Promise<WorkflowHandle> {
  const { hostKeys } = await installedSite(client, spec.site);
  const input: api.UpgradeInput = { spec, hostKeys, channel: checkChannel(channel), ...o };
  const workflowId = api.upgradeWorkflowId(spec.site);
  try {
    return await client.workflow.start('upgrade', {
      taskQueue: process.env.KLOUDSPOT_TASK_QUEUE || api.TASK_QUEUE, workflowId, args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL, workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [{ key: SiteKey, value: spec.site }, { key: CustomerKey, value: spec.customer }, { key: PhaseKey, value: 'preflight' }],
      staticSummary: `upgrade ${spec.site} to microk8s ${channel}`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new UserError(`${workflowId} is already running: follow it with \`kloudspot-installer status ${spec.site}\` or wait for it to finish.`, EXIT_FAILED);
    }
    throw err;
  }
}
