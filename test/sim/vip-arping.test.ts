// The free-VIP check asks ARP too (issue 16, item 10): a machine that drops ping still answers ARP for its
// address. Where iputils-arping is installed, preflight runs `arping -D` and reports the address as taken;
// where it is not, ping alone decides, as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startFleet, type Fleet } from '../../src/sim';
import { addIcmpSilentHost } from '../../src/sim/commands/basic';
import { simTarget } from '../helpers/sim';
import { SshPool, type SshTarget } from '../../src/activities/ssh';
import { createPreflightActivities, type PreflightResult } from '../../src/activities/preflight';
import { preflightInput } from '../../src/workflows/preflight';
import { run } from '../../src/activities/run';
import { arpingDad, ping } from '../../src/activities/commands/basic';

let fleet: Fleet;
let pool: SshPool;
before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 10, latency: 'fast' });
  pool = new SshPool();
});
after(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

const target = (name: string): SshTarget => simTarget(fleet, name);

test('a firewalled machine holds the virtual IP: ping says free, arping -D says taken', { timeout: 60_000 }, async () => {
  const nodes = fleet.spec.nodes.map((n) => ({ ...n, role: 'manager' as const }));
  const input = preflightInput(fleet.spec as Parameters<typeof preflightInput>[0], nodes);
  assert.equal(input.interfaces?.['k8s-vm-1'], 'ens18');
  const acts = createPreflightActivities({ pool });
  const vipProblems = async (node: string) => ((await new MockActivityEnvironment().run(acts.preflightNode, target(node), input)) as PreflightResult)
    .problems.filter((p) => p.includes(fleet.spec.virtualIp));
  // Nobody there: free by both.
  fleet.node('k8s-vm-1').state.installed.add('iputils-arping');
  assert.deepEqual(await vipProblems('k8s-vm-1'), []);
  assert.equal((await run({ pool }, target('k8s-vm-1'), arpingDad('ens18', fleet.spec.virtualIp))).code, 0);

  addIcmpSilentHost(fleet, fleet.spec.virtualIp);
  assert.equal((await run({ pool }, target('k8s-vm-1'), ping(fleet.spec.virtualIp))).code, 1, 'ping gets no answer');
  const arp = await run({ pool }, target('k8s-vm-1'), arpingDad('ens18', fleet.spec.virtualIp));
  assert.equal(arp.code, 1);
  assert.deepEqual(await vipProblems('k8s-vm-1'),
    [`the virtual IP ${fleet.spec.virtualIp} already answers ARP (arping -D), though not ping: another machine uses it; pick a free address for virtualIp`]);
  // Without iputils-arping only ping can be asked: env says the program is missing (127) and ping decides.
  assert.equal((await run({ pool }, target('k8s-vm-2'), arpingDad('ens18', fleet.spec.virtualIp))).code, 127);
  assert.deepEqual(await vipProblems('k8s-vm-2'), []);
});
