// The simulator's answers to what doctor and support-bundle read that no install step does, over real SSH with
// the installer's own builders and parsers: snap's refresh hold (snapd's texts), microk8s inspect (a real
// tarball whose path it prints), dqlite's files, journalctl, base64, and kubectl -o jsonpath on a missing Secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { parseRefreshTimes, parseSnapHeld, refreshTimes, listMicrok8sSnap } from '../../src/activities/commands/snap';
import { inspect, parseInspectReport, removeInspectReport } from '../../src/activities/commands/microk8s';
import { readFile, readFileBase64 } from '../../src/activities/commands/files';
import { microk8sJournal } from '../../src/activities/commands/systemd';
import { readTlsCertificate } from '../../src/activities/commands/chart';
import { unpackTarGz } from '../../src/bundle/tar';
import { connectAll, closeAll, type SimClient } from '../helpers/sim';

let fleet: Fleet;
let c: Record<string, SimClient>;
const run = (cmd: { command: string }) => c['k8s-vm-1'].run(cmd.command);

before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 25 });
  c = await connectAll(fleet);
  assert.equal((await c['k8s-vm-1'].run('sudo snap install microk8s --classic --channel=1.32/stable')).code, 0);
});
after(async () => {
  if (c) closeAll(c);
  await fleet?.stop();
});

test('snap refresh --time, --hold, --unhold and snap list\'s held, as snapd prints them', async () => {
  const none = await run(refreshTimes());
  assert.match(none.stdout, /^timer: 00:00~24:00\/4\nlast: \d{4}-\d\d-\d\dT[\d:]+Z\nnext: \d{4}-\d\d-\d\dT[\d:]+Z\n$/);
  assert.deepEqual(parseRefreshTimes(none.stdout), { kind: 'none' });
  assert.match((await run({ command: 'snap refresh --hold' })).stderr, /^error: access denied \(try with sudo\)/);
  assert.equal((await run({ command: 'sudo snap refresh --hold' })).stdout, 'Auto-refresh of all snaps held indefinitely\n');
  const held = await run(refreshTimes());
  assert.match(held.stdout, /\nhold: forever\nnext: .* \(but held\)\n$/);
  assert.deepEqual(parseRefreshTimes(held.stdout), { kind: 'forever' });
  assert.match((await run({ command: 'snap refresh --time' })).stdout, /^last: today at \d\d:\d\d UTC$/m, 'relative times without --abs-time');
  const d = await run({ command: 'sudo snap refresh --hold=48h microk8s' });
  assert.match(d.stdout, /^General refreshes of "microk8s" held until \d{4}-\d\d-\d\dT[\d:]+Z\n$/);
  assert.equal(parseSnapHeld((await run(listMicrok8sSnap())).stdout), true);
  assert.match((await run({ command: 'sudo snap refresh --hold=soon' })).stderr, /hold value must be a number of hours, minutes or seconds, or "forever"/);
  assert.equal((await run({ command: 'sudo snap refresh --unhold' })).stdout, 'Removed auto-refresh hold on all snaps\n');
  assert.deepEqual(parseRefreshTimes((await run(refreshTimes())).stdout), { kind: 'none' });
});

test('microk8s inspect writes a real tarball and prints its path; base64, removal; dqlite files; journal; missing Secret', async () => {
  const r = await run(inspect());
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Inspecting system\nInspecting Certificates\nInspecting services\n {2}Service snap\.microk8s\.daemon-cluster-agent is running\n/);
  const path = parseInspectReport(r.stdout);
  const bytes = Buffer.from((await run(readFileBase64(path))).stdout, 'base64');
  const names = unpackTarGz(bytes).map((e) => e.name);
  assert.ok(names.includes('inspection-report/snap.microk8s.daemon-kubelite/journal.log'));
  const clusterYaml = unpackTarGz(bytes).find((e) => e.name === 'inspection-report/dqlite/cluster.yaml')!.data.toString();
  assert.match(clusterYaml, /^- Address: [\d.]+:19001\n {2}ID: \d+\n {2}Role: 0\n$/);
  assert.equal((await run(readFile('/var/snap/microk8s/current/var/kubernetes/backend/cluster.yaml'))).stdout, clusterYaml);
  assert.match((await run(readFile('/var/snap/microk8s/current/var/kubernetes/backend/info.yaml'))).stdout, /^Address: [\d.]+:19001\nID: \d+\nRole: 0\n$/);
  assert.equal((await run(removeInspectReport(path))).code, 0);
  assert.equal((await run(readFileBase64(path))).code, 1, 'the report is gone');
  assert.match((await run(microk8sJournal(100))).stdout, /^\w{3} \d\d [\d:]{8} \S+ systemd\[1\]: Started Service for snap application microk8s\.daemon-cluster-agent\.$/m);
  assert.match((await run({ command: 'sudo microk8s inspect' })).stdout, /Report tarball is at/);
  const secret = await run(readTlsCertificate());
  assert.equal(secret.code, 1);
  assert.equal(secret.stderr, 'Error from server (NotFound): secrets "kloudspot-tls" not found\n');
});
