// Exit 1 is not "absent" (issue 16, item 5): helm, kubectl and cat also exit 1 when MicroK8s is stopped or
// sudo refuses. The checks take only each tool's own "not found" for absence; anything else fails the check
// with the tool's words instead of planning to rewrite what is there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim';
import { SshPool, type SshTarget } from '../../src/activities/ssh';
import { createClusterChecks } from '../../src/activities/checks/cluster';
import { createNodeChecks } from '../../src/activities/checks/node';
import { run } from '../../src/activities/run';
import { waitReady } from '../../src/activities/commands/microk8s';
import { prep } from '../helpers/commands';

let fleet: Fleet;
let pool: SshPool;
let passwordFile: string;
before(async () => {
  passwordFile = join(mkdtempSync(join(tmpdir(), 'ks-absent-')), 'sudo-password');
  writeFileSync(passwordFile, 'correct horse\n', { mode: 0o600 });
  fleet = await startFleet({ nodes: 3, seed: 16, latency: 'fast', sudoPasswordFile: passwordFile });
  pool = new SshPool();
});
after(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

const target = (name: string, withPassword = true): SshTarget => {
  const n = fleet.node(name);
  return { node: n.name, host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile,
    ...(withPassword ? { sudoPasswordFile: passwordFile } : {}) };
};

test('MicroK8s stopped: the release and TLS Secret checks fail with the tool\'s words, not "absent"', { timeout: 60_000 }, async () => {
  const t = target('k8s-vm-1');
  const deps = { pool };
  assert.equal((await run(deps, t, prep.installTools(fleet.spec.kloudspot.toolsUrl))).code, 0);
  assert.equal((await run(deps, t, waitReady(60))).code, 0);
  const checks = createClusterChecks(deps);
  // Running: nothing there yet, and the tools say so in their own words.
  const release = await checks.release(t);
  assert.deepEqual([release.done, release.exists, release.detail], [false, false, 'kloudspot start']);
  assert.equal((await checks.tlsSecret(t)).done, false);

  fleet.faults.microk8sStopped('k8s-vm-1');
  await assert.rejects(checks.release(t), (err: Error) => {
    assert.match(err.message, /without saying that what it reads is absent: Error: Kubernetes cluster unreachable: .*connection refused/);
    return true;
  });
  await assert.rejects(checks.tlsSecret(t), /without saying that what it reads is absent: The connection to the server 127\.0\.0\.1:16443 was refused/);
  fleet.faults.microk8sStopped('k8s-vm-1', false);
  assert.equal((await checks.release(t)).exists, false);
});

test('sudo refuses: the hosts file check fails instead of taking /etc/hosts for empty; a missing file is absent', { timeout: 60_000 }, async () => {
  const deps = { pool };
  const nodes = fleet.spec.nodes.map((n) => ({ name: n.name, address: n.address }));
  // The spec left out the password file while the node's sudo wants one: `sudo -n cat` refuses.
  await assert.rejects(createNodeChecks(deps).hostsFile(target('k8s-vm-2', false), 'k8s-vm-2', nodes),
    /without saying that what it reads is absent: sudo: a password is required/);
  const ok = await createNodeChecks(deps).hostsFile(target('k8s-vm-2'), 'k8s-vm-2', nodes);
  assert.match(ok.current, /^127\.0\.0\.1\s+localhost/m, 'read through the password');
  // A file that is not there is absent (cat's own "No such file or directory").
  assert.equal((await run(deps, target('k8s-vm-2'), prep.removeFile('/etc/hosts'))).code, 0);
  const missing = await createNodeChecks(deps).hostsFile(target('k8s-vm-2'), 'k8s-vm-2', nodes);
  assert.equal(missing.current, '');
  assert.equal(missing.done, false);
});
