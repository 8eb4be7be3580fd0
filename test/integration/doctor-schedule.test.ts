// The doctor on a Temporal Schedule, through the CLI: `doctor <site> --every 10s` creates doctor/<site>; its runs
// set KloudspotHealth, so `list --health fail` shows the site once a node is powered off and `list` shows it ok
// again after the node comes back; `doctor --stop` removes the schedule. Also the exit code of a one-off run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthFaults, startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { doctorScheduleId } from '../../src/workflows/api';
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
  fleet = await startFleet({ nodes: 3, site: SITE, seed: 21, specOverrides: { tls: { mode: 'self-signed' } } });
  assert.equal((await finish(await startInstall(env.client, fleet.spec), 300_000)).state, 'completed');
});
after(async () => { await fleet?.stop(); await env?.stop(); });

const cli = (...args: string[]) => runCli([...args, ...conn], { env: { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined } });
const healthRow = async () => (await cli('list')).stdout.split('\n').find((l) => l.startsWith(`${SITE} `)) ?? '';

test('doctor --every: list --health fail shows the site while a node is down, ok after it is back; --stop removes it', { timeout: 240_000 }, async () => {
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
  const failing = await eventually(async () => {
    const r = await cli('list', '--health', 'fail');
    return r.stdout.includes(SITE) ? r.stdout : undefined;
  }, 60_000, 1000);
  assert.match(failing, /HEALTH/);
  assert.match(failing, new RegExp(`^${SITE} .* fail \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\)`, 'm'));
  const direct = await cli('doctor', SITE, '--json');
  assert.equal(direct.code, 1, 'a failing doctor exits 1');
  const report = JSON.parse(direct.stdout) as { verdict: string; checks: { check: string; node?: string; level: string }[] };
  assert.equal(report.verdict, 'fail');
  assert.ok(report.checks.some((c) => c.check === 'ssh' && c.node === 'k8s-vm-3' && c.level === 'fail'));

  await faults.powerOn('k8s-vm-3');
  await eventually(async () => / ok \(/.test(await healthRow()), 60_000, 1000);
  assert.doesNotMatch((await cli('list', '--health', 'fail')).stdout, new RegExp(`^${SITE} `, 'm'));
  assert.match((await cli('list', '--health', 'bad')).stderr, /--health "bad" is not a verdict. Fix: write ok, warn or fail/);

  const stopped = await cli('doctor', SITE, '--stop');
  assert.match(stopped.stdout, /Removed the schedule doctor\/watched/);
  assert.match((await cli('doctor', SITE, '--stop')).stdout, /No schedule doctor\/watched to remove/);
});
