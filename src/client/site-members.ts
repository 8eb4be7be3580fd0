// The site's current members. An install (or a restore) ran with one spec; a replace-node that finished after it
// ran with the spec that names the new machine in the dead one's place, and pinned the new machine's host key:
// that run's input is the site as it is now. Read from Temporal, where each run's input and activities are kept.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { SiteSpec } from '../site/schema';
import type { ReplaceNodeInput } from '../workflows/replace-node';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

const notFound = (err: unknown) => err instanceof WorkflowNotFoundError || /not found/i.test((err as Error).message);

export async function readHistory(client: Client, workflowId: string, runId?: string): Promise<History | undefined> {
  try {
    return await client.workflow.getHandle(workflowId, runId).fetchHistory();
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

export const historyStart = (h: History | undefined): number => {
  const t = h?.events?.[0]?.eventTime;
  return h ? Number(t?.seconds ?? 0) * 1000 + Math.floor(Number(t?.nanos ?? 0) / 1e6) : -1;
};

/** The first argument a run started with. */
export async function runInput<T>(client: Client, h: History): Promise<T> {
  return decodeFromPayloadsAtIndex<T>(client.options.loadedDataConverter, 0, h.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads);
}

/** The host key of each node a run's preflight saw (its activities' `facts`), the first one a node showed. */
export async function pinnedHostKeys(client: Client, h: History, into: Record<string, string> = {}): Promise<Record<string, string>> {
  for (const e of h.events ?? []) {
    const payloads = e.activityTaskCompletedEventAttributes?.result?.payloads;
    if (!payloads?.length) continue;
    const r = await decodeFromPayloadsAtIndex<{ facts?: { node?: string; hostKey?: string } }>(client.options.loadedDataConverter, 0, payloads)
      .catch(() => undefined);
    if (r?.facts?.node && r.facts.hostKey && !into[r.facts.node]) into[r.facts.node] = r.facts.hostKey;
  }
  return into;
}

/**
 * The newest replace-node of `site` that completed and started after `since` (ms): its spec and its history.
 * Visibility finds the runs; each one's status is then read from the run itself (visibility may lag a moment).
 */
export async function latestReplacement(client: Client, site: string, since: number): Promise<{ spec: SiteSpec; history: History } | undefined> {
  const query = `WorkflowType = "replaceNode" AND KloudspotSite = "${site.replace(/["\\]/g, '')}"`;
  let best: { at: number; workflowId: string; runId: string } | undefined;
  for await (const w of client.workflow.list({ query })) {
    const at = w.startTime.getTime();
    if (at <= since || (best && at <= best.at)) continue;
    const d = await client.workflow.getHandle(w.workflowId, w.runId).describe().catch(() => undefined);
    if (d?.status.name === 'COMPLETED') best = { at, workflowId: w.workflowId, runId: w.runId };
  }
  if (!best) return undefined;
  const history = await readHistory(client, best.workflowId, best.runId);
  if (!history) return undefined;
  return { spec: (await runInput<ReplaceNodeInput>(client, history)).spec, history };
}
