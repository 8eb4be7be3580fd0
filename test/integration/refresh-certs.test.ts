// refresh-certs on a 3-manager simulated cluster whose certificates end in 10 days: every manager renewed one
// at a time (each node's renewal starts only after the previous node is Ready again), the datastore never has
// fewer than 2 voters up, and doctor's certificates check is ok afterwards. A re-run changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthFaults, startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { runDoctor } from '../../src/client/doctor';
import { startRefreshCerts } from '../../src/client/refresh-certs';
import type { RefreshCertsResult } from '../../src/workflows/api';
import { finish, startInstallEnv, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
let fleet: Fleet;
const SITE = 'renewed';

before(async () => {
  env = await startInstallEnv();
  fleet = await startFleet({ nodes: 3, site: SITE, seed: 22, specOverrides: { tls: { mode: 'self-signed' }, doctor: { every: 'off' } } });
  assert.equal((await finish(await startInstall(env.client, fleet.spec), 300_000)).state, 'completed');
  // The install holds snap refreshes (microk8s.refreshHold, branch field); where it does not yet, hold them as it will.
  for (const n of fleet.fleetNodes) if (!n.state.snapHolds.all) new HealthFaults(fleet).refreshHold(n.name, true);
});
after(async () => { await fleet?.stop(); await env?.stop(); });

/** Voters whose node is up and whose MicroK8s is running right now. */
function votersUp(): number {
  const c = fleet.clusterOf('k8s-vm-1')!;
  const now = Date.now();
  return [...c.members.values()].filter((m) => m.role === 'voter' && m.node.phase === 'up' && now >= m.node.microk8s.readyAt).length;
}

test('refresh-certs renews every manager one at a time and never has fewer than 2 voters up', { timeout: 600_000 }, async () => {
  const faults = new HealthFaults(fleet);
  const names = ['k8s-vm-1', 'k8s-vm-2', 'k8s-vm-3'];
  for (const n of names) for (const cert of ['server.crt', 'front-proxy-client.crt']) faults.certificateEndsIn(n, cert, 10);
  assert.equal((await runDoctor(env.client, SITE)).checks.filter((c) => c.check === 'certificates' && c.level === 'fail').length, 3);

  let min = Infinity;
  const samples: number[] = [];
  const watch = setInterval(() => { const v = votersUp(); samples.push(v); min = Math.min(min, v); }, 5);
  let result: RefreshCertsResult;
  try {
    result = await (await startRefreshCerts(env.client, SITE)).result() as RefreshCertsResult;
  } finally {
    clearInterval(watch);
  }
  assert.ok(samples.some((v) => v === 2), 'a voter was seen restarting (the watch saw the renewal)');
  assert.equal(min, 2, `voters up never below 2 (min ${min})`);
  assert.deepEqual(result.renewals.filter((r) => r.changed).map((r) => `${r.node} ${r.cert}`),
    names.flatMap((n) => [`${n} server.crt`, `${n} front-proxy-client.crt`]));

  // One at a time: node N+1's first renewal begins after node N's last one ended and N was Ready again.
  const renewals = fleet.effects().filter((e) => /^refresh-certs /.test(e.effect ?? ''));
  assert.deepEqual(renewals.map((e) => e.node), ['k8s-vm-1', 'k8s-vm-1', 'k8s-vm-2', 'k8s-vm-2', 'k8s-vm-3', 'k8s-vm-3']);
  for (let i = 2; i < renewals.length; i += 2) {
    const prevEnd = renewals[i - 1].end!;
    const prevNode = fleet.node(renewals[i - 1].node).state;
    assert.ok(renewals[i].start >= prevNode.microk8s.readyAt && renewals[i].start > prevEnd, `${renewals[i].node} started after ${renewals[i - 1].node} was back`);
  }

  const after = await runDoctor(env.client, SITE);
  assert.deepEqual(after.checks.filter((c) => c.level !== 'ok').map((c) => `${c.check}@${c.node ?? ''}`), []);
  const before = fleet.effects().length;
  const again = await (await startRefreshCerts(env.client, SITE)).result() as RefreshCertsResult;
  assert.ok(again.renewals.every((r) => !r.changed));
  assert.equal(fleet.effects().length, before, 'a re-run changes nothing');
});
