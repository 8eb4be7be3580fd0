// Where an install's wall time goes: B is the time during which at least one node ran a command (the union
// of the audit log's intervals, every source: SSH commands, systemd-run units, the reboot itself); the rest
// of W is idle, and each idle moment is put in the first category that explains it, from the audit log,
// the workflow histories' event timestamps and the worker's SSH connect log.
import type { AuditEntry } from '../src/sim';
import type { ConnectEvent } from './bench-worker';
import type { Span, Timeline } from './bench-history';

export function union(spans: Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

export const total = (spans: Span[]) => union(spans).reduce((n, s) => n + s.end - s.start, 0);

/** Activities that poll (waitFor in src/activities): idle time inside them is the poll interval. */
const WAITERS = new Set(['waitForBoot', 'configureStaticAddress', 'waitNodeJoined', 'waitHighAvailability',
  'listBlockDeviceCandidates', 'waitPoolOnline', 'waitChartReady', 'waitChartGone']);

export const GAP_CATEGORIES = [
  'SSH connects',
  'node timers (systemd-run --on-active)',
  'polling intervals',
  'activity code + SSH round trips',
  'activity scheduling',
  'workflow tasks',
  'child workflow starts',
  'other',
] as const;
export type GapCategory = typeof GAP_CATEGORIES[number];

/** Between a `systemd-run --on-active=N` and the unit it scheduled: the node waits on purpose (reboot, netplan apply). */
function nodeTimers(audit: AuditEntry[]): Span[] {
  const spans: Span[] = [];
  for (const e of audit) {
    if (e.source !== 'ssh' || e.exitCode !== 0 || e.end === null || !/systemd-run --on-active=/.test(e.command)) continue;
    const fired = audit.find((x) => x.node === e.node && x.source === 'timer' && x.start >= e.end!);
    if (fired) spans.push({ start: e.end, end: fired.start });
  }
  return spans;
}

export interface GapReport {
  W: number;
  B: number;
  window: Span;
  byCategory: Record<GapCategory, number>;
  /** Idle time inside running activities, by activity type (where the polling and round-trip time sits). */
  byActivity: Record<string, number>;
  /**
   * Of the polling intervals: the last pause of each wait, before the poll that saw it done (what a wait that
   * returned the moment the nodes were ready would save); the rest is the nodes' own asynchronous work
   * (pods starting, kubelet registering, NDM, cStor), during which no command runs.
   */
  pollDetection: number;
}

export function analyseGaps(audit: AuditEntry[], timelines: Timeline[], connects: ConnectEvent[], pollMs: number, now = Date.now()): GapReport {
  const parent = timelines[0];
  const window = { start: parent.start, end: parent.end };
  const busy = union(audit.map((e) => ({ start: e.start, end: e.end ?? now }))
    .map((s) => ({ start: Math.max(s.start, window.start), end: Math.min(s.end, window.end) })));
  const acts = timelines.flatMap((t) => t.activities);
  const running = (waiters: boolean) => union(acts.filter((a) => a.started !== undefined && WAITERS.has(a.type) === waiters)
    .map((a) => ({ start: a.started!, end: a.closed ?? window.end })));
  const layers: [GapCategory, Span[]][] = [
    ['SSH connects', union(connects.map((c) => ({ start: c.start, end: c.end })))],
    ['node timers (systemd-run --on-active)', union(nodeTimers(audit))],
    ['polling intervals', running(true)],
    ['activity code + SSH round trips', running(false)],
    ['activity scheduling', union(acts.map((a) => ({ start: a.scheduled, end: a.started ?? a.closed ?? window.end })))],
    ['workflow tasks', union(timelines.flatMap((t) => t.workflowTasks))],
    ['child workflow starts', union(timelines.flatMap((t) => t.childStarts))],
  ];
  const byCategory = Object.fromEntries(GAP_CATEGORIES.map((c) => [c, 0])) as Record<GapCategory, number>;
  const byActivity: Record<string, number> = {};
  const pollSpans = new Map<object, Span[]>();
  // The idle spans are W minus B; cut them at every boundary and give each piece to the first layer covering it.
  const idle: Span[] = [];
  let cursor = window.start;
  for (const b of busy) {
    if (b.start > cursor) idle.push({ start: cursor, end: b.start });
    cursor = Math.max(cursor, b.end);
  }
  if (window.end > cursor) idle.push({ start: cursor, end: window.end });
  const cuts = [...new Set(layers.flatMap(([, spans]) => spans.flatMap((s) => [s.start, s.end])))].sort((a, b) => a - b);
  for (const gap of idle) {
    const points = [gap.start, ...cuts.filter((c) => c > gap.start && c < gap.end), gap.end];
    for (let i = 0; i + 1 < points.length; i++) {
      const mid = (points[i] + points[i + 1]) / 2;
      const hit = layers.find(([, spans]) => spans.some((s) => s.start <= mid && mid < s.end));
      const d = points[i + 1] - points[i];
      byCategory[hit ? hit[0] : 'other'] += d;
      if (hit?.[0] === 'polling intervals' || hit?.[0] === 'activity code + SSH round trips') {
        const a = acts.find((x) => x.started !== undefined && x.started <= mid && mid < (x.closed ?? window.end));
        if (a) byActivity[a.type] = (byActivity[a.type] ?? 0) + d;
        if (a && hit[0] === 'polling intervals') pollSpans.set(a, [...(pollSpans.get(a) ?? []), { start: points[i], end: points[i + 1] }]);
      }
    }
  }
  // A pause lasts pollMs; the gaps between a poll's own commands are round trips, much shorter.
  let pollDetection = 0;
  for (const spans of pollSpans.values()) {
    const last = union(spans).filter((x) => x.end - x.start >= 0.8 * pollMs).pop();
    if (last) pollDetection += last.end - last.start;
  }
  return { W: window.end - window.start, B: total(busy), window, byCategory, byActivity, pollDetection };
}
