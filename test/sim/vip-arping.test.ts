// The free-VIP check asks ARP too (issue 16, item 10): a machine that drops ping still answers ARP for its
// address. Where iputils-arping is installed, preflight runs `arping -D` and reports the address as taken;
// where it is not, ping alone decides, as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { addIcmpSilentHost } from '../../src/sim/commands/basic';
import { simFleet, simTarget } from '../helpers/sim';
import type { SshTarget } from '../../src/activities/ssh';
import { createPreflightActivities, type PreflightResult } from '../../src/activities/preflight';
import { preflightInput } from '../../src/workflows/preflight';
import { run } from '../../src/activities/run';
import { arpingDad, ping } from '../../src/activities/commands/basic';

const sim = simFleet({ nodes: 3, seed: 10, latency: 'fast' });

const target = (name: string): SshTarget => simTarget(sim.fleet, name);

test('a firewalled machine holds the virtual IP: ping says free, arping -D says taken', { timeout: 60_000 }, async () => {
  const nodes = sim.fleet.spec.nodes.map((n) => ({ ...n, role: 'manager' as const }));
  const input = preflightInput(sim.fleet.spec as Parameters<typeof preflightInput>[0], nodes);
  assert.equal(input.interfaces?.['k8s-vm-1'], 'ens18');
  const acts = createPreflightActivities({ pool: sim.pool });
  const vipProblems = async (node: string) => ((await new MockActivityEnvironment().run(acts.preflightNode, target(node), input)) as PreflightResult)
    .problems.filter((p) => p.includes(sim.fleet.spec.virtualIp));
  // Nobody there: free by both.
  sim.fleet.node('k8s-vm-1').state.installed.add('iputils-arping');
  assert.deepEqual(await vipProblems('k8s-vm-1'), []);
  assert.equal((await run({ pool: sim.pool }, target('k8s-vm-1'), arpingDad('ens18', sim.fleet.spec.virtualIp))).code, 0);

  addIcmpSilentHost(sim.fleet, sim.fleet.spec.virtualIp);
  assert.equal((await run({ pool: sim.pool }, target('k8s-vm-1'), ping(sim.fleet.spec.virtualIp))).code, 1, 'ping gets no answer');
  const arp = await run({ pool: sim.pool }, target('k8s-vm-1'), arpingDad('ens18', sim.fleet.spec.virtualIp));
  assert.equal(arp.code, 1);
  assert.deepEqual(await vipProblems('k8s-vm-1'),
    [`the virtual IP ${sim.fleet.spec.virtualIp} already answers ARP (arping -D), though not ping: another machine uses it; pick a free address for virtualIp`]);
  // Without iputils-arping only ping can be asked: env says the program is missing (127) and ping decides.
  assert.equal((await run({ pool: sim.pool }, target('k8s-vm-2'), arpingDad('ens18', sim.fleet.spec.virtualIp))).code, 127);
  assert.deepEqual(await vipProblems('k8s-vm-2'), []);
});
