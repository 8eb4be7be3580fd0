// replace-node on a 3-manager + 1-worker simulated site: a manager (one holding volume replicas) powered off for good, a fifth machine (two block
// devices: the one question a person must answer) takes its place; the worker is killed -9 mid-way and a second
// worker finishes. The end: 3 voters, every node Ready, the dead node gone from Kubernetes, dqlite and every
// /etc/hosts, the cStor pool ONLINE on every node of the site, the chart healthy, and no side effect twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { HealthFaults, startFleet, type Fleet } from '../../src/sim';
import { parseSiteSpec } from '../../src/site/load';
import { startInstall } from '../../src/client/installs';
import { startReplaceNode } from '../../src/client/replace-node';
import { runDoctor } from '../../src/client/doctor';
import { UserError } from '../../src/client/errors';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import type { GroupProcess } from '../../src/stack/process-group';
import { installerBundle } from '../../src/worker/worker';
import { chooseBlockDeviceUpdate, resolveFailureUpdate, type InstallStatus, type Question } from '../../src/workflows/api';
import { RELEASE } from '../../src/activities/commands/chart';
import { recordHistory, testDataConverter, waitForQuestion } from '../helpers/install';
import { eventually } from '../helpers/sim';
import { killWorker, startWorkerProcess } from '../helpers/worker-process';

