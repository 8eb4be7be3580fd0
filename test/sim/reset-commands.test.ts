// The commands reset runs, over real SSH to simulated nodes, with the installer's builders: outputs as
// docs/commands.md (section 9) gives them with their sources, and each "already undone?" case included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import * as mk from '../../src/activities/commands/microk8s';
import { holdRefresh, listSnap, parseSnapHeld, snapRemovePurge } from '../../src/activities/commands/snap';
import { createLogicalVolume, removeLogicalVolume } from '../../src/activities/commands/lvm';
import { hostsFileWithoutBlock, renderHostsFile } from '../../src/activities/commands/files';
import { removeToolsCli, toolsPath } from '../../src/activities/commands/tools';
import { connectAll, closeAll, type SimClient } from '../helpers/sim';

let fleet: Fleet;
let c: Record<string, SimClient>;

before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 31 });
  c = await connectAll(fleet);
  assert.equal((await c['k8s-vm-1'].run('sudo __kloudspot_install_tools')).code, 0, 'the tools install MicroK8s and the CLI');
});
after(async () => {
  if (c) closeAll(c);
  await fleet?.stop();
});

const run = (cmd: { command: string }) => c['k8s-vm-1'].run(cmd.command);

test('microk8s leave on a node in no cluster, remove-node of an unknown node (leave.py, remove_node.py)', async () => {
  const leave = await run(mk.leave());
  assert.deepEqual([leave.code, leave.stdout], [1, 'This MicroK8s deployment is not acting as a node in a cluster.\n']);
  const removed = await run(mk.removeNode('k8s-vm-9', false));
  assert.equal(removed.code, 1);
  assert.equal(removed.stdout, 'Node k8s-vm-9 does not exist in Kubernetes.\n');
  assert.equal(removed.stderr, 'Error from server (NotFound): nodes "k8s-vm-9" not found\n');
  assert.match((await run(mk.removeNode('k8s-vm-9', true))).stdout, /^Node k8s-vm-9 does not exist in Kubernetes\.\nAttempting to remove k8s-vm-9 from dqlite\.\n$/);
  assert.deepEqual(fleet.effects().filter((e) => /leave|remove-node/.test(e.command)), [], 'nothing changed');
});

test('lvremove: removed, then missing (rc 5); the next lvcreate takes the same dm minor', async () => {
  assert.equal((await run(createLogicalVolume('ubuntu-vg', 'shared', '20G'))).code, 0);
  const dm = fleet.machines[0].lvs.find((lv) => lv.name === 'shared')!.dm;
  const r = await run(removeLogicalVolume('ubuntu-vg', 'shared'));
  assert.deepEqual([r.code, r.stdout], [0, '  Logical volume "shared" successfully removed.\n']);
  const again = await run(removeLogicalVolume('ubuntu-vg', 'shared'));
  assert.deepEqual([again.code, again.stderr], [5, '  Failed to find logical volume "ubuntu-vg/shared"\n']);
  await run(createLogicalVolume('ubuntu-vg', 'shared', '20G'));
  assert.equal(fleet.machines[0].lvs.find((lv) => lv.name === 'shared')!.dm, dm);
  await run(removeLogicalVolume('ubuntu-vg', 'shared'));
});

test('the kloudspot CLI and the snap go; a second removal is a no-op (snapd: not installed is not an error for remove)', async () => {
  // The install held the snap's refreshes (snap list: held) and wrote into the snap's directory: both go with the snap.
  assert.equal((await run(holdRefresh('forever'))).code, 0);
  assert.ok(parseSnapHeld((await run(listSnap())).stdout), 'held before the removal');
  assert.ok([...fleet.machines[0].files.keys()].some((f) => f.startsWith('/var/snap/microk8s/')), 'the snap has files');
  const path = (await run(toolsPath())).stdout.trim();
  assert.equal(path, '/usr/local/bin/kloudspot');
  assert.equal((await run(removeToolsCli(path))).code, 0);
  assert.equal((await run(toolsPath())).code, 1);
  const removed = await run(snapRemovePurge());
  assert.deepEqual([removed.code, removed.stdout], [0, 'microk8s removed\n']);
  const list = await run(listSnap());
  assert.deepEqual([list.code, list.stderr], [1, 'error: no matching snaps installed\n']);
  const again = await run(snapRemovePurge());
  assert.deepEqual([again.code, again.stdout, again.stderr], [0, '', 'snap "microk8s" is not installed\n']);
  assert.equal(fleet.clusters.size, 0);
  assert.deepEqual([...fleet.machines[0].files.keys()].filter((f) => f.startsWith('/var/snap/microk8s/')), [], 'no file of the snap is left');
  assert.deepEqual([...fleet.machines[0].snapd.holds], [], 'no refresh hold is left');
  assert.deepEqual(fleet.effects().filter((e) => /snap remove|rm -f/.test(e.command)).map((e) => e.effect), ['delete /usr/local/bin/kloudspot', 'snap remove microk8s'],
    'each removed once; the second snap remove changed nothing');
});

test('/etc/hosts without our block is the file before it, but for the 127.0.1.1 line that names the host', () => {
  const fresh = '127.0.0.1 localhost\n127.0.1.1 ubuntu\n\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost ip6-loopback\n';
  const nodes = [{ name: 'k8s-vm-1', address: '10.0.0.11' }, { name: 'k8s-vm-2', address: '10.0.0.12' }];
  assert.equal(hostsFileWithoutBlock(renderHostsFile(fresh, 'k8s-vm-1', nodes)), fresh.replace('127.0.1.1 ubuntu', '127.0.1.1 k8s-vm-1'));
  assert.equal(hostsFileWithoutBlock(fresh), fresh);
});
