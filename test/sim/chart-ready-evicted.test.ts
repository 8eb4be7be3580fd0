// chart-ready with an evicted pod (issue 16, item 6): the kubelet leaves an evicted pod Failed beside the
// replacement its ReplicaSet starts. Readiness is judged on the live pods, so the wait ends once the
// replacement is Ready; before, it waited for the Failed pod, which is never Ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simFleet } from '../helpers/sim';
import { HealthFaults } from '../../src/sim/health-faults';
import type { SshTarget } from '../../src/activities/ssh';
import { run } from '../../src/activities/run';
import { createChartActivities } from '../../src/activities/chart';
import { waitReady } from '../../src/activities/commands/microk8s';
import { listPods, parsePods, VALUES_FILE } from '../../src/activities/commands/chart';
import { prep } from '../helpers/commands';

const sim = simFleet({ nodes: 3, seed: 6, latency: 'fast' });

test('an evicted pod lingers as Failed: chart-ready still ends once its replacement is Ready', { timeout: 90_000 }, async () => {
  const n = sim.fleet.node('k8s-vm-1');
  const t: SshTarget = { node: n.name, host: n.address, port: n.port, username: sim.fleet.spec.ssh.user, privateKeyFile: sim.fleet.keyFile };
  const deps = { pool: sim.pool, pollMs: 50 };
  assert.equal((await run(deps, t, prep.installTools(sim.fleet.spec.kloudspot.toolsUrl))).code, 0);
  assert.equal((await run(deps, t, waitReady(60))).code, 0);
  await run(deps, t, prep.writeFile(VALUES_FILE, 'features:\n  kloudInsights: false\n'));
  const chart = createChartActivities(deps);
  assert.equal((await chart.startChart(t)).changed, true);
  assert.equal((await chart.waitChartReady(t, 30_000)).pods, 3);

  const { evicted, replacement } = new HealthFaults(sim.fleet).evictChartPod('k8s-vm-1');
  const pods = parsePods((await run(deps, t, listPods())).stdout);
  assert.deepEqual(pods.filter((p) => p.name === evicted).map((p) => [p.phase, p.reason, p.finished]), [['Failed', 'Evicted', true]]);
  assert.ok(pods.some((p) => p.name === replacement && !p.finished));
  // The evicted pod is never Ready; the wait judges the replacement (a Deployment's rollout, in effect).
  const ready = await chart.waitChartReady(t, 20_000);
  assert.equal(ready.pods, 3);
  const after = parsePods((await run(deps, t, listPods())).stdout);
  assert.ok(after.find((p) => p.name === replacement)?.ready, 'the replacement is Ready');
  assert.equal(after.find((p) => p.name === evicted)?.phase, 'Failed', 'the evicted pod is still there');
});
