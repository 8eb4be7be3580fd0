// apt's lists lock as a real Debian 12 node showed it: another apt holding it makes `apt-get update` fail at
// once with exit 100 (DPkg::Lock::Timeout does not cover it), and the installer's upgrade step waits for it
// instead of turning it into a question.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { holdAptListsLock } from '../../src/sim/apt-locks';
import { aptLockBusy, aptUpdate } from '../../src/activities/commands/apt';
import { createNodePrepActivities, type StepResult } from '../../src/activities/node-prep';
import type { SshTarget } from '../../src/activities/ssh';
import { connect, simFleet, simTarget } from '../helpers/sim';

const sim = simFleet({ nodes: 3, seed: 14, latency: 'fast' });

const target = (name: string): SshTarget => simTarget(sim.fleet, name);

test('apt-get update fails at once with exit 100 while another apt holds the lists lock, as apt 2.6 does', async () => {
  const node = sim.fleet.node('k8s-vm-1');
  holdAptListsLock(node.state, 60_000, 'apt-get', 712);
  const c = await connect(sim.fleet, 'k8s-vm-1');
  try {
    const started = Date.now();
    const r = await c.run(aptUpdate().command);
    assert.equal(r.code, 100);
    assert.equal(r.stdout, 'Reading package lists...\n');
    assert.equal(r.stderr, 'E: Could not get lock /var/lib/apt/lists/lock. It is held by process 712 (apt-get)\nE: Unable to lock directory /var/lib/apt/lists/\n');
    assert.ok(aptLockBusy(r.stderr), 'the installer recognises it');
    assert.ok(Date.now() - started < 5000, 'it does not wait');
    holdAptListsLock(node.state, 0);
    assert.equal((await c.run(aptUpdate().command)).code, 0, 'free again: update runs');
  } finally {
    c.close();
  }
});

test('the upgrade step waits while the lists lock is held, then upgrades (no failure, no question)', { timeout: 60_000 }, async () => {
  const node = sim.fleet.node('k8s-vm-2');
  holdAptListsLock(node.state, 1500, 'python3', 431);
  const acts = createNodePrepActivities({ pool: sim.pool, pollMs: 100 });
  const started = Date.now();
  const r = await new MockActivityEnvironment().run(acts.upgradePackages, target('k8s-vm-2')) as StepResult;
  assert.ok(Date.now() - started >= 1500, `it waited for the lock (${Date.now() - started} ms)`);
  assert.equal(r.changed, true);
  assert.match(r.detail ?? '', /^\d+ upgraded/);
  const updates = sim.fleet.audit('k8s-vm-2').filter((e) => / update$/.test(e.command));
  assert.ok(updates.length >= 2, 'the first update was refused and tried again');
  assert.equal(updates[updates.length - 1].exitCode, 0);
});
