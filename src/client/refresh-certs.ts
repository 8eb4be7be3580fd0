// Client side of `refresh-certs`: start refresh-certs/<site> with the site as installed and wait for it.
import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import * as api from '../workflows/api';
import { installedSite } from './doctor';

export async function startRefreshCerts(client: Client, site: string): Promise<WorkflowHandle> {
  const input = await installedSite(client, site);
  // One at a time per site: a second start joins the running one instead of renewing in parallel.
  return client.workflow.start('refreshCerts', {
    taskQueue: process.env.KLOUDSPOT_TASK_QUEUE || api.TASK_QUEUE, workflowId: api.refreshCertsWorkflowId(site), args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}

export function renderRefreshCerts(r: api.RefreshCertsResult): string {
  const lines = [`${r.site}: certificates renewed node by node, ${r.voters} datastore voters after each`];
  for (const x of r.renewals) {
    lines.push(`  ${x.node.padEnd(12)} ${x.cert.padEnd(24)} ${x.changed ? `renewed: ends ${x.after.slice(0, 10)} (was ${x.before.slice(0, 10)})` : `left alone: ends ${x.after.slice(0, 10)}`}`);
  }
  return lines.join('\n');
}
