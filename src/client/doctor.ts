// Client side of `doctor`: the site as installed (the install's own input, and the host keys its preflight
// saw), one doctor run, the per-site Schedule, and the report as text. Used by the CLI and the tests.
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { SiteSpec } from '../site/schema';
import * as api from '../workflows/api';
import { CustomerKey, HealthKey, SiteKey } from '../temporal/search-attributes';
import { EXIT_FAILED, UserError } from './errors';
import { historyStart, latestReplacement, pinnedHostKeys, readHistory, runInput } from './site-members';

const taskQueue = () => process.env.KLOUDSPOT_TASK_QUEUE || api.TASK_QUEUE;

/**
 * The spec the site's latest install ran with, and the host key of each node its preflight pinned. A restore
 * (restore/<site>) started after the install rebuilt the site on new machines: its spec and host keys win. A
 * replace-node that completed after either put a new machine in a dead one's place: its spec (the current
 * members) wins, and the new machine's host key from its preflight joins the others.
 */
export async function installedSite(client: Client, site: string): Promise<api.DoctorInput> {
  const [install, restored] = await Promise.all([readHistory(client, api.installWorkflowId(site)), readHistory(client, api.restoreWorkflowId(site))]);
  const history = restored && historyStart(restored) > historyStart(install) ? restored : install;
  if (!history) {
    throw new UserError(`No install of site "${site}" on this server: doctor checks what an install set up; check the name with \`kloudspot-installer list\`.`, EXIT_FAILED);
  }
  const input = await runInput<SiteSpec | api.RestoreInput>(client, history);
  const base = history === restored ? (input as api.RestoreInput).spec : input as SiteSpec;
  const hostKeys = await pinnedHostKeys(client, history);
  const replaced = await latestReplacement(client, site, historyStart(history));
  if (!replaced) return { spec: base, hostKeys };
  // The new machine's key from the replacement's own preflight, over any the install saw at that name.
  const fresh = await pinnedHostKeys(client, replaced.history);
  return { spec: replaced.spec, hostKeys: { ...hostKeys, ...fresh } };
}

export async function runDoctor(client: Client, site: string): Promise<api.DoctorReport> {
  const input = await installedSite(client, site);
  return client.workflow.execute('doctor', {
    taskQueue: taskQueue(), workflowId: api.doctorWorkflowId(site, new Date()), args: [input],
    typedSearchAttributes: [{ key: SiteKey, value: input.spec.site }, { key: CustomerKey, value: input.spec.customer }],
  }) as Promise<api.DoctorReport>;
}

/** Creates or updates the Schedule `doctor/<site>` for the site as installed. */
export async function scheduleDoctor(client: Client, site: string, everyMs: number): Promise<void> {
  await upsertDoctorSchedule(client, await installedSite(client, site), everyMs);
}

/** Creates or updates the Schedule `doctor/<site>`; a run still going when the next is due is skipped. */
export async function upsertDoctorSchedule(client: Client, input: api.DoctorInput, everyMs: number): Promise<void> {
  const site = input.spec.site;
  const action = {
    type: 'startWorkflow' as const, workflowType: 'doctor', taskQueue: taskQueue(), args: [input],
    // Temporal appends the scheduled time: doctor/<site>/scheduled-2026-12-02T15:00:00Z.
    workflowId: `doctor/${site}/scheduled`,
    typedSearchAttributes: [{ key: SiteKey, value: site }, { key: CustomerKey, value: input.spec.customer }],
  };
  const spec = { intervals: [{ every: everyMs }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  const handle = client.schedule.getHandle(api.doctorScheduleId(site));
  try {
    await handle.update((prev) => ({ ...prev, spec, action, policies: { ...prev.policies, ...policies } }));
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    await client.schedule.create({ scheduleId: api.doctorScheduleId(site), spec, action, policies });
  }
}

/**
 * After the site's members changed (replace-node): an existing Schedule's runs read the site as it is now, at the
 * same interval. Its action holds the spec it was made with, so it is rewritten; false when there is none.
 */
export async function refreshDoctorSchedule(client: Client, site: string): Promise<boolean> {
  try {
    const every = (await client.schedule.getHandle(api.doctorScheduleId(site)).describe()).spec.intervals?.[0]?.every;
    if (!every) return false;
    await upsertDoctorSchedule(client, await installedSite(client, site), Number(every));
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError || /not found/i.test((err as Error).message)) return false;
    throw err;
  }
}

/** Removes the Schedule; false when there was none. */
export async function removeDoctorSchedule(client: Client, site: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(api.doctorScheduleId(site)).delete();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError || /not found/i.test((err as Error).message)) return false;
    throw err;
  }
}

export function renderDoctorReport(r: api.DoctorReport): string {
  const rows = r.checks.map((c) => [c.level.toUpperCase(), c.node ?? 'cluster', c.check, c.value]);
  const widths = [4, Math.max(7, ...rows.map((x) => x[1].length)), Math.max(5, ...rows.map((x) => x[2].length))];
  const lines = [`${r.site}: ${r.verdict.toUpperCase()} (checked ${r.checkedAt})`];
  r.checks.forEach((c, i) => {
    const row = rows[i];
    lines.push(`  ${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2].padEnd(widths[2])}  ${row[3]}`);
    if (c.action) lines.push(`  ${''.padEnd(widths[0] + widths[1] + widths[2] + 6)}-> ${c.action}`);
  });
  return lines.join('\n');
}

export interface SiteHealth { health: api.HealthLevel; checkedAt: Date }

/** The verdict of the site's latest finished doctor run (from its search attribute: one visibility call). */
export async function latestHealth(client: Client, site: string): Promise<SiteHealth | undefined> {
  const query = `WorkflowType = "doctor" AND KloudspotSite = "${site.replace(/["\\]/g, '')}" AND ExecutionStatus = "Completed"`;
  let latest: SiteHealth | undefined;
  for await (const w of client.workflow.list({ query })) {
    const health = w.typedSearchAttributes.get(HealthKey) as api.HealthLevel | undefined;
    const at = w.closeTime ?? w.startTime;
    if (health && (!latest || at > latest.checkedAt)) latest = { health, checkedAt: at };
  }
  return latest;
}
