// The static-address step against netplan and systemd as they behave: lists concatenated across files (a stanza
// left in 00-installer-config.yaml adds its address and default route to ours), transient timers kept loaded
// after they elapse unless RemainAfterElapse=no, and the old configuration put back unless SSH confirmed the new.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as yaml from 'js-yaml';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNodePrepActivities } from '../../src/activities/node-prep';
import type { SshTarget } from '../../src/activities/ssh';
import type { StaticAddressInput } from '../../src/activities/checks/node';
import { eventually, simFleet, simTarget } from '../helpers/sim';

const prefix = '127.0.177';
const sim = simFleet({
  nodes: [{}, { installedStatic: { cidr: `${prefix}.200/24`, gateway: `${prefix}.254` } }, {}], seed: 16, latency: 'fast', firstAddress: `${prefix}.11`,
});

const target = (name: string): SshTarget => simTarget(sim.fleet, name);
const input = (name: string, over: Partial<StaticAddressInput> = {}): StaticAddressInput => {
  const n = sim.fleet.spec.nodes.find((x) => x.name === name)!;
  return { interface: n.interface, address: n.address, prefixLength: sim.fleet.spec.network.prefixLength, gateway: sim.fleet.spec.network.gateway,
    nameservers: sim.fleet.spec.network.nameservers, ...over };
};
const configure = (name: string, a: StaticAddressInput) =>
  new MockActivityEnvironment().run(() => createNodePrepActivities({ pool: sim.pool, pollMs: 20 }).configureStaticAddress(target(name), a));

test('a second static-address change in the same boot is applied (the first apply timer does not hold the name)', { timeout: 60_000 }, async () => {
  const node = sim.fleet.node('k8s-vm-1').state;
  const first = input('k8s-vm-1');
  assert.deepEqual(await configure('k8s-vm-1', first), { changed: true });
  assert.deepEqual(node.defaultRoutes, [first.gateway]);
  // The spec's gateway corrected, same boot: the new file must be applied, not read as "already pending".
  const second = input('k8s-vm-1', { gateway: `${prefix}.254` });
  assert.deepEqual(await configure('k8s-vm-1', second), { changed: true });
  assert.deepEqual(node.defaultRoutes, [second.gateway], 'the corrected gateway is in effect');
  assert.equal(node.timers.get('kloudspot-netplan-apply')?.state, undefined, 'the apply timer unloaded after it elapsed');
  assert.deepEqual(await configure('k8s-vm-1', second), { changed: false }, 'then nothing is left to do');
});

test('a node installed with a static address ends with the spec address alone and one default route', { timeout: 60_000 }, async () => {
  const node = sim.fleet.node('k8s-vm-2').state;
  assert.deepEqual(node.addresses, [{ cidr: `${prefix}.200/24`, dynamic: false }]);
  const a = input('k8s-vm-2');
  assert.deepEqual(await configure('k8s-vm-2', a), { changed: true });
  assert.deepEqual(node.addresses, [{ cidr: `${a.address}/24`, dynamic: false }], 'the installer-time address is gone');
  assert.deepEqual(node.defaultRoutes, [a.gateway], 'one default route, the spec\'s');
  const installer = yaml.load(node.files.get('/etc/netplan/00-installer-config.yaml')!.content) as { network: { ethernets?: unknown } };
  assert.equal(installer.network.ethernets, undefined, 'the stanza moved out of the installer file');
  assert.ok(!node.timers.has('kloudspot-netplan-restore'), 'the way back was cancelled once SSH worked');
  // The way back is forgotten; the file as it was before the install is kept for reset (issue 19).
  assert.deepEqual([...node.files.keys()].filter((f) => f.startsWith('/var/lib/kloudspot/netplan')), ['/var/lib/kloudspot/netplan-original/00-installer-config.yaml'],
    'the way back is forgotten, the original kept for reset');
  assert.match(node.files.get('/var/lib/kloudspot/netplan-original/00-installer-config.yaml')!.content, new RegExp(`- ${prefix.replace(/\./g, '\\.')}\\.200/24`),
    'the original with the installer-time address');
  assert.ok(sim.fleet.effectKeys('k8s-vm-2').some((e) => e.effect.startsWith('systemd-run kloudspot-netplan-restore.timer')));
});

test('without a confirmed SSH connection to the new address, the old configuration comes back by itself', { timeout: 90_000 }, async () => {
  const node = sim.fleet.node('k8s-vm-3').state;
  const before = node.files.get('/etc/netplan/00-installer-config.yaml')!.content;
  // Every check of the new address fails: the step stops before it cancels the way back.
  const id = sim.fleet.faults.add({ kind: 'transient', node: 'k8s-vm-3', match: 'cat /proc/sys/kernel/random/boot_id', times: 1000,
    error: { code: 1, stderr: 'cat: /proc/sys/kernel/random/boot_id: Input/output error\n' } });
  try {
    await assert.rejects(configure('k8s-vm-3', input('k8s-vm-3', { gateway: `${prefix}.9` })));
  } finally {
    sim.fleet.faults.remove(id);
  }
  assert.deepEqual(node.defaultRoutes, [`${prefix}.9`], 'the new configuration was applied');
  assert.ok(node.timers.has('kloudspot-netplan-restore'), 'the way back is armed');
  await eventually(async () => node.files.get('/etc/netplan/00-installer-config.yaml')?.content === before && !node.files.has('/etc/netplan/60-kloudspot-static.yaml'), 60_000, 100);
  await eventually(async () => node.addresses.length === 1 && node.addresses[0].dynamic, 10_000, 50);
  assert.deepEqual(node.defaultRoutes, [], 'back to DHCP');
});
