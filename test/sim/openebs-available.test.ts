// The OpenEBS Deployments are waited for before a pool is made (issue 16, item 10: `status -a openebs` is not
// readiness). `microk8s enable openebs` returns before the pods are up, and until the cStor admission server is
// Available its webhook refuses every CStorPoolCluster. The upgrade step ends only once every Deployment in
// namespace openebs is Available, whether it upgraded (helm --wait) or found the release already at 3.4.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { FAST } from '../../src/sim/latency';
import { SshPool } from '../../src/activities/ssh';
import { run } from '../../src/activities/run';
import { createCstorVolumeActivities } from '../../src/activities/cstor-volume';
import * as v from '../../src/activities/commands/cstor-volume';
import { cmd, sh } from '../../src/activities/commands/sh';
import { st } from '../helpers/commands';
import { openebsOnOneNode } from '../helpers/openebs-node';

let fleet: Fleet;
let pool: SshPool;
before(async () => {
  // The pods take 1.5-2 s to come up (FAST's 60-200 ms would race the test's own reads).
  fleet = await startFleet({ nodes: 3, seed: 17, latency: { ...FAST, ms: { ...FAST.ms, podReady: [1500, 2000] } } });
  pool = new SshPool();
});
after(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

const WEBHOOK_DOWN = /^Error from server \(InternalError\): error when creating "STDIN": Internal error occurred: failed calling webhook "admission-webhook\.cstor\.openebs\.io": failed to call webhook: Post "https:\/\/openebs-cstor-admission-server\.openebs\.svc:443\/validate\?timeout=5s": dial tcp [\d.]+:443: connect: connection refused\n$/;

test('the upgrade step ends only once every OpenEBS Deployment is Available, so the pool is not refused', { timeout: 90_000 }, async () => {
  const { t, deps } = await openebsOnOneNode(fleet, pool, 'k8s-vm-1');
  const pool1 = st.renderCstorManifests([{ node: 'k8s-vm-1', blockDevice: 'blockdevice-nope' }], 1);

  // Right after the add-on: the Deployments are there but not Available, and the webhook refuses a pool.
  const fresh = v.unavailableDeployments((await run(deps, t, v.listOpenebsDeployments())).stdout);
  assert.deepEqual(fresh, { total: 5, unavailable: ['openebs-cstor-admission-server', 'openebs-cstor-cspc-operator', 'openebs-cstor-cvc-operator',
    'openebs-localpv-provisioner', 'openebs-ndm-operator'] });
  assert.match((await run(deps, t, { ...st.applyManifest(), stdin: pool1, okCodes: [1] })).stderr, WEBHOOK_DOWN);

  // An earlier attempt (or an add-on that ships 3.4) upgraded without --wait: new pods, not up yet.
  const byHand = cmd(sh`sudo microk8s helm3 upgrade openebs openebs/openebs -n openebs --version ${v.OPENEBS_CHART_VERSION} --reuse-values`);
  assert.equal((await run(deps, t, byHand)).code, 0);
  assert.notEqual(v.unavailableDeployments((await run(deps, t, v.listOpenebsDeployments())).stdout).unavailable.length, 0);
  assert.deepEqual(await createCstorVolumeActivities(deps).upgradeOpenebsRelease(t, 30_000), { changed: false, detail: `openebs chart ${v.OPENEBS_CHART_VERSION}` });
  assert.deepEqual(v.unavailableDeployments((await run(deps, t, v.listOpenebsDeployments())).stdout), { total: 5, unavailable: [] });
  // The webhook now answers: the (deliberately bad) pool is judged on its merits, not refused unheard.
  const judged = await run(deps, t, { ...st.applyManifest(), stdin: pool1, okCodes: [1] });
  assert.match(judged.stderr, /admission webhook "admission-webhook\.cstor\.openebs\.io" denied the request: .*blockdevice-nope/);
});
