// A re-run on an installed site with a pending kernel update: the nodes already in the cluster are upgraded and
// rebooted one at a time (drain, reboot, Ready, uncordon, voters back), never two at once, judged from the
// simulator's audit; with upgrades.clusterNodes: skip they are not upgraded or rebooted at all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { pendingUpgrades } from '../../src/sim/node-defaults';
import { makeCertificate } from '../../src/client/certs';
import { startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import { startInstallEnv, waitForQuestion, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

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
  const fleet = await startFleet({ nodes: 3, site: 'rolling', seed: 21 });
  try {
    const first = await startInstall(env.client, fleet.spec);
    await waitForQuestion(first, (q) => q.kind === 'certificate');
    await first.signal(api.uploadCertificateSignal, makeCertificate(fleet.spec.dnsHostname));
    assert.equal((await first.result() as api.InstallStatus).state, 'completed');

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
  } finally {
    await fleet.stop();
  }
});
