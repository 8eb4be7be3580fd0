// doctor on an installed 4-node site (3 managers, 1 worker) over real SSH to simulated nodes: a healthy site is
// all ok and changes nothing; each injected field fault turns exactly its own check to warn or fail, with the
// measured value; the CLI's exit code follows the verdict. With a backup Schedule, the newest backup's age is a check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthFaults, startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { runDoctor } from '../../src/client/doctor';
import { removeBackupSchedule, runBackup, scheduleBackup } from '../../src/client/backup';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DoctorReport, HealthCheck } from '../../src/workflows/api';
import { finish, startInstallEnv, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
let fleet: Fleet;
let faults: HealthFaults;
const SITE = 'checkup';

before(async () => {
  env = await startInstallEnv();
  fleet = await startFleet({ nodes: 4, site: SITE, seed: 20, specOverrides: { tls: { mode: 'self-signed' } } });
  faults = new HealthFaults(fleet);
  const installed = await finish(await startInstall(env.client, fleet.spec), 300_000);
  assert.equal(installed.state, 'completed');
});
after(async () => { await fleet?.stop(); await env?.stop(); });

const key = (c: HealthCheck) => `${c.check}${c.node ? `@${c.node}` : ''}`;
const notOk = (r: DoctorReport) => r.checks.filter((c) => c.level !== 'ok').map((c) => `${key(c)}=${c.level}`).sort();
const find = (r: DoctorReport, check: string, node?: string) => r.checks.find((c) => c.check === check && c.node === node)!;

/** Runs doctor and checks that it changed nothing on any node (the simulator's audit of side effects). */
async function doctor(): Promise<DoctorReport> {
  const before = fleet.effects().length;
  const r = await runDoctor(env.client, SITE);
  assert.deepEqual(fleet.effects().slice(before).map((e) => `${e.node}: ${e.effect} (${e.command})`), [], 'doctor changed nothing');
  return r;
}

test('a healthy site: every check ok, with its value; nothing changed on any node', { timeout: 120_000 }, async () => {
  const r = await doctor();
  assert.deepEqual(notOk(r), [], JSON.stringify(r.checks, null, 1));
  assert.equal(r.verdict, 'ok');
  const kinds = new Set(r.checks.map((c) => c.check));
  for (const k of ['ssh', 'microk8s', 'certificates', 'disk-root', 'disk-vg', 'datastore-size', 'clock-skew', 'nodes-ready', 'voters', 'virtual-ip', 'pools', 'pods',
    'volume-replicas', 'ingress-certificate', 'refresh-hold']) {
    assert.ok(kinds.has(k), `check ${k} present`);
  }
  assert.match(find(r, 'voters').value, /^3 of 3 voters: /);
  assert.match(find(r, 'certificates', 'k8s-vm-1').value, /server\.crt expires in 36[45] days/);
  assert.match(find(r, 'nodes-ready').value, /4 of 4 Ready/);
  assert.match(find(r, 'ssh', 'k8s-vm-2').value, /SHA256:.*\(pinned\)/, 'the host key the install pinned is checked');
  assert.match(find(r, 'volume-replicas').value, /^[1-9]\d* volumes Healthy, [1-9]\d* replicas Healthy$/);
  assert.match(find(r, 'ingress-certificate').value, /self-signed/);
  assert.equal(find(r, 'refresh-hold', 'k8s-vm-4').value, 'microk8s held (snap list: held)');
  // The worker's per-node checks are the node's, not the control plane's.
  assert.equal(find(r, 'certificates', 'k8s-vm-4'), undefined);
});

test('a certificate 10 days from its end fails; 30 days warns', { timeout: 120_000 }, async () => {
  faults.certificateEndsIn('k8s-vm-2', 'server.crt', 10);
  let r = await doctor();
  assert.deepEqual(notOk(r), ['certificates@k8s-vm-2=fail']);
  assert.match(find(r, 'certificates', 'k8s-vm-2').value, /server\.crt expires in (9|10) days/);
  assert.match(find(r, 'certificates', 'k8s-vm-2').action ?? '', /refresh-certs/);
  faults.certificateEndsIn('k8s-vm-2', 'server.crt', 30);
  r = await doctor();
  assert.deepEqual(notOk(r), ['certificates@k8s-vm-2=warn']);
  assert.equal(r.verdict, 'warn');
  faults.certificateEndsIn('k8s-vm-2', 'server.crt', -3);
  r = await doctor();
  assert.match(find(r, 'certificates', 'k8s-vm-2').value, /server\.crt expired [34] days ago/);
  faults.certificateEndsIn('k8s-vm-2', 'server.crt', 365);
});

test('a full root disk fails disk-root with the free space', { timeout: 120_000 }, async () => {
  faults.fillRoot('k8s-vm-3', 4);
  let r = await doctor();
  assert.deepEqual(notOk(r), ['disk-root@k8s-vm-3=fail']);
  assert.match(find(r, 'disk-root', 'k8s-vm-3').value, /GiB free of .* \(4(\.\d)?%\)/);
  faults.fillRoot('k8s-vm-3', 15);
  r = await doctor();
  assert.deepEqual(notOk(r), ['disk-root@k8s-vm-3=warn']);
  faults.fillRoot('k8s-vm-3', 80);
});

test('a lost voter fails voters with the count', { timeout: 120_000 }, async () => {
  faults.loseVoter('k8s-vm-3');
  try {
    const r = await doctor();
    assert.deepEqual(notOk(r), ['voters=fail']);
    assert.match(find(r, 'voters').value, /^2 of 3 voters/);
  } finally {
    fleet.clusterOf('k8s-vm-3')!.members.get('k8s-vm-3')!.role = 'voter';
  }
});

test('a pool instance offline fails pools, naming it and its node', { timeout: 120_000 }, async () => {
  faults.poolOffline('k8s-vm-2');
  try {
    const r = await doctor();
    assert.deepEqual(notOk(r), ['pools=fail']);
    assert.match(find(r, 'pools').value, /on k8s-vm-2: OFFLINE/);
  } finally {
    faults.poolOffline('k8s-vm-2', 'ONLINE');
  }
});

test('a clock 5 s off warns clock-skew', { timeout: 120_000 }, async () => {
  faults.clockOffset('k8s-vm-4', 5000);
  try {
    const r = await doctor();
    assert.deepEqual(notOk(r), ['clock-skew=warn']);
    assert.match(find(r, 'clock-skew').value, /^[45]\.\d{3} s between k8s-vm-4 and /);
  } finally {
    faults.clockOffset('k8s-vm-4', 0);
  }
});

test('a node powered off fails its ssh check and nodes-ready; back on, all ok again', { timeout: 180_000 }, async () => {
  await faults.powerOff('k8s-vm-4');
  let r = await doctor();
  assert.deepEqual(notOk(r), ['nodes-ready=fail', 'ssh@k8s-vm-4=fail']);
  assert.match(find(r, 'nodes-ready').value, /k8s-vm-4 NotReady/);
  await faults.powerOn('k8s-vm-4');
  r = await doctor();
  assert.deepEqual(notOk(r), []);
});

test('a cStor replica offline fails volume-replicas, naming the replica and its node', { timeout: 120_000 }, async () => {
  const cvr = fleet.clusterOf('k8s-vm-1')!.store.list('CStorVolumeReplica', 'openebs')[0];
  const node = cvr.metadata.labels!['cstorpoolinstance.openebs.io/hostname'];
  faults.replicaPhase(node, 'Offline');
  try {
    const r = await doctor();
    assert.deepEqual(notOk(r), ['volume-replicas=fail']);
    assert.match(find(r, 'volume-replicas').value, new RegExp(`volume pvc-[0-9a-f-]+ Degraded.*replica pvc-[0-9a-f-]+-cstor-storage-\\w+ on ${node}: Offline`));
  } finally {
    faults.replicaPhase(node, 'Healthy');
  }
});

test('an ingress TLS certificate 10 days from its end fails; 30 days warns', { timeout: 120_000 }, async () => {
  faults.ingressCertificateEndsIn('k8s-vm-1', fleet.spec.dnsHostname, 10);
  try {
    let r = await doctor();
    assert.deepEqual(notOk(r), ['ingress-certificate=fail']);
    assert.match(find(r, 'ingress-certificate').value, new RegExp(`^${fleet.spec.dnsHostname.replace(/\./g, '\\.')} expires in (9|10) days`));
    faults.ingressCertificateEndsIn('k8s-vm-1', fleet.spec.dnsHostname, 30);
    r = await doctor();
    assert.deepEqual(notOk(r), ['ingress-certificate=warn']);
  } finally {
    fleet.clusterOf('k8s-vm-1')!.store.delete('Secret', 'default', 'kloudspot-tls');
  }
});

test('a node without its snap refresh hold warns refresh-hold', { timeout: 120_000 }, async () => {
  faults.refreshHold('k8s-vm-2', false);
  try {
    const r = await doctor();
    assert.deepEqual(notOk(r), ['refresh-hold@k8s-vm-2=warn']);
    assert.match(find(r, 'refresh-hold', 'k8s-vm-2').value, /no refresh hold/);
  } finally {
    faults.refreshHold('k8s-vm-2', true);
  }
});

test('a grown datastore warns, then fails datastore-size; a full volume group warns disk-vg', { timeout: 120_000 }, async () => {
  faults.datastoreBytes('k8s-vm-1', 3 * 2 ** 30);
  let r = await doctor();
  assert.deepEqual(notOk(r), ['datastore-size@k8s-vm-1=warn']);
  assert.equal(find(r, 'datastore-size', 'k8s-vm-1').value, '3.0 GiB');
  faults.datastoreBytes('k8s-vm-1', 9 * 2 ** 30);
  r = await doctor();
  assert.deepEqual(notOk(r), ['datastore-size@k8s-vm-1=fail']);
  faults.datastoreBytes('k8s-vm-1', 183_500_800);
  const vg = fleet.node('k8s-vm-2').state.vg;
  const size = vg.sizeBytes;
  fleet.faults.smallDisk('k8s-vm-2', 2);
  try {
    r = await doctor();
    assert.deepEqual(notOk(r), ['disk-vg@k8s-vm-2=warn']);
    assert.match(find(r, 'disk-vg', 'k8s-vm-2').value, /: 2\.0 GiB free of /);
  } finally {
    vg.sizeBytes = size;
  }
});

test('the virtual IP silent fails virtual-ip; a pod not Ready fails pods', { timeout: 120_000 }, async () => {
  faults.virtualIpSilent('k8s-vm-1');
  try {
    const r = await doctor();
    assert.deepEqual(notOk(r), ['virtual-ip=fail']);
    assert.equal(find(r, 'virtual-ip').value, `${fleet.spec.virtualIp} does not answer`);
  } finally {
    faults.virtualIpSilent('k8s-vm-1', false);
  }
  faults.podNotReady('k8s-vm-1', 'redis-master-0');
  try {
    const r = await doctor();
    assert.deepEqual(notOk(r), ['pods=fail']);
    assert.match(find(r, 'pods').value, /^1 not Ready: redis-master-0 \(Pending\)/);
  } finally {
    faults.podNotReady('k8s-vm-1', 'redis-master-0', false);
  }
});

test('another host key at a node fails its ssh check with both fingerprints', { timeout: 120_000 }, async () => {
  fleet.faults.wrongHostKey('k8s-vm-3');
  fleet.node('k8s-vm-3').server.dropAll('KILL');
  try {
    const r = await doctor();
    assert.deepEqual(notOk(r), ['ssh@k8s-vm-3=fail']);
    assert.match(find(r, 'ssh', 'k8s-vm-3').value, /host key/i);
  } finally {
    fleet.faults.wrongHostKey('k8s-vm-3', false);
    fleet.node('k8s-vm-3').server.dropAll('KILL');
  }
});

test('MicroK8s stopped on a manager fails its microk8s check (and, with its kubelet, nodes-ready)', { timeout: 120_000 }, async () => {
  faults.microk8sStopped('k8s-vm-2');
  try {
    const r = await doctor();
    assert.deepEqual(notOk(r), ['microk8s@k8s-vm-2=fail', 'nodes-ready=fail']);
    assert.equal(find(r, 'microk8s', 'k8s-vm-2').value, 'microk8s is not running');
  } finally {
    faults.microk8sStopped('k8s-vm-2', false);
  }
});

test('a backup Schedule with no backup, or only a late one, warns backup-age; a fresh backup is ok; no Schedule, no check', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kloudspot-doctor-backups-'));
  try {
    assert.ok(!(await doctor()).checks.some((c) => c.check === 'backup-age'), 'no backup Schedule: no backup-age check');
    await scheduleBackup(env.client, SITE, 24 * 3_600_000, { dir });
    let r = await doctor();
    assert.deepEqual(notOk(r), ['backup-age=warn']);
    assert.equal(find(r, 'backup-age').value, 'a backup every 24h is scheduled, but there is none');

    const m = await runBackup(env.client, SITE, { dir });
    r = await doctor();
    assert.deepEqual(notOk(r), []);
    assert.match(find(r, 'backup-age').value, new RegExp(`^newest ${m.takenAt} \\(0h old; a backup every 24h\\)$`));

    // The same backup, as if taken two days ago: the Schedule missed a run.
    const file = join(m.path, 'manifest.json');
    const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000).toISOString();
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), takenAt: twoDaysAgo }));
    r = await doctor();
    assert.deepEqual(notOk(r), ['backup-age=warn']);
    assert.match(find(r, 'backup-age').value, /^newest .* \(48h old; a backup every 24h\)$/);
    assert.match(find(r, 'backup-age').action ?? '', /kloudspot-installer backup <site>/);
  } finally {
    await removeBackupSchedule(env.client, SITE);
    rmSync(dir, { recursive: true, force: true });
  }
});
