// Proves the harness every later test uses: a real dev server, a real worker, a real history replayed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyToJSON, historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { startHarness, withWorker, workflowBundle, type TemporalHarness } from '../helpers/temporal';
import * as activities from '../fixtures/ping-activities';

const workflowsPath = require.resolve('../fixtures/ping-workflow');
let h: TemporalHarness;

before(async () => { h = await startHarness(); });
after(async () => { await h?.stop(); });

test('a workflow with one activity runs on a real dev server and worker', async () => {
  const result = await withWorker(h, { taskQueue: 'harness', workflowsPath, activities }, () =>
    h.client.workflow.execute('ping', { taskQueue: 'harness', workflowId: 'ping-1', args: ['temporal'] }));
  assert.equal(result, 'pong: TEMPORAL');
});

test('the run\'s exported history replays against the same code, and a changed history is caught', async () => {
  const history = await h.client.workflow.getHandle('ping-1').fetchHistory();
  const dir = mkdtempSync(join(tmpdir(), 'ks-replay-'));
  const file = join(dir, 'ping.json');
  writeFileSync(file, historyToJSON(history));
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  const bundle = await workflowBundle(workflowsPath);

  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, [{ workflowId: 'ping-1', history: parsed }])) results.push(r);
  assert.equal(results.length, 1);
  assert.equal(results[0].error, undefined);

  // Rename the scheduled activity: the workflow code would schedule `echo`, so replay must fail.
  const tampered = historyFromJSON(parsed);
  const scheduled = tampered.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
  scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
  await assert.rejects(Worker.runReplayHistory({ workflowBundle: bundle }, tampered), /nondetermin|Nondetermin|activity type/i);
});
