// One simulated site, installed once, then: its cStor serves 3-replica volumes (the OpenEBS release moved past
// cStor 3.3, which cannot make their PodDisruptionBudget on Kubernetes 1.25+); and a re-run with a pending
// kernel update upgrades and reboots the nodes already in the cluster one at a time (drain, reboot, Ready,
// uncordon, voters back), never two at once, judged from the simulator's audit; with upgrades.clusterNodes:
// skip they are not upgraded or rebooted at all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { pendingUpgrades } from '../../src/sim/node-defaults';
import { makeCertificate } from '../../src/client/certs';
import { startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import { startInstallEnv, waitForQuestion, type InstallEnv } from '../helpers/install';
import { connect, eventually } from '../helpers/sim';

let env: InstallEnv;
let fleet: Fleet;
before(async () => {
  env = await startInstallEnv();
  fleet = await startFleet({ nodes: 3, site: 'installed', seed: 21 });
  const first = await startInstall(env.client, fleet.spec);
  await waitForQuestion(first, (q) => q.kind === 'certificate');
  await first.signal(api.uploadCertificateSignal, makeCertificate(fleet.spec.dnsHostname));
  assert.equal((await first.result() as api.InstallStatus).state, 'completed');
});
after(async () => {
  await fleet?.stop();
  await env?.stop();
});

const claim = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' },
  spec: { storageClassName: 'cstor-csi', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } });

test('the installed pool provisions a 3-replica cStor volume; the install proved it with a throw-away one', { timeout: 120_000 }, async () => {
  const c = await connect(fleet, 'k8s-vm-1');
  try {
    assert.equal((await c.run('sudo microk8s kubectl apply -f -', claim('app-data'))).code, 0);
    let cvc = '';
    await eventually(async () => {
      const pvc = JSON.parse((await c.run('sudo microk8s kubectl -n default get pvc app-data -o json')).stdout) as { spec: { volumeName?: string }; status?: { phase?: string } };
      if (pvc.status?.phase !== 'Bound' || !pvc.spec.volumeName) return false;
      cvc = (await c.run(`sudo microk8s kubectl -n openebs get cvc ${pvc.spec.volumeName} -o json`)).stdout;
      return (JSON.parse(cvc) as { status?: { phase?: string } }).status?.phase === 'Bound';
    }, 20_000, 100).catch(() => assert.fail(`the 3-replica volume never bound: ${cvc}`));

    const keys = fleet.effectKeys().map((e) => e.effect);
    assert.ok(keys.some((e) => /^helm upgrade openebs\/openebs openebs\/openebs 3\.4\.0 revision 2$/.test(e)), 'the OpenEBS release moved to chart 3.4.0 (cStor 3.4.0)');
    assert.ok(keys.some((e) => e.startsWith('kubectl apply persistentvolumeclaim/default/kloudspot-cstor-probe ')), 'a probe claim was made');
    assert.ok(keys.includes('kubectl delete persistentvolumeclaim/default/kloudspot-cstor-probe'), 'the probe was deleted');

    // The simulator's cStor 3.3 on Kubernetes 1.32, for the record: the claim binds, its CVC stays Pending with the controller's event.
    const release = fleet.clusterOf('k8s-vm-1')!.releases.get('openebs')!;
    release.chartVersion = '3.3.1';
    assert.equal((await c.run('sudo microk8s kubectl apply -f -', claim('old-cstor'))).code, 0);
    const pv = await eventually(async () => (JSON.parse((await c.run('sudo microk8s kubectl -n default get pvc old-cstor -o json')).stdout) as { spec: { volumeName?: string } }).spec.volumeName, 20_000, 100);
    const events = await eventually(async () => {
      const list = JSON.parse((await c.run('sudo microk8s kubectl -n openebs get events -o json')).stdout) as { items: { involvedObject: { name: string }; reason: string; message: string }[] };
      return list.items.find((e) => e.involvedObject.name === pv);
    }, 5_000, 100);
    assert.equal(events.reason, 'Provisioning');
    assert.match(events.message, new RegExp(`^failed to create PDB for volume: ${pv}: failed to list PDB belongs to pools with selector openebs\\.io/cstor-storage-\\w+=true(,openebs\\.io/cstor-storage-\\w+=true){2}: the server could not find the requested resource$`));
    assert.equal((JSON.parse((await c.run(`sudo microk8s kubectl -n openebs get cvc ${pv} -o json`)).stdout) as { status: { phase: string } }).status.phase, 'Pending');
    release.chartVersion = '3.4.0';
    for (const n of ['old-cstor', 'app-data']) assert.equal((await c.run(`sudo microk8s kubectl -n default delete pvc ${n}`)).code, 0);
  } finally {
    c.close();
  }
});

