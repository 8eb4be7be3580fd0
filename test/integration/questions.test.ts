// Each way a person answers a failed step: retry after fixing, skip, abort; and wrong answers refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { startFleet } from '../../src/sim';
import { getStatus, startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import { startInstallEnv, status, waitForQuestion, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

const selfSigned = { tls: { mode: 'self-signed' as const } };

test('a step that keeps failing becomes a question with command, exit code and stderr; retry after the fix completes', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'retry', seed: 11, specOverrides: selfSigned });
  try {
    // Every lvcreate on node 3 fails as on a VG without room, until the fault is cleared.
    const fault = fleet.faults.add({ kind: 'transient', node: 'k8s-vm-3', match: 'lvcreate', times: Infinity,
      error: { stderr: '  Volume group "ubuntu-vg" has insufficient free space (1279 extents): 5120 required.\n', code: 5 } });
    const handle = await startInstall(env.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.kind === 'failure' && x.step === 'k8s-vm-3:shared-volume');
    assert.equal(q.node, 'k8s-vm-3');
    assert.match(q.lastError!, /command: sudo -n env LC_ALL=C lvcreate -y -L 20G -n shared ubuntu-vg/);
    assert.match(q.lastError!, /exit code: 5/);
    assert.match(q.lastError!, /insufficient free space/);
    // The step's title and the failure's first line once, in the prompt; the details below it, not that line again.
    assert.match(q.prompt, /^k8s-vm-3:shared-volume \(lvcreate the shared volume\) failed: on k8s-vm-3: `sudo -n env LC_ALL=C lvcreate .*` exited 5: .*insufficient free space/);
    assert.match(q.lastError!, /^command: /);
    const s = await status(handle);
    assert.equal(s.state, 'waiting');
    // The child answers for its own step too.
    const own = await env.client.workflow.getHandle(api.prepareNodeWorkflowId('retry', 'k8s-vm-3')).query(api.nodeProgressQuery);
    assert.equal(own.step, 'shared-volume');
    assert.ok(['failed', 'waiting'].includes(own.state), own.state);

    // Wrong answers are refused with the reason, and the question stays.
    await assert.rejects(handle.executeUpdate(api.resolveFailureUpdate, { args: [{ step: 'k8s-vm-9:nothing', action: 'retry' }] }),
      (e: Error) => e instanceof WorkflowUpdateFailedError || /no failed step/.test(e.message));
    await assert.rejects(handle.executeUpdate(api.resolveFailureUpdate, { args: [{ step: q.step!, action: 'later' as never }] }));
    assert.ok((await status(handle)).questions.some((x) => x.step === q.step));

    fleet.faults.remove(fault);
    assert.equal(await handle.executeUpdate(api.resolveFailureUpdate, { args: [{ step: q.step!, action: 'retry' }] }), `retry ${q.step}`);
    const final = await handle.result() as api.InstallStatus;
    assert.equal(final.state, 'completed');
    assert.ok([...fleet.node('k8s-vm-3').state.lvs.values()].some((lv) => lv.name === 'shared'));
    assert.deepEqual(fleet.duplicateEffects(), []);
  } finally {
    await fleet.stop();
  }
});

test('preflight reports every problem of every node at once, before any change; skip goes on', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ site: 'skip', seed: 12, specOverrides: selfSigned, nodes: [{ avx: false }, {}, { cores: 4 }] });
  try {
    const handle = await startInstall(env.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.step === 'cluster:preflight');
    // Grouped by node, every problem under its node; a node without problems is not listed.
    assert.match(q.lastError!, /^k8s-vm-1 \(1 problem\):\n {2}- CPU has no AVX flag/m);
    assert.match(q.lastError!, /^k8s-vm-3 \(1 problem\):\n {2}- has 4 cores, needs at least 8/m);
    assert.doesNotMatch(q.lastError!, /k8s-vm-2/);
    assert.match(q.prompt, /^preflight found 2 problems; nothing was changed/);
    assert.deepEqual(fleet.effects(), [], 'preflight changed nothing');
    await handle.signal(api.resolveFailureSignal, { step: q.step!, action: 'skip' });
    const final = await handle.result() as api.InstallStatus;
    assert.equal(final.state, 'completed');
  } finally {
    await fleet.stop();
  }
});

test('abort ends the install with a clear failure and leaves the nodes as they are', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'abort', seed: 13, specOverrides: selfSigned });
  try {
    fleet.faults.add({ kind: 'transient', node: 'k8s-vm-2', match: 'microk8s join', times: Infinity, error: 'join-not-ready' });
    const handle = await startInstall(env.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.step === 'k8s-vm-2:join');
    assert.match(q.lastError!, /microk8s join/);
    const effects = fleet.effects().length;
    await handle.signal(api.resolveFailureSignal, { step: q.step!, action: 'abort' });
    await assert.rejects(handle.result(), (e: Error) => e instanceof WorkflowFailedError && /aborted at k8s-vm-2:join/.test(e.cause?.message ?? ''));
    const s = await status(handle);
    assert.equal(s.state, 'failed');
    assert.match(s.lastError!, /aborted at k8s-vm-2:join/);
    assert.equal(fleet.effects().length, effects, 'nothing ran after the abort');
  } finally {
    await fleet.stop();
  }
});

test('abort of a node\'s prepare step (a child workflow) aborts the whole install', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'abort-child', seed: 14, specOverrides: selfSigned });
  try {
    fleet.faults.add({ kind: 'transient', node: 'k8s-vm-1', match: 'hostnamectl set-hostname', times: Infinity, error: { stderr: 'Could not set static hostname: Access denied\n', code: 1 } });
    const handle = await startInstall(env.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.step === 'k8s-vm-1:hostname');
    await handle.executeUpdate(api.resolveFailureUpdate, { args: [{ step: q.step!, action: 'abort' }] });
    await assert.rejects(handle.result(), (e: Error) => e instanceof WorkflowFailedError && /aborted at k8s-vm-1:hostname/.test(e.cause?.message ?? ''));
  } finally {
    await fleet.stop();
  }
});

test('status shows a node\'s exact step, asked of its child, though the install hears only of long steps', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'progress', seed: 15, specOverrides: selfSigned });
  const handle = await startInstall(env.client, fleet.spec);
  try {
    // Node 1 stays in its (short, unreported) hostname step: the command hangs.
    fleet.faults.add({ kind: 'hang', node: 'k8s-vm-1', match: 'hostnamectl set-hostname', times: Infinity });
    const deadline = Date.now() + 120_000;
    let seen: api.InstallStatus;
    for (;;) {
      seen = await getStatus(env.client, 'progress');
      if (seen.nodes[0].step === 'hostname' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual([seen.nodes[0].step, seen.nodes[0].state], ['hostname', 'running'], JSON.stringify(seen.nodes));
    // The install's own query still names the last long step it was told of.
    const parent = (await status(handle)).nodes[0];
    assert.notEqual(parent.step, 'hostname');
    assert.equal(parent.state, 'running');
  } finally {
    await handle.terminate('test over').catch(() => undefined);
    await fleet.stop();
  }
});
