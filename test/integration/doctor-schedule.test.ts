// The doctor on a Temporal Schedule: the install registers doctor/<site> (spec doctor.every, 10s here), and
// `doctor <site> --every 10s` updates it through the CLI; its runs
// set KloudspotHealth, so `list --health fail` shows the site once a node is powered off and `list` shows it ok
// again after the node comes back; `doctor --stop` removes the schedule. Also the exit code of a one-off run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthFaults, startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { doctorScheduleId } from '../../src/workflows/api';
import { latestHealth } from '../../src/client/doctor';
import { finish, startInstallEnv, TEST_CODEC_KEY_FILE, type InstallEnv } from '../helpers/install';
import { runCli } from '../helpers/cli';
import { eventually } from '../helpers/sim';

let env: InstallEnv;
let fleet: Fleet;
const SITE = 'watched';
let conn: string[];

before(async () => {
  env = await startInstallEnv();
  conn = ['--address', env.h.server.address, '--codec-key-file', TEST_CODEC_KEY_FILE];
  fleet = await startFleet({ nodes: 3, site: SITE, seed: 21, specOverrides: { tls: { mode: 'self-signed' }, doctor: { every: '10s' } } });
  assert.equal((await finish(await startInstall(env.client, fleet.spec), 300_000)).state, 'completed');
  // The install holds snap refreshes (microk8s.refreshHold, branch field); where it does not yet, hold them as it will.
  for (const n of fleet.fleetNodes) if (!n.state.snapHolds.all) new HealthFaults(fleet).refreshHold(n.name, true);
});
after(async () => { await fleet?.stop(); await env?.stop(); });

// Generous: on a loaded 2-core machine one CLI start (tsx) has taken over a minute.
const cli = (...args: string[]) => runCli([...args, ...conn], { env: { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined }, timeoutMs: 180_000 });
const healthRow = async () => (await cli('list')).stdout.split('\n').find((l) => l.startsWith(`${SITE} `)) ?? '';

test('the install registered the schedule from doctor.every; its runs show in list as ok', { timeout: 300_000 }, async () => {
  const desc = await env.client.schedule.getHandle(doctorScheduleId(SITE)).describe();
  assert.deepEqual(desc.spec.intervals?.map((i) => i.every), [10_000]);
  assert.equal(desc.action.type, 'startWorkflow');
  await eventually(async () => (await latestHealth(env.client, SITE))?.health === 'ok', 90_000, 1000);
  assert.match(await healthRow(), / ok \(\d{4}-\d\d-\d\d \d\d:\d\d\)/);
});

test('doctor --every: list --health fail shows the site while a node is down, ok after it is back; --stop removes it', { timeout: 900_000 }, async () => {
  const once = await cli('doctor', SITE);
  assert.equal(once.code, 0, once.stderr);
  assert.match(once.stdout, new RegExp(`^${SITE}: OK`));

  const bad = await cli('doctor', SITE, '--every', '5 hours');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--every "5 hours" is not an interval .* Fix: .*e\.g\. 6h/);

  const made = await cli('doctor', SITE, '--every', '10s');
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, new RegExp(`Schedule ${doctorScheduleId(SITE).replace('/', '\\/')}: doctor every 10s`));
  const desc = await env.client.schedule.getHandle(doctorScheduleId(SITE)).describe();
  assert.equal(desc.policies.overlap, 'SKIP');
  // Updating the interval keeps one schedule.
  assert.equal((await cli('doctor', SITE, '--every', '10s')).code, 0);

  const faults = new HealthFaults(fleet);
  await faults.powerOff('k8s-vm-3');
  // The scheduled runs (10s) notice it; `list` reads the same search attribute (latestHealth).
  await eventually(async () => (await latestHealth(env.client, SITE))?.health === 'fail', 90_000, 1000);
  const failing = (await cli('list', '--health', 'fail')).stdout;
  assert.match(failing, /HEALTH/);
  assert.match(failing, new RegExp(`^${SITE} .* fail \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\)`, 'm'));
  const direct = await cli('doctor', SITE, '--json');
  assert.equal(direct.code, 1, 'a failing doctor exits 1');
  const report = JSON.parse(direct.stdout) as { verdict: string; checks: { check: string; node?: string; level: string }[] };
  assert.equal(report.verdict, 'fail');
  assert.ok(report.checks.some((c) => c.check === 'ssh' && c.node === 'k8s-vm-3' && c.level === 'fail'));

  await faults.powerOn('k8s-vm-3');
  const back = Date.now();
  await eventually(async () => {
    const h = await latestHealth(env.client, SITE);
    return h?.health === 'ok' && h.checkedAt.getTime() > back;
  }, 90_000, 1000);
  assert.match(await healthRow(), / ok \(/);
  assert.doesNotMatch((await cli('list', '--health', 'fail')).stdout, new RegExp(`^${SITE} `, 'm'));
  assert.match((await cli('list', '--health', 'bad')).stderr, /--health "bad" is not a verdict. Fix: write ok, warn or fail/);

  const stopped = await cli('doctor', SITE, '--stop');
  assert.match(stopped.stdout, /Removed the schedule doctor\/watched/);
  assert.match((await cli('doctor', SITE, '--stop')).stdout, /No schedule doctor\/watched to remove/);
});
