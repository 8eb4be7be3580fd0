// Reading a workflow's history as the server keeps it: which activities ran, how often and when; what is
// running now; and the raw JSON (payloads as stored, i.e. encrypted) for scans for secrets.
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';

export interface ActivityRun { type: string; attempt: number; scheduledAt: number; closedAt: number }

const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  (t ? Number(String(t.seconds ?? 0)) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : 0);

/** Every activity that closed, with the attempt that closed it (an attempt above 1: an earlier one was lost or failed). */
export async function activityRuns(client: Client, workflowId: string): Promise<ActivityRun[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = new Map<string, { type: string; at: number }>();
  const started = new Map<string, number>();
  const runs: ActivityRun[] = [];
  for (const e of events) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) scheduled.set(id, { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: millis(e.eventTime) });
    const s = e.activityTaskStartedEventAttributes;
    if (s) started.set(String(s.scheduledEventId), s.attempt ?? 1);
    const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (closed) {
      const sid = String(closed.scheduledEventId);
      const sch = scheduled.get(sid);
      runs.push({ type: sch?.type ?? '?', attempt: started.get(sid) ?? 1, scheduledAt: sch?.at ?? 0, closedAt: millis(e.eventTime) });
    }
  }
  return runs;
}

/** The activity of this type a worker is running now (state STARTED), from the server's description; undefined if none. */
export async function runningActivity(client: Client, workflowId: string, type: string): Promise<{ attempt: number } | undefined> {
  const d = await client.workflow.getHandle(workflowId).describe().catch(() => undefined);
  const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
  const a = d?.raw.pendingActivities?.find((p) => p.activityType?.name === type && p.state === STARTED);
  return a ? { attempt: a.attempt ?? 1 } : undefined;
}

/** The history as stored: a client without the codec, so payloads stay as the server holds them. */
export async function rawHistory(client: Client, workflowId: string, runId?: string): Promise<string> {
  const plain = new Client({ connection: client.connection, namespace: client.options.namespace });
  return historyToJSON(await plain.workflow.getHandle(workflowId, runId).fetchHistory());
}