let server: DevServer;
let connection: Connection;
let client: Client;
let fleet: Fleet;
let dir: string;
const workers: GroupProcess[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replace-node-'));
  server = await startDevServer({ uiPort: false });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace, dataConverter: testDataConverter() });
  writeFileSync(join(dir, 'bundle.js'), (await installerBundle()).code);
  fleet = await startFleet({ nodes: 5, site: 'replaced', seed: 52, severalBlockDevices: [4], specOverrides: { tls: { mode: 'self-signed' }, doctor: { every: 'off' } } });
});
after(async () => {
  for (const w of workers) await killWorker(w).catch(() => undefined);
  await fleet?.stop();
  await connection?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const worker = async () => {
  const w = await startWorkerProcess({ address: server.address, namespace: server.namespace, bundleFile: join(dir, 'bundle.js'), logFile: join(dir, 'worker.log') });
  workers.push(w);
  return w;
};

test('replace-node: a dead manager replaced by a fifth machine, its worker killed -9 mid-way', { timeout: 1_200_000 }, async () => {
  const a = await worker();
  const full = fleet.spec;
  const installed = await (await startInstall(client, parseSiteSpec({ ...full, nodes: full.nodes.slice(0, 4) }))).result() as InstallStatus;
  assert.equal(installed.state, 'completed');

  // A manager holding cStor volume replicas dies for good: its machine is off, its pool with it.
  const c = fleet.clusterOf('k8s-vm-1')!;
  const holders = new Set(c.store.list('CStorVolumeReplica', 'openebs').map((r) => r.metadata.labels?.['cstorpoolinstance.openebs.io/hostname']));
  assert.ok(holders.has('k8s-vm-2') || holders.has('k8s-vm-3'), `the chart's volumes have replicas on k8s-vm-2 or k8s-vm-3 (${[...holders].join(', ')})`);
  const dead = holders.has('k8s-vm-2') ? 'k8s-vm-2' : 'k8s-vm-3';
  const deadAt = full.nodes.findIndex((n) => n.name === dead);
  const spec = parseSiteSpec({ ...full, nodes: full.nodes.slice(0, 4).map((n, i) => (i === deadAt ? full.nodes[4] : n)) });

  // While it still runs, the node is not removed: a person is asked, and an abort leaves everything as it was.
  const early = await startReplaceNode(client, spec, dead, 'k8s-vm-5');
  const still = await waitForQuestion(early, (x) => x.kind === 'failure', 300_000);
  assert.equal(still.step, 'cluster:remove-node');
  assert.match(still.prompt, new RegExp(`${dead} is still Ready: replace-node removes only a node that is gone`));
  await early.executeUpdate(resolveFailureUpdate, { args: [{ step: still.step!, action: 'abort' }] });
  await assert.rejects(early.result(), (e: Error & { cause?: Error }) => /aborted at cluster:remove-node/.test(e.cause?.message ?? ''));
  assert.deepEqual([fleet.effects().filter((e) => /remove-node/.test(e.effect ?? '')), fleet.effects('k8s-vm-5')], [[], []]);

  const faults = new HealthFaults(fleet);
  await faults.powerOff(dead);
  faults.poolOffline(dead);
  faults.replicaPhase(dead, 'Offline');
  const lost = new Set(c.store.list('CStorVolumeReplica', 'openebs')
    .filter((r) => r.metadata.labels?.['cstorpoolinstance.openebs.io/hostname'] === dead).map((r) => r.metadata.labels!['cstorvolume.openebs.io/name']));
  assert.ok(lost.size > 0);

  // The spec names k8s-vm-5 in the dead node's place; a spec still naming the dead node is refused before anything starts.
  await assert.rejects(startReplaceNode(client, parseSiteSpec({ ...full, nodes: full.nodes.slice(0, 4) }), dead, 'k8s-vm-5'),
    (e: Error) => e instanceof UserError && e.message.includes(`${dead} is still in nodes[]`));

  const handle = await startReplaceNode(client, spec, dead, 'k8s-vm-5');
  const asked = new Map<string, Question>();
  let chosen = '';
  let done: InstallStatus | undefined;
  // Every question ever pending, read while the run goes on (one query at a time, the last awaited before the end).
  let polling: Promise<void> = Promise.resolve();
  const watch = setInterval(() => {
    polling = polling.then(async () => {
      const s = await handle.query<InstallStatus>('status').catch(() => undefined);
      for (const q of s?.questions ?? []) asked.set(q.id, q);
    });
  }, 200);
  try {
    // Mid-way: the dead node is out of the cluster and the new machine is being prepared.
    await eventually(async () => fleet.effects('k8s-vm-1').some((e) => e.effect === `microk8s remove-node ${dead}`)
      && fleet.effects('k8s-vm-5').length > 0, 600_000, 20);
    assert.ok(!fleet.effects('k8s-vm-5').some((e) => /^microk8s join/.test(e.effect ?? '')), 'killed before k8s-vm-5 joined');
    await killWorker(a);
    const b = await worker();
    // The one question a person must answer: which of k8s-vm-5's two block devices holds the pool.
    const q = await eventually(async () => [...asked.values()].find((x) => x.kind === 'blockDevice'), 600_000, 100);
    assert.equal(q.node, 'k8s-vm-5');
    assert.equal(q.options?.length, 2);
    chosen = q.options![1];
    await handle.executeUpdate(chooseBlockDeviceUpdate, { args: [{ node: 'k8s-vm-5', blockDevice: chosen }] });
    // Mid-rebuild: a replica on k8s-vm-5's new pool is reconstructing from the others when the worker dies.
    const rebuilding = await eventually(async () => c.store.list('CStorVolumeReplica', 'openebs').find((r) =>
      r.metadata.labels?.['cstorpoolinstance.openebs.io/hostname'] === 'k8s-vm-5' && (r.status as { phase: string }).phase === 'ReconstructingNewReplica'), 600_000, 10);
    await killWorker(b);
    assert.equal((rebuilding.status as { phase: string }).phase, 'ReconstructingNewReplica', 'killed while a replica was rebuilding');
    await worker();
    done = await handle.result() as InstallStatus;
    await recordHistory(client, handle.workflowId, 'replace-node_v2');
    assert.equal(done.state, 'completed', done.lastError);
  } finally {
    clearInterval(watch);
    await polling;
  }
  assert.deepEqual([...asked.values()].map((x) => x.kind), ['blockDevice'], 'no question but the block device');

  const names = spec.nodes.map((n) => n.name).sort();
  const voters = [...c.members.values()].filter((m) => m.role === 'voter').map((m) => m.node.name).sort();
  assert.deepEqual(voters, ['k8s-vm-1', 'k8s-vm-2', 'k8s-vm-3', 'k8s-vm-5'].filter((n) => n !== dead), '3 voters, the dead one gone');
  assert.deepEqual([...c.kubeNodes.keys()].sort(), names);
  for (const n of names) assert.ok(c.nodeReady(c.kubeNodes.get(n)!), `${n} Ready`);
  const pools = c.store.list('CStorPoolInstance', 'openebs').map((i) => `${(i.spec as { hostName: string }).hostName} ${(i.status as { phase: string }).phase}`).sort();
  assert.deepEqual(pools, names.map((n) => `${n} ONLINE`));
  const cspc = c.store.get('CStorPoolCluster', 'openebs', 'cstor-storage')!.spec as { pools: { nodeSelector: Record<string, string>; dataRaidGroups: { blockDevices: { blockDeviceName: string }[] }[] }[] };
  assert.deepEqual(cspc.pools.map((p) => `${p.nodeSelector['kubernetes.io/hostname']}`), spec.nodes.map((n) => n.name), 'the dead node\'s pool now on k8s-vm-5');
  assert.equal(cspc.pools[deadAt].dataRaidGroups[0].blockDevices[0].blockDeviceName, chosen, 'on the device the person chose');
  assert.equal(c.releases.get(RELEASE)?.status, 'deployed');
  // Every volume has its three replicas again, all Healthy, on live pools: those that lost one to the dead pool
  // rebuilt it on k8s-vm-5's. Read from the cluster's objects (CVC spec and status, CVRs, CStorVolumes).
  const hostOf = new Map(c.store.list('CStorPoolInstance', 'openebs').map((i) => [i.metadata.name, (i.spec as { hostName: string }).hostName]));
  const volumes = c.store.list('CStorVolume', 'openebs');
  assert.ok(volumes.length > 0);
  for (const v of volumes) {
    const pv = v.metadata.name;
    assert.equal((v.status as { phase: string }).phase, 'Healthy', `${pv} Healthy`);
    const replicas = c.store.list('CStorVolumeReplica', 'openebs', { 'cstorvolume.openebs.io/name': pv });
    const hosts = replicas.map((r) => `${hostOf.get(r.metadata.labels!['cstorpoolinstance.openebs.io/name']) ?? 'no live pool'} ${(r.status as { phase: string }).phase}`).sort();
    assert.equal(new Set(hosts).size, 3, `${pv}: three replicas on three pools (${hosts.join(', ')})`);
    for (const h of hosts) assert.match(h, new RegExp(`^(${names.join('|')}) Healthy$`), `${pv}: ${h}`);
    if (lost.has(pv)) assert.ok(hosts.includes('k8s-vm-5 Healthy'), `${pv} rebuilt its lost replica on k8s-vm-5 (${hosts.join(', ')})`);
    const cvc = c.store.get('CStorVolumeConfig', 'openebs', pv)!;
    const want = (cvc.spec as { policy: { replicaPoolInfo: { poolName: string }[] } }).policy.replicaPoolInfo.map((p) => p.poolName).sort();
    assert.deepEqual(want, replicas.map((r) => r.metadata.labels!['cstorpoolinstance.openebs.io/name']).sort(), `${pv}: replicaPoolInfo names its live pools`);
    assert.deepEqual([...(cvc.status as { poolInfo: string[] }).poolInfo].sort(), want, `${pv}: the controller serves them`);
  }
  for (const n of names) {
    const hosts = fleet.node(n).state.files.get('/etc/hosts')?.content ?? '';
    assert.match(hosts, /^\S+ k8s-vm-5$/m, `${n} resolves k8s-vm-5`);
    assert.doesNotMatch(hosts, new RegExp(`${dead}$`, 'm'), `${n} forgot ${dead}`);
  }
  // doctor after the replacement reads the site as it is now: k8s-vm-5 (its pinned key), not the dead node.
  const report = await runDoctor(client, 'replaced');
  const checked = new Set(report.checks.map((x) => x.node).filter(Boolean));
  assert.deepEqual([...checked].sort(), names, JSON.stringify(report.checks.filter((x) => x.level !== 'ok')));
  assert.match(report.checks.find((x) => x.check === 'ssh' && x.node === 'k8s-vm-5')!.value, /SHA256:.*\(pinned\)/);
  assert.deepEqual(report.checks.filter((x) => x.level !== 'ok').map((x) => `${x.check}@${x.node ?? ''}: ${x.value}`), [], 'every check ok');
  // Each side effect once, the kill notwithstanding: one removal, one join, one pool move.
  assert.deepEqual(fleet.duplicateEffects(), []);
  assert.equal(fleet.effects().filter((e) => /remove-node/.test(e.effect ?? '')).length, 1);
  assert.equal(fleet.effects('k8s-vm-5').filter((e) => /^microk8s join .* as control-plane$/.test(e.effect ?? '')).length, 1);
});
