// reset survives a worker kill -9 in the middle: the worker (the real CLI, `kloudspot-installer worker`, in its own
// process group) is killed while a `microk8s leave` runs on a node; a new worker takes over, the reset completes,
// and the simulator's audit log shows no effect of the reset twice. The nodes end as fresh ones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim';
import { confirmReset, startInstall } from '../../src/client/installs';
import { finish, waitForQuestion } from '../helpers/install';
import { machineState, unitSettled } from '../helpers/fresh-compare';
import { killWorker, startWorkerProcessEnv, type WorkerProcessEnv } from '../helpers/worker-process';
import { NETPLAN_RESET_UNIT } from '../../src/activities/commands/netplan';

let env: WorkerProcessEnv;
const fleets: Fleet[] = [];
// The host keys the install pinned must outlive the killed worker, as on a real deployment.
const startWorker = (identity: string) =>
  env.startWorker(identity, { logLevel: 'WARN', env: { KLOUDSPOT_KNOWN_HOSTS_FILE: join(env.dir, 'known-hosts.json') } });

before(async () => { env = await startWorkerProcessEnv('reset-kill'); });
after(async () => {
  await Promise.all(fleets.map((f) => f.stop()));
  await env?.stop();
});

test('reset with the worker killed (-9) while a node leaves the cluster completes with no effect twice', { timeout: 480_000 }, async () => {
  const options = { nodes: [{}, {}, {}, { role: 'worker' as const }], site: 'reset-kill', seed: 23, specOverrides: { tls: { mode: 'self-signed' as const } } };
  const fleet = await startFleet(options);
  fleets.push(fleet);
  const a = await startWorker('worker-a');
  assert.equal((await finish(await startInstall(env.client, fleet.spec), 400_000)).state, 'completed');

  const mark = fleet.audit().length;
  const reset = await startInstall(env.client, fleet.spec, 'resetSite');
  await waitForQuestion(reset, (q) => q.kind === 'confirmReset');
  await confirmReset(env.client, fleet.spec.site, { answer: 'confirm' });
  // Kill while a leave runs on a node: the command is cut or finishes without its activity's answer.
  const deadline = Date.now() + 120_000;
  let during: string | undefined;
  while (!during) {
    during = fleet.audit().slice(mark).find((e) => e.command.includes('microk8s leave') && e.end === null)?.node;
    if (Date.now() > deadline) throw new Error('no microk8s leave was seen running');
    await new Promise((r) => setTimeout(r, 5));
  }
  await killWorker(a);
  const killedAt = fleet.audit().length;
  await startWorker('worker-b');
  assert.equal((await finish(reset, 300_000)).state, 'completed');
  await unitSettled(fleet.machines, NETPLAN_RESET_UNIT);

  const effects = fleet.effectKeys().filter((e) => e.seq > mark);
  const counts = new Map<string, number>();
  for (const e of effects) counts.set(`${e.node} ${e.effect}`, (counts.get(`${e.node} ${e.effect}`) ?? 0) + 1);
  assert.deepEqual([...counts].filter(([, c]) => c > 1), [], 'no effect of the reset happened twice');
  assert.ok(fleet.audit().slice(killedAt).some((e) => e.command.includes('microk8s leave') || e.command.includes('remove-node')),
    'the new worker carried on with the cluster steps');
  assert.deepEqual(effects.filter((e) => e.effect.startsWith('microk8s leave')).map((e) => e.node), ['k8s-vm-4', 'k8s-vm-3', 'k8s-vm-2']);
  const fresh = await startFleet({ ...options, site: 'fresh-kill', firstAddress: fleet.machines[0].address });
  try {
    fleet.machines.forEach((m, i) => assert.deepEqual(machineState(m), machineState(fresh.machines[i], m.hostname), `${m.name} is back to a fresh machine`));
  } finally {
    await fresh.stop();
  }
  console.log(`killed during microk8s leave on ${during}; ${effects.length} reset effects, none twice`);
});
