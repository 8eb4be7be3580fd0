// Scaling out: two worker PROCESSES (the real CLI, `kloudspot-installer worker`) on one dev server and one
// task queue share the installs. The histories show which worker ran each activity (ActivityTaskStarted
// carries the worker's identity). Then one worker gets SIGTERM mid-install: it stops polling, lets its
// running activities finish within the grace time and exits 0, and the other worker finishes every install.
// Last, a crash: a new worker joins, the old one is SIGKILLed mid-install, and the new one finishes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import type { InstallStatus } from '../../src/workflows/api';
import { jsonLog, killWorker, startWorkerProcessEnv, type WorkerProcess, type WorkerProcessEnv } from '../helpers/worker-process';

interface WorkerProc {
  identity: string;
  group: WorkerProcess;
  /** The worker's JSON log lines (stdout and stderr), read now. */
  logs(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

let env: WorkerProcessEnv;
let client: WorkerProcessEnv['client'];

async function startWorker(identity: string): Promise<WorkerProc> {
  const group = await env.startWorker(identity, { logLevel: 'INFO', shutdownGrace: '20s' });
  return {
    identity, group, logs: () => jsonLog(group),
    exited: group.exited.then(() => ({ code: group.child.exitCode, signal: group.child.signalCode, at: Date.now() })),
  };
}

async function healthOf(w: WorkerProc): Promise<Record<string, unknown>> {
  return (await fetch(`${w.group.health}/healthz`)).json() as Promise<Record<string, unknown>>;
}

interface ActivityStart { workflowId: string; activityType: string; identity: string; attempt: number; at: number }

/** Every activity start of an install, its prepare-node children included, with the worker that ran it. */
async function activityStarts(workflowId: string): Promise<ActivityStart[]> {
  const { events } = JSON.parse(historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory())) as { events: Record<string, any>[] };
  const scheduled = new Map<string, string>();
  const out: ActivityStart[] = [];
  const children: string[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name);
    if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      out.push({ workflowId, activityType: scheduled.get(String(a.scheduledEventId)) ?? '?', identity: a.identity, attempt: Number(a.attempt ?? 1), at: Date.parse(e.eventTime) });
    }
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) children.push(e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId);
  }
  for (const c of children) out.push(...await activityStarts(c));
  return out;
}

function countBy(starts: ActivityStart[]): Record<string, number> {
  const n: Record<string, number> = {};
  for (const s of starts) n[s.identity] = (n[s.identity] ?? 0) + 1;
  return n;
}

async function installAll(fleets: Fleet[]): Promise<{ ids: string[]; results: Promise<InstallStatus>[] }> {
  const handles = await Promise.all(fleets.map((f) => startInstall(client, f.spec)));
  return { ids: handles.map((h) => h.workflowId), results: handles.map((h) => h.result() as Promise<InstallStatus>) };
}

/** Waits until an install is past preflight and `w` is running an activity; returns how many it runs. */
async function busyPastPreflight(w: WorkerProc, ids: string[]): Promise<number> {
  const deadline = Date.now() + 60_000;
  let past = false;
  while (Date.now() < deadline) {
    if (!past) {
      const phases = await Promise.all(ids.map((id) => client.workflow.getHandle(id).query<InstallStatus>('status').then((st) => st.phase, () => 'preflight')));
      past = phases.some((p) => p !== 'preflight');
    }
    const n = Number((await healthOf(w)).activitiesInFlight ?? 0);
    if (past && n > 0) return n;
    await new Promise((r) => setTimeout(r, 25));
  }
  return 0;
}

const fleets: Fleet[] = [];
async function newFleets(prefix: string, n: number, seed: number): Promise<Fleet[]> {
  const made = await Promise.all(Array.from({ length: n }, (_, i) => startFleet({
    nodes: 3, site: `${prefix}-${i + 1}`, seed: seed + i, specOverrides: { tls: { mode: 'self-signed' } },
  })));
  fleets.push(...made);
  return made;
}

before(async () => {
  // Both processes get the one prebuilt bundle, as the image does: neither runs webpack at start.
  env = await startWorkerProcessEnv('two-workers');
  client = env.client;
});

after(async () => {
  await Promise.all(fleets.map((f) => f.stop()));
  await env?.stop();
});

