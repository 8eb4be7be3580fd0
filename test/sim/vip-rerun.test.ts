// A re-run's preflight on a worker: the virtual IP answers because the cluster's own MetalLB announces it. A
// manager can say so (`microk8s status -a metallb`: enabled); a worker only says it is joined ("acting as a node
// in a cluster"), which is as good. A machine outside the cluster still sees a conflict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simFleet, simTarget } from '../helpers/sim';
import type { SshTarget } from '../../src/activities/ssh';
import { createPreflightActivities, type PreflightResult } from '../../src/activities/preflight';
import { preflightInput } from '../../src/workflows/preflight';
import { run } from '../../src/activities/run';
import * as mk from '../../src/activities/commands/microk8s';
import { ping } from '../../src/activities/commands/basic';
import { prep, type RemoteCommand } from '../helpers/commands';

const sim = simFleet({ nodes: 3, seed: 12, latency: 'fast' });

const target = (name: string): SshTarget => simTarget(sim.fleet, name);
const on = async (name: string, c: RemoteCommand) => {
  const r = await run({ pool: sim.pool }, target(name), { ...c, okCodes: [0, 1, 2, 127] });
  assert.equal(r.code, 0, `${c.command}: ${r.stdout}${r.stderr}`);
  return r;
};

test('re-run preflight: a joined worker accepts the answering virtual IP; a machine outside the cluster does not', { timeout: 120_000 }, async () => {
  const vip = sim.fleet.spec.virtualIp;
  for (const n of ['k8s-vm-1', 'k8s-vm-3']) {
    await on(n, prep.installTools(sim.fleet.spec.kloudspot.toolsUrl));
    await on(n, mk.waitReady(60));
  }
  const token = 'f'.repeat(8) + '0123456789abcdef' + 'a'.repeat(8);
  // As the installer joins: the token into the first manager's token file on stdin, the URL built here.
  const check = mk.parseServerCertCheck((await on('k8s-vm-1', mk.serverCertCheck())).stdout);
  await on('k8s-vm-1', mk.issueJoinToken(token));
  const url = mk.joinUrl(sim.fleet.node('k8s-vm-1').address, token, check);
  await on('k8s-vm-3', mk.join(url, true, [token]));
  await on('k8s-vm-1', mk.enableAddon(`metallb:${vip}/32`));
  assert.equal((await run({ pool: sim.pool }, target('k8s-vm-2'), ping(vip))).code, 0, 'the virtual IP answers');

  const nodes = sim.fleet.spec.nodes.map((n, i) => ({ ...n, role: i === 2 ? 'worker' as const : 'manager' as const }));
  const input = preflightInput(sim.fleet.spec as Parameters<typeof preflightInput>[0], nodes);
  const acts = createPreflightActivities({ pool: sim.pool });
  const vipProblems = async (node: string) => ((await new MockActivityEnvironment().run(acts.preflightNode, target(node), input)) as PreflightResult)
    .problems.filter((p) => p.includes(vip));
  assert.deepEqual(await vipProblems('k8s-vm-1'), [], 'the manager: metallb enabled');
  assert.deepEqual(await vipProblems('k8s-vm-3'), [], 'the worker: joined to the cluster');
  assert.deepEqual(await vipProblems('k8s-vm-2'),
    [`the virtual IP ${vip} already answers ping: another machine uses it; pick a free address for virtualIp`], 'outside the cluster');
});
