// Recorded histories of real installs (test/histories/<scenario>_<version>.json) must replay against the
// current workflow code: a change that breaks a running install's replay fails here, not in the field.
// Record new ones with KLOUDSPOT_RECORD_HISTORIES=1 npm test -- install.test
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { installerBundle } from '../../src/worker/worker';
import { quietRuntime, testDataConverter } from '../helpers/install';

const dir = join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('there are recorded histories to replay', () => {
  assert.ok(files.length >= 3, `only ${files.length} histories in test/histories`);
});

for (const file of files) {
  test(`replays: ${file}`, { timeout: 120_000 }, async () => {
    quietRuntime();
    const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: await installerBundle(), replayName: file, dataConverter: testDataConverter() }, history);
  });
}

test('a history whose commands differ from the code is caught as non-deterministic', { timeout: 120_000 }, async () => {
  quietRuntime();
  const history = historyFromJSON(JSON.parse(readFileSync(join(dir, files.find((f) => f.startsWith('install-3-nodes'))!), 'utf8')));
  const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'preflightNode')!;
  scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
  await assert.rejects(Worker.runReplayHistory({ workflowBundle: await installerBundle(), dataConverter: testDataConverter() }, history), /nondetermin/i);
});
