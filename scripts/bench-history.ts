// Workflow histories for the benchmark: a timeline per run (workflow tasks, activities, child starts, from
// the events' own timestamps), their size, and replay time.
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { requiredTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;

export interface Span { start: number; end: number }
export interface ActivitySpan { type: string; scheduled: number; started?: number; closed?: number }
export interface Timeline {
  workflowId: string;
  start: number;
  end: number;
  /** Workflow tasks: scheduled -> completed (or failed / timed out). */
  workflowTasks: Span[];
  activities: ActivitySpan[];
  /** Per workflow task, ms from scheduled to started (the task queue's wait plus the worker's poll). */
  workflowTaskWaits: number[];
  /** Child workflow starts: initiated -> started. */
  childStarts: Span[];
  events: number;
  bytes: number;
  /** Workflow tasks that timed out (a sticky task not picked up in time: the next one replays the whole history). */
  workflowTaskTimeouts: number;
  /** Events of progress signals: signals received, external signals sent (initiated + signaled). */
  signalEvents: number;
  /** Workflow tasks scheduled right after a signal event: the cost of a signal beyond its own events. */
  signalWorkflowTasks: number;
}

const at = (e: Event) => requiredTsToMs(e.eventTime, 'eventTime');

export function historyBytes(h: History): number {
  return temporal.api.history.v1.History.encode(h).finish().length;
}

export function timelineOf(workflowId: string, h: History): Timeline {
  const events = h.events ?? [];
  const wft = new Map<number, Span>();
  const acts = new Map<number, ActivitySpan>();
  const children = new Map<number, Span>();
  const wftWaits: number[] = [];
  let wftTimeouts = 0;
  let signalEvents = 0;
  let signalWfts = 0;
  let prev: Event | undefined;
  let end = at(events[events.length - 1]);
  for (const e of events) {
    const id = Number(e.eventId);
    const t = at(e);
    if (e.workflowTaskScheduledEventAttributes) wft.set(id, { start: t, end: Infinity });
    if (e.workflowTaskStartedEventAttributes) {
      const s = wft.get(Number(e.workflowTaskStartedEventAttributes.scheduledEventId));
      if (s) wftWaits.push(t - s.start);
    }
    const wftClose = e.workflowTaskCompletedEventAttributes ?? e.workflowTaskFailedEventAttributes ?? e.workflowTaskTimedOutEventAttributes;
    if (wftClose) {
      const s = wft.get(Number(wftClose.scheduledEventId));
      if (s) s.end = t;
    }
    if (e.activityTaskScheduledEventAttributes) acts.set(id, { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', scheduled: t });
    if (e.activityTaskStartedEventAttributes) {
      const a = acts.get(Number(e.activityTaskStartedEventAttributes.scheduledEventId));
      if (a) a.started = t;
    }
    const actClose = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes
      ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    if (actClose) {
      const a = acts.get(Number(actClose.scheduledEventId));
      if (a) a.closed = t;
    }
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) children.set(id, { start: t, end: Infinity });
    const childStarted = e.childWorkflowExecutionStartedEventAttributes ?? e.startChildWorkflowExecutionFailedEventAttributes;
    if (childStarted) {
      const c = children.get(Number(childStarted.initiatedEventId));
      if (c) c.end = t;
    }
    if (e.workflowExecutionCompletedEventAttributes || e.workflowExecutionFailedEventAttributes) end = t;
    if (e.workflowTaskTimedOutEventAttributes) wftTimeouts++;
    const isSignal = (x?: Event) => !!(x?.workflowExecutionSignaledEventAttributes || x?.externalWorkflowExecutionSignaledEventAttributes);
    if (isSignal(e) || e.signalExternalWorkflowExecutionInitiatedEventAttributes) signalEvents++;
    if (e.workflowTaskScheduledEventAttributes && isSignal(prev)) signalWfts++;
    prev = e;
  }
  const close = (s: Span) => ({ start: s.start, end: Number.isFinite(s.end) ? s.end : end });
  return {
    workflowId, start: at(events[0]), end,
    workflowTasks: [...wft.values()].map(close),
    workflowTaskWaits: wftWaits,
    activities: [...acts.values()],
    childStarts: [...children.values()].map(close),
    events: events.length,
    bytes: historyBytes(h),
    workflowTaskTimeouts: wftTimeouts,
    signalEvents,
    signalWorkflowTasks: signalWfts,
  };
}

/** The install's own history and its prepare-node children's. */
export async function installHistories(client: Client, workflowId: string, nodes: string[]): Promise<{ workflowId: string; history: History }[]> {
  const ids = [workflowId, ...nodes.map((n) => `${workflowId}/prepare/${n}`)];
  return Promise.all(ids.map(async (id) => ({ workflowId: id, history: await client.workflow.getHandle(id).fetchHistory() })));
}

/** Replays the histories through one replay worker; ms for all of them (worker creation included). */
export async function replayMs(
  histories: { workflowId: string; history: History }[], workflowBundle: { code: string }, dataConverter: DataConverter,
): Promise<number> {
  const started = performance.now();
  for await (const r of Worker.runReplayHistories({ workflowBundle, dataConverter, replayName: 'bench' }, histories)) {
    if (r.error) throw new Error(`replay of ${r.workflowId} failed: ${r.error.message}`);
  }
  return performance.now() - started;
}
