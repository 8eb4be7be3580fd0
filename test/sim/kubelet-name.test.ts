// A clone with MicroK8s installed (issue 16, item 8): the hostname changes after the kubelet registered under
// the old one. The kubelet-name step sees the Node missing under the new name and restarts MicroK8s, after
// which the Node carries the new name; on a fresh node (no MicroK8s yet) it does nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simFleet, simTarget } from '../helpers/sim';
import type { SshTarget } from '../../src/activities/ssh';
import { run } from '../../src/activities/run';
import { createNodePrepActivities } from '../../src/activities/node-prep';
import { createKubeletNameActivities } from '../../src/activities/kubelet-name';
import { getNodes, parseKubeNodes, waitReady } from '../../src/activities/commands/microk8s';
import { prep } from '../helpers/commands';

const sim = simFleet({ nodes: 3, seed: 12, latency: 'fast' });

const target = (name: string): SshTarget => simTarget(sim.fleet, name);

test('a fresh node: nothing to restart', async () => {
  const acts = createKubeletNameActivities({ pool: sim.pool });
  assert.deepEqual(await acts.restartMicrok8sIfRenamed(target('k8s-vm-2'), 'k8s-vm-2'),
    { changed: false, detail: 'MicroK8s not installed yet: its kubelet will start under the new name' });
});

test('MicroK8s installed under the old hostname, then renamed: restarted, the Node carries the new name', { timeout: 90_000 }, async () => {
  const deps = { pool: sim.pool, pollMs: 50 };
  const t = target('k8s-vm-1');
  assert.equal((await run(deps, t, prep.installTools(sim.fleet.spec.kloudspot.toolsUrl))).code, 0);
  assert.equal((await run(deps, t, waitReady(60))).code, 0);
  assert.deepEqual(parseKubeNodes((await run(deps, t, getNodes())).stdout).map((n) => n.name), ['ubuntu']);
  assert.equal((await createNodePrepActivities(deps).setHostname(t, 'k8s-vm-1')).changed, true);
  const acts = createKubeletNameActivities(deps);
  const stale = await acts.kubeletNameCheck(t, 'k8s-vm-1');
  assert.deepEqual(stale, { done: false, detail: 'restart MicroK8s: its kubelet is registered under the old hostname, not k8s-vm-1' });

  const r = await acts.restartMicrok8sIfRenamed(t, 'k8s-vm-1');
  assert.equal(r.changed, true);
  const nodes = parseKubeNodes((await run(deps, t, getNodes())).stdout);
  assert.deepEqual(nodes.find((n) => n.name === 'k8s-vm-1')?.status, 'Ready');
  assert.deepEqual((await acts.restartMicrok8sIfRenamed(t, 'k8s-vm-1')).changed, false, 'a second run changes nothing');
  const audit = sim.fleet.audit().filter((e) => e.node === 'k8s-vm-1' && /microk8s (stop|start)$/.test(e.command));
  assert.equal(audit.length, 2, 'one stop, one start');
});