/** Per node, the spans it was out of service: cordoned (cordon to uncordon) or rebooting (the sim's reboot entry). */
function outOfService(fleet: Fleet, fromSeq: number): { node: string; from: number; to: number; what: string }[] {
  const spans: { node: string; from: number; to: number; what: string }[] = [];
  const entries = fleet.audit().filter((e) => e.seq > fromSeq);
  const cordonedAt = new Map<string, number>();
  for (const e of entries) {
    for (const effect of e.effects) {
      const m = /^kubectl (cordon|uncordon) (\S+)$/.exec(effect);
      if (m?.[1] === 'cordon') cordonedAt.set(m[2], e.start);
      if (m?.[1] === 'uncordon') {
        spans.push({ node: m[2], from: cordonedAt.get(m[2]) ?? -Infinity, to: e.end ?? Infinity, what: 'cordoned' });
        cordonedAt.delete(m[2]);
      }
    }
    if (e.source === 'fault' && e.command.startsWith('(reboot')) spans.push({ node: e.node, from: e.start, to: e.end ?? Infinity, what: 'rebooting' });
  }
  for (const [node, from] of cordonedAt) spans.push({ node, from, to: Infinity, what: 'cordoned (never uncordoned)' });
  return spans;
}

test('re-run with a pending kernel update: one node at a time drained and rebooted; skip leaves them alone', { timeout: 400_000 }, async () => {
  // A kernel update arrives on every node.
  for (const n of fleet.fleetNodes) n.state.pending = pendingUpgrades(23);
  const mark = fleet.audit().at(-1)!.seq;
  const again = await startInstall(env.client, fleet.spec);
  assert.equal((await again.result() as api.InstallStatus).state, 'completed');

  const spans = outOfService(fleet, mark);
  const rebooted = new Set(spans.filter((s) => s.what === 'rebooting').map((s) => s.node));
  assert.deepEqual([...rebooted].sort(), ['k8s-vm-1', 'k8s-vm-2', 'k8s-vm-3'], 'every node was upgraded and rebooted');
  for (const a of spans) {
    for (const b of spans) {
      if (a.node === b.node) continue;
      assert.ok(a.to < b.from || b.to < a.from, `${a.node} ${a.what} [${a.from}, ${a.to}] overlaps ${b.node} ${b.what} [${b.from}, ${b.to}]`);
    }
  }
  assert.deepEqual(spans.filter((s) => s.what.startsWith('cordoned')).map((s) => s.what), ['cordoned', 'cordoned', 'cordoned'], 'each drained, then uncordoned');
  // Each drain was cordoned before its node went down and uncordoned after it came back.
  for (const node of rebooted) {
    const c = spans.find((s) => s.node === node && s.what === 'cordoned')!;
    const r = spans.find((s) => s.node === node && s.what === 'rebooting')!;
    assert.ok(c.from < r.from && r.to < c.to, `${node}: rebooted inside its drain`);
  }

  // The site chooses to leave its cluster nodes alone: no upgrade, no reboot.
  for (const n of fleet.fleetNodes) n.state.pending = pendingUpgrades(23);
  const mark2 = fleet.audit().at(-1)!.seq;
  const skipped = await startInstall(env.client, { ...fleet.spec, upgrades: { clusterNodes: 'skip' } });
  assert.equal((await skipped.result() as api.InstallStatus).state, 'completed');
  const later = fleet.audit().filter((e) => e.seq > mark2);
  assert.deepEqual(later.filter((e) => e.source === 'fault' || e.effects.some((x) => /^apt |^kubectl (un)?cordon/.test(x))).map((e) => `${e.node}: ${e.effect ?? e.command}`), []);
});
