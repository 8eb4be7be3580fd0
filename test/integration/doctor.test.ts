// doctor on an installed 4-node site (3 managers, 1 worker) over real SSH to simulated nodes: a healthy site is
// all ok and changes nothing; each injected field fault turns exactly its own check to warn or fail, with the
// measured value; the CLI's exit code follows the verdict.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthFaults, startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { runDoctor } from '../../src/client/doctor';
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
  for (const k of ['ssh', 'microk8s', 'certificates', 'disk-root', 'disk-vg', 'datastore-size', 'clock-skew', 'nodes-ready', 'voters', 'virtual-ip', 'pools', 'pods']) {
    assert.ok(kinds.has(k), `check ${k} present`);
  }
  assert.match(find(r, 'voters').value, /^3 of 3 voters: /);
  assert.match(find(r, 'certificates', 'k8s-vm-1').value, /server\.crt expires in 36[45] days/);
  assert.match(find(r, 'nodes-ready').value, /4 of 4 Ready/);
  assert.match(find(r, 'ssh', 'k8s-vm-2').value, /SHA256:.*\(pinned\)/, 'the host key the install pinned is checked');
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
