// NDM sees the `shared` LV and no other (issue 16, item 10): dropping `/dev/dm-` from the path filter's exclude
// list alone exposed every LV on the node (a scratch LV became a cStor candidate a person could pick and lose).
// The filter now includes the shared LV's /dev/mapper path (NDM 2.x pathfilter.go matches it for LVM devices)
// and whole disks, so the extra raw disk is still offered beside it, and the scratch LV is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as yaml from 'js-yaml';
import { run } from '../../src/activities/run';
import { createStorageActivities } from '../../src/activities/storage';
import { prep, st } from '../helpers/commands';
import { eventually, simFleet } from '../helpers/sim';
import type { NdmFilter } from '../../src/activities/commands/openebs';
import { openebsOnOneNode } from '../helpers/openebs-node';

const sim = simFleet({ nodes: 3, seed: 16, latency: 'fast', severalBlockDevices: [0] });

test('the NDM filter lets the shared LV and the raw disk through, not another LV', { timeout: 90_000 }, async () => {
  const { t, deps } = await openebsOnOneNode(sim.fleet, sim.pool, 'k8s-vm-1', async (d, node) => {
    for (const lv of ['shared', 'scratch']) assert.equal((await run(d, node, prep.createLogicalVolume('ubuntu-vg', lv, '20G'))).code, 0);
  });
  const storage = createStorageActivities(deps);

  assert.deepEqual(await storage.exposeSharedVolumesToNdm(t, 'ubuntu-vg'), { changed: true });
  const cm = JSON.parse((await run(deps, t, st.readNdmConfig())).stdout);
  const pf = (yaml.load(cm.data[st.NDM_CONFIG_KEY]) as { filterconfigs: NdmFilter[] }).filterconfigs.find((f) => f.key === 'path-filter')!;
  assert.equal(pf.include, '/dev/sd,/dev/vd,/dev/xvd,/dev/nvme,/dev/mapper/ubuntu--vg-shared');
  assert.doesNotMatch(pf.exclude ?? '', /\/dev\/dm-/);
  // NDM finds the shared LV after its discovery delay; by then it has looked at the scratch LV too.
  const all = await eventually(async () => {
    const bds = st.parseBlockDevices((await run(deps, t, st.listBlockDevices())).stdout);
    return bds.some((d) => d.path === '/dev/dm-1') ? bds : undefined;
  });
  await new Promise((r) => setTimeout(r, 300));
  const again = st.parseBlockDevices((await run(deps, t, st.listBlockDevices())).stdout);
  assert.deepEqual(again.map((d) => d.path).sort(), ['/dev/dm-1', '/dev/sdb'], 'the scratch LV (/dev/dm-2) is never a block device');
  assert.ok(all.find((d) => d.path === '/dev/dm-1')!.links.includes('/dev/disk/by-id/dm-name-ubuntu--vg-shared'));
  const candidates = await storage.listBlockDeviceCandidates(t, ['k8s-vm-1'], 30_000);
  assert.deepEqual(candidates['k8s-vm-1'].map((c) => c.path).sort(), ['/dev/dm-1', '/dev/sdb']);
  // Already so: no change, no restart.
  assert.deepEqual(await storage.exposeSharedVolumesToNdm(t, 'ubuntu-vg'), { changed: false });
});
