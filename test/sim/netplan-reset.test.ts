// reset's netplan step against the simulated netplan and systemd: the install keeps the files as they were before
// it moved the interface's stanza out; reset puts them back, removes ours and applies from a transient timer. A node
// installed by an older version (no copy kept) gets a DHCP stanza rebuilt, and the step says what it could not restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as yaml from 'js-yaml';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNodePrepActivities } from '../../src/activities/node-prep';
import { createResetActivities } from '../../src/activities/reset';
import { NETPLAN_FILE, NETPLAN_ORIGINALS_DIR, NETPLAN_RESET_SCRIPT, NETPLAN_RESET_UNIT } from '../../src/activities/commands/netplan';
import { simFleet, simTarget } from '../helpers/sim';
import type { SshTarget } from '../../src/activities/ssh';
import type { StaticAddressInput } from '../../src/activities/checks/node';
import type { StepResult } from '../../src/activities/node-prep';
import { unitSettled } from '../helpers/fresh-compare';

const prefix = '127.0.178';
const INSTALLER = '/etc/netplan/00-installer-config.yaml';
const sim = simFleet({ nodes: 3, seed: 19, latency: 'fast', firstAddress: `${prefix}.11` });

const target = (name: string): SshTarget => simTarget(sim.fleet, name);
const input = (name: string, over: Partial<StaticAddressInput> = {}): StaticAddressInput => {
  const n = sim.fleet.spec.nodes.find((x) => x.name === name)!;
  return { interface: n.interface, address: n.address, prefixLength: sim.fleet.spec.network.prefixLength, gateway: sim.fleet.spec.network.gateway,
    nameservers: sim.fleet.spec.network.nameservers, ...over };
};
const configure = (name: string, a: StaticAddressInput) =>
  new MockActivityEnvironment().run(() => createNodePrepActivities({ pool: sim.pool, pollMs: 20 }).configureStaticAddress(target(name), a));
const resetNetplan = (name: string): Promise<StepResult> => {
  const a = input(name);
  return new MockActivityEnvironment().run(() => createResetActivities({ pool: sim.pool, pollMs: 20 }).resetNetplan(target(name), a.interface, `${a.address}/${a.prefixLength}`));
};
const kept = (name: string) => [...sim.fleet.node(name).state.files.keys()].filter((f) => f.startsWith('/var/lib/kloudspot/'));

test('the install keeps the original (a second install does not overwrite it); reset puts it back and forgets it', { timeout: 60_000 }, async () => {
  const node = sim.fleet.node('k8s-vm-1').state;
  const fresh = { files: node.files.get(INSTALLER)!, addresses: structuredClone(node.addresses), routes: [...node.defaultRoutes] };
  assert.deepEqual(await configure('k8s-vm-1', input('k8s-vm-1')), { changed: true });
  assert.deepEqual(await configure('k8s-vm-1', input('k8s-vm-1', { gateway: `${prefix}.254` })), { changed: true }, 'a later install, another gateway');
  assert.notEqual(node.files.get(INSTALLER)!.content, fresh.files.content, 'the stanza moved out');
  assert.deepEqual(kept('k8s-vm-1'), [`${NETPLAN_ORIGINALS_DIR}/00-installer-config.yaml`], 'the original alone is kept, the way back forgotten');
  assert.equal(node.files.get(`${NETPLAN_ORIGINALS_DIR}/00-installer-config.yaml`)!.content, fresh.files.content, 'the file before the first install');

  const r = await resetNetplan('k8s-vm-1');
  assert.equal(r.changed, true);
  assert.match(r.detail!, /^in 2 s: rm \/etc\/netplan\/60-kloudspot-static\.yaml, netplan apply with 00-installer-config\.yaml put back as before the install: ens18 back to DHCP/);
  assert.equal(node.timers.get(NETPLAN_RESET_UNIT)?.state, 'waiting');
  assert.deepEqual(await resetNetplan('k8s-vm-1'), { changed: false, detail: `${NETPLAN_RESET_UNIT} already scheduled` }, 'a retry while armed');
  await unitSettled([node], NETPLAN_RESET_UNIT);
  assert.equal(node.timers.has(NETPLAN_RESET_UNIT), false, 'the timer unloaded once it ran (RemainAfterElapse=no)');
  const back = node.files.get(INSTALLER)!;
  assert.deepEqual({ content: back.content, mode: back.mode }, { content: fresh.files.content, mode: fresh.files.mode });
  assert.equal(node.files.has(NETPLAN_FILE), false);
  assert.deepEqual(kept('k8s-vm-1'), [], 'the kept copy and the script are gone');
  assert.deepEqual([node.addresses, node.defaultRoutes], [fresh.addresses, fresh.routes], 'the address and route as on a fresh node');
  assert.equal((await resetNetplan('k8s-vm-1')).changed, false, 'then nothing is left to do');
});

test('after an older install that kept no copy, the stanza is rebuilt as DHCP and the step says what it could not restore', { timeout: 60_000 }, async () => {
  const node = sim.fleet.node('k8s-vm-2').state;
  assert.deepEqual(await configure('k8s-vm-2', input('k8s-vm-2')), { changed: true });
  node.files.delete(`${NETPLAN_ORIGINALS_DIR}/00-installer-config.yaml`);
  const r = await resetNetplan('k8s-vm-2');
  assert.equal(r.changed, true);
  assert.match(r.detail!, /NOT RESTORED: no copy of the netplan files from before the install was kept \(installed by an older version\); ens18's stanza is rebuilt as dhcp4: true in 00-installer-config\.yaml, any other setting it had \(routes, nameservers, MTU\) must be put back by hand$/);
  await unitSettled([node], NETPLAN_RESET_UNIT);
  const doc = yaml.load(node.files.get(INSTALLER)!.content) as { network: { ethernets: Record<string, unknown> } };
  assert.deepEqual(doc.network.ethernets.ens18, { dhcp4: true });
  assert.equal(node.files.has(NETPLAN_FILE), false);
  assert.equal(node.files.has(NETPLAN_RESET_SCRIPT), false);
  assert.deepEqual(node.addresses, [{ cidr: `${node.address}/${node.prefixLength}`, dynamic: true }], 'the node keeps an address, by DHCP');
  assert.equal((await resetNetplan('k8s-vm-2')).changed, false);
});
