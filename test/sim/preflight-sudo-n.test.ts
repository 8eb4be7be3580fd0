// A node whose sudo wants a password while the spec names no password file: preflight says so in one line
// (`sudo -n true` first) and still reports every fact it reads without sudo, instead of failing the node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startFleet, type Fleet } from '../../src/sim';
import { createPreflightActivities, type PreflightResult } from '../../src/activities/preflight';
import { SshPool, type SshTarget } from '../../src/activities/ssh';

let fleet: Fleet;
let pool: SshPool;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ks-sudo-n-'));
  const passwordFile = join(dir, 'sudo-password');
  writeFileSync(passwordFile, 'correct horse\n', { mode: 0o600 });
  fleet = await startFleet({ nodes: 3, seed: 41, latency: 'fast', sudoPasswordFile: passwordFile });
  pool = new SshPool();
});
after(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

const input = (f: Fleet) => ({
  peers: f.spec.nodes.map((n) => ({ name: n.name, address: n.address })), virtualIp: f.spec.virtualIp,
  volumeGroup: f.spec.lvm.volumeGroup, sharedVolumeSize: f.spec.lvm.sharedVolumeSize, unsharedGb: 14, heavy: false,
});

test('sudo needs a password but no ssh.sudoPasswordFile: one clear problem, every other fact still reported', async () => {
  const n = fleet.node('k8s-vm-1');
  // The spec's password file left out, as a person who did not know sudo asks would write it.
  const target: SshTarget = { node: n.name, host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile };
  const acts = createPreflightActivities({ pool });
  const r = await new MockActivityEnvironment().run(acts.preflightNode, target, input(fleet)) as PreflightResult;
  const sudo = r.problems.filter((p) => p.startsWith('ssh.user needs passwordless sudo (or set ssh.sudoPasswordFile)'));
  assert.equal(sudo.length, 1, r.problems.join('\n'));
  assert.match(sudo[0], /sudo: a password is required/);
  assert.equal(r.facts.cores, 8);
  assert.ok(r.facts.memoryBytes > 30 * 2 ** 30);
  assert.match(r.facts.bootId, /^[0-9a-f-]{36}$/);
  assert.equal(r.facts.volumeGroupFreeBytes, undefined, 'LVM needs sudo: not read, not guessed');
});

test('with the password file named, the same node passes the sudo check', async () => {
  const n = fleet.node('k8s-vm-2');
  const target: SshTarget = {
    node: n.name, host: n.address, port: n.port, username: fleet.spec.ssh.user,
    privateKeyFile: fleet.keyFile, sudoPasswordFile: fleet.spec.ssh.sudoPasswordFile,
  };
  const r = await new MockActivityEnvironment().run(createPreflightActivities({ pool }).preflightNode, target, input(fleet)) as PreflightResult;
  assert.deepEqual(r.problems.filter((p) => /sudo/.test(p)), []);
  assert.ok((r.facts.volumeGroupFreeBytes ?? 0) > 0);
});
