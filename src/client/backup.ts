// Client side of `backup`: one backup/<site>/<time> run of the site as installed, its Schedule backup/<site>,
// and the result as text.
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { CustomerKey, SiteKey } from '../temporal/search-attributes';
import * as api from '../workflows/api';
import { installedSite } from './doctor';

const taskQueue = () => process.env.KLOUDSPOT_TASK_QUEUE || api.TASK_QUEUE;

export interface BackupOptions { dir?: string; keep?: number }

export async function runBackup(client: Client, site: string, o: BackupOptions = {}): Promise<api.BackupManifest> {
  const input: api.BackupInput = { ...(await installedSite(client, site)), ...o };
  return client.workflow.execute('backup', {
    taskQueue: taskQueue(), workflowId: api.backupWorkflowId(site, new Date()), args: [input],
    typedSearchAttributes: [{ key: SiteKey, value: site }, { key: CustomerKey, value: input.spec.customer }],
  }) as Promise<api.BackupManifest>;
}

/** Creates or updates the Schedule `backup/<site>`; a backup still running when the next is due is skipped. */
export async function scheduleBackup(client: Client, site: string, everyMs: number, o: BackupOptions = {}): Promise<void> {
  const input: api.BackupInput = { ...(await installedSite(client, site)), ...o };
  const action = {
    type: 'startWorkflow' as const, workflowType: 'backup', taskQueue: taskQueue(), args: [input], workflowId: `backup/${site}/scheduled`,
    typedSearchAttributes: [{ key: SiteKey, value: site }, { key: CustomerKey, value: input.spec.customer }],
  };
  const spec = { intervals: [{ every: everyMs }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  const handle = client.schedule.getHandle(api.backupScheduleId(site));
  try {
    await handle.update((prev) => ({ ...prev, spec, action, policies: { ...prev.policies, ...policies } }));
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    await client.schedule.create({ scheduleId: api.backupScheduleId(site), spec, action, policies });
  }
}

export async function removeBackupSchedule(client: Client, site: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(api.backupScheduleId(site)).delete();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError || /not found/i.test((err as Error).message)) return false;
    throw err;
  }
}

export function renderBackup(m: api.BackupManifest): string {
  const bytes = m.files.reduce((n, f) => n + f.bytes, 0);
  return [`${m.site}: backup taken on ${m.node} at ${m.takenAt}: ${m.keys} datastore keys` + (m.release ? `, chart release revision ${m.release}` : ''),
    `  ${m.path}  (${m.files.length} files, ${bytes} bytes)`,
    ...m.files.map((f) => `    ${f.name.padEnd(28)} ${String(f.bytes).padStart(9)}  sha256:${f.sha256.slice(0, 16)}`)].join('\n');
}
