// `dpkg --configure -a` and dpkg's own lock (issue 16, item 10): dpkg does not honour apt's DPkg::Lock::Timeout,
// so while unattended-upgrades holds the frontend lock it fails at once (exit 2). The upgrade step finishing an
// interrupted dpkg run waits for the lock as it waits for apt's, instead of failing the step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simFleet } from '../helpers/sim';
import { holdDpkgLock } from '../../src/sim/apt-locks';
import type { SshTarget } from '../../src/activities/ssh';
import { run } from '../../src/activities/run';
import { createNodePrepActivities } from '../../src/activities/node-prep';
import { dpkgConfigurePending, dpkgLockBusy } from '../../src/activities/commands/apt';

const sim = simFleet({ nodes: 3, seed: 14, latency: 'fast' });

test('an interrupted upgrade is finished after unattended-upgrades lets go of dpkg\'s lock', { timeout: 60_000 }, async () => {
  const n = sim.fleet.node('k8s-vm-1');
  const t: SshTarget = { node: n.name, host: n.address, port: n.port, username: sim.fleet.spec.ssh.user, privateKeyFile: sim.fleet.keyFile };
  const deps = { pool: sim.pool, pollMs: 100 };
  n.state.dpkgInterrupted = true;
  holdDpkgLock(n.state, 1500);
  const locked = await run(deps, t, { ...dpkgConfigurePending(), okCodes: [2] });
  assert.match(locked.stderr, /^dpkg: error: dpkg frontend lock was locked by another process with pid 1284\n/);
  assert.ok(dpkgLockBusy(locked.stderr));
  const r = await createNodePrepActivities(deps).upgradePackages(t);
  assert.equal(r.changed, true);
  assert.equal(n.state.dpkgInterrupted, false);
  const configures = sim.fleet.audit().filter((e) => e.node === n.name && /dpkg .*--configure -a$/.test(e.command));
  assert.ok(configures.length >= 2, 'tried while locked, then again');
  assert.equal(configures.at(-1)!.exitCode, 0);
});
