// refresh-certs survives its worker being killed (SIGKILL to the worker's process group, no goodbye) mid-way:
// a second worker process picks the workflow up, every manager's server and front-proxy certificates end up
// renewed exactly once each, one node at a time, and the simulator's watch never sees fewer than 2 voters up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { HealthFaults, startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { startRefreshCerts } from '../../src/client/refresh-certs';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { ENV, ENV_ALIASES } from '../../src/worker/config';
import { installerBundle } from '../../src/worker/worker';
import type { InstallStatus, RefreshCertsResult } from '../../src/workflows/api';
import { CLI } from '../helpers/cli';
import { TEST_CODEC_KEY_FILE, testDataConverter } from '../helpers/install';
import { eventually } from '../helpers/sim';

let server: DevServer;
let connection: Connection;
let client: Client;
let fleet: Fleet;
let dir: string;
let bundleFile: string;
const workers: { child: ChildProcess; exited: Promise<NodeJS.Signals | number | null> }[] = [];

/** A `kloudspot-installer worker` in its own process group (detached), so a kill reaches it and its children. */
async function startWorker(identity: string) {
  const env = { ...process.env };
  for (const name of [...Object.values(ENV), ...Object.values(ENV_ALIASES)]) delete env[name];
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'worker', '--address', server.address, '--namespace', server.namespace, '--codec-key-file', TEST_CODEC_KEY_FILE,
    '--identity', identity, '--workflow-bundle', bundleFile, '--health-address', `127.0.0.1:${port}`, '--log-level', 'WARN'],
  { stdio: 'ignore', env, detached: true });
  const w = { child, exited: new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code))) };
  workers.push(w);
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, 120_000, 200);
  return w;
}
const killGroup = (child: ChildProcess) => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'refresh-crash-'));
  server = await startDevServer({ uiPort: false });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace, dataConverter: testDataConverter() });
  bundleFile = join(dir, 'workflow-bundle.js');
  writeFileSync(bundleFile, (await installerBundle()).code);
  fleet = await startFleet({ nodes: 3, site: 'recovered', seed: 24, specOverrides: { tls: { mode: 'self-signed' }, doctor: { every: 'off' } } });
});
after(async () => {
  for (const w of workers) killGroup(w.child);
  await Promise.all(workers.map((w) => w.exited));
  await fleet?.stop();
  await connection?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Voters whose node is up and whose MicroK8s is running right now (the simulator's view). */
function votersUp(): number {
  const c = fleet.clusterOf('k8s-vm-1')!;
  const now = Date.now();
  return [...c.members.values()].filter((m) => m.role === 'voter' && m.node.phase === 'up' && now >= m.node.microk8s.readyAt).length;
}

test('refresh-certs: its worker killed -9 mid-way, a new worker finishes; each certificate renewed once, never fewer than 2 voters', { timeout: 900_000 }, async () => {
  const a = await startWorker('crash-a');
  const installed = await (await startInstall(client, fleet.spec)).result() as InstallStatus;
  assert.equal(installed.state, 'completed');
  const faults = new HealthFaults(fleet);
  const names = ['k8s-vm-1', 'k8s-vm-2', 'k8s-vm-3'];
  for (const n of names) for (const cert of ['server.crt', 'front-proxy-client.crt']) faults.certificateEndsIn(n, cert, 10);

  let min = Infinity;
  const watch = setInterval(() => { min = Math.min(min, votersUp()); }, 5);
  const renewals = () => fleet.effects().filter((e) => /^refresh-certs /.test(e.effect ?? ''));
  try {
    const handle = await startRefreshCerts(client, 'recovered');
    // Mid-way: the first manager is done and the second has begun.
    await eventually(async () => renewals().some((e) => e.node === 'k8s-vm-2'), 300_000, 20);
    killGroup(a.child);
    assert.equal(await a.exited, 'SIGKILL');
    const killedAfter = renewals().length;
    assert.ok(killedAfter >= 3 && killedAfter < 6, `killed mid-way (${killedAfter} of 6 renewals done)`);
    await startWorker('crash-b');
    const result = await handle.result() as RefreshCertsResult;
    assert.equal(result.renewals.length, 6);
  } finally {
    clearInterval(watch);
  }
  assert.equal(min, 2, `voters up never below 2 (min ${min})`);
  // Exactly once each, node after node: a step re-run after the crash found its certificate fresh and left it.
  assert.deepEqual(renewals().map((e) => `${e.node} ${e.effect}`), names.flatMap((n) => [`${n} refresh-certs server.crt`, `${n} refresh-certs front-proxy-client.crt`]));
  for (const n of names) {
    for (const cert of ['server.crt', 'front-proxy-client.crt']) {
      const days = (fleet.node(n).state.health.certNotAfter.get(cert)! - Date.now()) / 86_400_000;
      assert.ok(days > 300, `${n} ${cert} renewed (${days.toFixed(0)} days left)`);
    }
  }
});
