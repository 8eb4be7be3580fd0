// upgrade on a 3-manager simulated site: every node moves from 1.32/stable to 1.33/stable one at a time, managers
// first; from the simulator's audit, never more than one node cordoned and each refresh only after the previous
// node was uncordoned; sampled every 5 ms, never fewer than 2 voters up. A PodDisruptionBudget that keeps the
// last node's drain from finishing becomes a question (wait, force, abort) asked with the node uncordoned;
// `wait` drains again (still blocked: asked again), `force` deletes the pod past its budget. A re-run does nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LifecycleFaults, startFleet, type Fleet } from '../../src/sim';
import { resolveFailure, startInstall } from '../../src/client/installs';
import { startUpgrade } from '../../src/client/upgrade';
import { finish, startInstallEnv, status, waitForQuestion, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
let fleet: Fleet;
const SITE = 'upgraded';
const NAMES = ['k8s-vm-1', 'k8s-vm-2', 'k8s-vm-3'];

// The pre-check's backup goes to the worker's backup directory (this process is the worker).
const backups = mkdtempSync(join(tmpdir(), 'kloudspot-upgrade-backups-'));
process.env.KLOUDSPOT_BACKUP_DIR = backups;

before(async () => {
  env = await startInstallEnv();
  fleet = await startFleet({ nodes: 3, site: SITE, seed: 23, specOverrides: { tls: { mode: 'self-signed' }, doctor: { every: 'off' } } });
  assert.equal((await finish(await startInstall(env.client, fleet.spec), 300_000)).state, 'completed');
});
after(async () => { await fleet?.stop(); await env?.stop(); rmSync(backups, { recursive: true, force: true }); });

function votersUp(): number {
  const c = fleet.clusterOf('k8s-vm-1')!;
  const now = Date.now();
  return [...c.members.values()].filter((m) => m.role === 'voter' && m.node.phase === 'up' && now >= m.node.microk8s.readyAt).length;
}

test('upgrade moves every node to the next channel one at a time; a drain held by a PodDisruptionBudget is a question', { timeout: 600_000 }, async () => {
  assert.deepEqual(NAMES.map((n) => fleet.node(n).state.microk8s.channel), ['1.32/stable', '1.32/stable', '1.32/stable']);
  const blockedPod = new LifecycleFaults(fleet).pdbBlocksDrain('k8s-vm-3');
  const before = fleet.effects().length;

  let min = Infinity;
  const samples: number[] = [];
  const watch = setInterval(() => { const v = votersUp(); samples.push(v); min = Math.min(min, v); }, 5);
  try {
    const handle = await startUpgrade(env.client, fleet.spec, '1.33/stable', { drainTimeoutSeconds: 20 });
    const q1 = await waitForQuestion(handle, (q) => q.step === 'k8s-vm-3:drain', 400_000);
    assert.deepEqual(q1.options, ['wait', 'force', 'abort']);
    assert.match(q1.prompt, new RegExp(`PodDisruptionBudget refuses to evict ${blockedPod}`));
    assert.match(q1.lastError ?? '', /Cannot evict pod as it would violate the pod's disruption budget/);
    assert.equal(fleet.clusterOf('k8s-vm-1')!.kubeNodes.get('k8s-vm-3')!.unschedulable, false, 'asked with the node uncordoned');
    await assert.rejects(resolveFailure(env.client, SITE, { step: 'k8s-vm-3:drain', action: 'retry' }, handle.workflowId), /takes wait, force, abort/);

    await resolveFailure(env.client, SITE, { step: 'k8s-vm-3:drain', action: 'wait' }, handle.workflowId);
    const q2 = await waitForQuestion(handle, (q) => q.step === 'k8s-vm-3:drain' && q.id !== q1.id, 120_000);
    assert.ok(q2, 'the budget still refuses: asked again');
    await resolveFailure(env.client, SITE, { step: 'k8s-vm-3:drain', action: 'force' }, handle.workflowId);
    const s = await finish(handle, 300_000);
    assert.equal(s.state, 'completed', s.lastError);
    assert.deepEqual((await status(handle)).questions, []);
    assert.equal(readdirSync(join(backups, SITE)).length, 1, 'the pre-check took a backup');
    assert.match(s.summary?.backup ?? '', /^taken: /);
  } finally {
    clearInterval(watch);
  }

  assert.deepEqual(NAMES.map((n) => fleet.node(n).state.microk8s.channel), ['1.33/stable', '1.33/stable', '1.33/stable']);
  assert.ok(samples.some((v) => v === 2), 'a voter was seen restarting');
  assert.equal(min, 2, `voters up never below 2 (min ${min})`);

  // One record per command: a drain's cordon and evictions are joined with '; '.
  const effects = fleet.effects().slice(before).flatMap((e) => (e.effect ?? '').split('; ').map((effect) => ({ ...e, effect })));
  const refreshes = effects.filter((e) => e.effect.startsWith('snap refresh microk8s'));
  assert.deepEqual(refreshes.map((e) => `${e.node} ${e.effect}`), NAMES.map((n) => `${n} snap refresh microk8s --channel=1.33/stable`));
  // From the audit, in order: never two nodes cordoned; a node's refresh only while it alone is cordoned.
  const cordoned = new Set<string>();
  let most = 0;
  for (const e of effects) {
    const m = /^kubectl (cordon|uncordon) (\S+)$/.exec(e.effect);
    if (m) { if (m[1] === 'cordon') cordoned.add(m[2]); else cordoned.delete(m[2]); most = Math.max(most, cordoned.size); }
    if (e.effect.startsWith('snap refresh')) assert.deepEqual([...cordoned], [e.node], `${e.node} refreshed while cordoned alone`);
  }
  assert.equal(most, 1, 'never more than one node cordoned');
  assert.equal(cordoned.size, 0, 'every node uncordoned at the end');
  assert.ok(effects.some((e) => e.effect === `kubectl delete pod/${blockedPod}`), 'the forced drain deleted the blocked pod');
  assert.ok(!effects.some((e) => e.effect === `kubectl evict pod/${blockedPod}`), 'the budget was never broken by an eviction');

  const again = fleet.effects().length;
  const rerun = await finish(await startUpgrade(env.client, fleet.spec, '1.33/stable'), 300_000);
  assert.equal(rerun.state, 'completed');
  assert.match(rerun.summary?.backup ?? '', /^fresh: /, 'the backup of an hour ago is fresh');
  assert.equal(fleet.effects().length, again, 'a re-run changes nothing');
});