test('two worker processes on one task queue share installs; one stopped (SIGTERM) or killed (SIGKILL) mid-install, the other finishes', { timeout: 240_000 }, async () => {
  const t0 = Date.now();
  const [a, b] = await Promise.all([startWorker('worker-a'), startWorker('worker-b')]);
  for (const w of [a, b]) {
    assert.ok(w.logs().some((l) => l.msg === 'worker started' && l.identity === w.identity && l.taskQueue === 'kloudspot-installer'), `${w.identity} logged its start as JSON`);
    assert.ok(w.logs().every((l) => !l.notJson), `${w.identity} writes only JSON lines`);
  }
  const tReady = Date.now();

  // 1. Three sites of three nodes at once: both workers take part, every install completes.
  const first = await installAll(await newFleets('shared', 3, 90));
  const finals = await Promise.all(first.results);
  for (const f of finals) assert.equal(f.state, 'completed', `${f.site}: ${f.lastError ?? ''}`);
  const starts1 = (await Promise.all(first.ids.map(activityStarts))).flat();
  const by1 = countBy(starts1);
  assert.ok((by1['worker-a'] ?? 0) > 0 && (by1['worker-b'] ?? 0) > 0, `both workers ran activities: ${JSON.stringify(by1)}`);
  assert.deepEqual(Object.keys(by1).sort(), ['worker-a', 'worker-b'], 'no other worker ran anything');
  const tShared = Date.now();

  // 2. Three more sites; once worker A is running activities, it gets SIGTERM.
  const second = await installAll(await newFleets('handover', 3, 95));
  const inFlight = await busyPastPreflight(a, second.ids);
  assert.ok(inFlight > 0, 'worker A was running an activity when it was stopped');
  const stoppedAt = Date.now();
  a.group.child.kill('SIGTERM');
  const exit = await a.exited;
  assert.equal(exit.code, 0, 'worker A shut down cleanly');
  assert.ok(exit.at - stoppedAt < 25_000, `worker A exited within its grace time (${exit.at - stoppedAt} ms)`);
  const requested = a.logs().find((l) => l.msg?.toString().startsWith('shutdown requested'));
  assert.equal(requested?.reason, 'SIGTERM');
  assert.ok(a.logs().some((l) => l.msg === 'worker stopped'), 'worker A logged its stop');

  const finals2 = await Promise.all(second.results);
  for (const f of finals2) assert.equal(f.state, 'completed', `${f.site}: ${f.lastError ?? ''}`);
  const starts2 = (await Promise.all(second.ids.map(activityStarts))).flat();
  const byA = starts2.filter((s) => s.identity === 'worker-a');
  const afterStop = starts2.filter((s) => s.at > exit.at);
  assert.ok(byA.length > 0, 'worker A served part of the second round before it stopped');
  assert.ok(byA.every((s) => s.at <= exit.at + 1000), 'worker A started nothing after it exited');
  assert.ok(afterStop.length > 0 && afterStop.every((s) => s.identity === 'worker-b'), 'worker B ran everything after A stopped');
  const touchedByA = new Set(byA.map((s) => s.workflowId.split('/').slice(0, 2).join('/')));
  assert.ok(touchedByA.size > 0);

  assert.equal((await healthOf(b)).state, 'RUNNING');
  const tHandover = Date.now();

  // 3. A crash: a fresh worker joins, then B is killed (SIGKILL, no goodbye) while running activities. Its
  // activities time out on their heartbeat and are retried on the new worker, which finishes both installs.
  const a2 = await startWorker('worker-a2');
  const third = await installAll(await newFleets('crash', 2, 100));
  const bInFlight = await busyPastPreflight(b, third.ids);
  assert.ok(bInFlight > 0, 'worker B was running an activity when it was killed');
  await killWorker(b.group);
  const bExit = await b.exited;
  assert.equal(bExit.signal, 'SIGKILL');
  const finals3 = await Promise.all(third.results);
  for (const f of finals3) assert.equal(f.state, 'completed', `${f.site}: ${f.lastError ?? ''}`);
  const starts3 = (await Promise.all(third.ids.map(activityStarts))).flat();
  const afterKill = starts3.filter((s) => s.at > bExit.at);
  // What B was running either finished before the kill (B shows in the history) or was retried by A2.
  const retried = afterKill.filter((s) => s.attempt > 1);
  assert.ok(starts3.some((s) => s.identity === 'worker-b') || retried.length > 0, 'worker B\'s work in the third round is accounted for');
  assert.ok(afterKill.length > 0 && afterKill.every((s) => s.identity === 'worker-a2'), 'the new worker ran everything after B died');
  assert.equal((await healthOf(a2)).state, 'RUNNING');

  // No worker's logs hold private-key material.
  for (const w of [a, b, a2]) assert.ok(!w.logs().some((l) => JSON.stringify(l).includes('PRIVATE KEY-----')), `no private key in ${w.identity}'s logs`);
  const tDone = Date.now();
  process.stdout.write(`# two workers: ready ${(tReady - t0) / 1000}s; shared round ${(tShared - tReady) / 1000}s ${JSON.stringify(by1)}; ` +
    `SIGTERM round ${(tHandover - tShared) / 1000}s (A in flight: ${inFlight}, A exited after ${exit.at - stoppedAt} ms, ` +
    `${afterStop.length} activity starts by B after; A had touched ${[...touchedByA].join(', ')}); ` +
    `SIGKILL round ${(tDone - tHandover) / 1000}s (B in flight: ${bInFlight}, ${afterKill.length} activity starts by A2 after, ` +
    `${retried.length} of them retries of B's attempts: ${retried.map((s) => s.activityType).join(', ')})\n`);
});
