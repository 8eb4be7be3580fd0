// Field access, sudo with a password (issue 18): simulated nodes whose sudo asks for a password. An install
// completes; the password and the SSH key are nowhere in the raw history, the worker's log, a node's files
// or its command lines; a wrong password is one preflight problem naming the file and the fix.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SshPool } from '../../src/activities/ssh';
import { startInstall } from '../../src/client/installs';
import { startFleet, type Fleet } from '../../src/sim';
import { finish, startInstallEnv, waitForQuestion, type InstallEnv } from '../helpers/install';

const PASSWORD = 'S3cret-sudo-pw!';
const dir = mkdtempSync(join(tmpdir(), 'ks-sudo-'));
const passwordFile = join(dir, 'sudo-password');
writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });

/** Everything the worker logs: the SSH pool's events and the Temporal runtime's log. */
const workerLog: string[] = [];
let env: InstallEnv;
before(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('DEBUG', (e) => { workerLog.push(`${e.message} ${JSON.stringify(e.meta ?? {})}`); }) });
  } catch { /* another test file of this process installed one: the pool's log is still captured */ }
  env = await startInstallEnv({ pool: new SshPool({ log: (e) => workerLog.push(JSON.stringify(e)) }) });
});
after(async () => { await env?.stop(); });

async function rawHistory(fleet: Fleet, workflowId: string): Promise<string> {
  const plain = new Client({ connection: env.client.connection, namespace: 'default' });
  const ids = [workflowId, ...fleet.spec.nodes.map((n) => `${workflowId}/prepare/${n.name}`)];
  return (await Promise.all(ids.map(async (id) => historyToJSON(await plain.workflow.getHandle(id).fetchHistory())))).join('\n');
}

test('an install on nodes whose sudo needs a password completes; the password and the key are nowhere to be read', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'sudo-pw', seed: 31, sudoPasswordFile: passwordFile, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    assert.equal(fleet.spec.ssh.sudoPasswordFile, passwordFile);
    const handle = await startInstall(env.client, fleet.spec);
    const final = await finish(handle, 240_000);
    assert.equal(final.state, 'completed', final.lastError);

    // sudo really asked: every privileged command went through one `sudo -S -p ''` root shell, and a plain sudo is refused.
    const audit = fleet.audit();
    const wrapped = audit.filter((e) => e.command.startsWith("sudo -S -p '' sh -c "));
    assert.ok(wrapped.length > 50, `privileged commands ran with the password on stdin (${wrapped.length})`);
    assert.ok(!audit.some((e) => e.source === 'ssh' && /^sudo (?!-S|-n)/.test(e.command)), 'no bare sudo call reached a node');

    const key = readFileSync(fleet.keyFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    const raw = await rawHistory(fleet, handle.workflowId);
    const log = workerLog.join('\n');
    assert.ok(log.includes('"event":"ssh.sudo"') && log.includes('"mode":"password"'), 'the worker probed sudo and used the password');
    for (const [where, text] of [['the raw history', raw], ['the worker\'s log', log]] as const) {
      assert.ok(!text.includes(PASSWORD), `the sudo password is in ${where}`);
      assert.ok(!text.includes(Buffer.from(PASSWORD).toString('base64').slice(0, 12)), `the sudo password is in ${where} as base64`);
      assert.ok(!text.includes(key.slice(0, 40)), `the SSH key is in ${where}`);
    }
    for (const e of audit) assert.ok(!e.command.includes(PASSWORD), `the password is on a command line: ${e.command.slice(0, 80)}`);
    for (const m of fleet.machines) {
      for (const [path, f] of m.files) assert.ok(!f.content.includes(PASSWORD), `${m.name}:${path} holds the password`);
    }
  } finally {
    await fleet.stop();
  }
});

test('a wrong sudo password is one preflight problem naming the node, the file and the fix; it is tried once', { timeout: 200_000 }, async () => {
  const wrongFile = join(dir, 'wrong-password');
  writeFileSync(wrongFile, 'not-the-password\n', { mode: 0o600 });
  const fleet = await startFleet({ nodes: 3, site: 'sudo-wrong', seed: 32, sudoPasswordFile: passwordFile, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    const spec = { ...fleet.spec, nodes: fleet.spec.nodes.map((n) => (n.name === 'k8s-vm-2' ? { ...n, sudoPasswordFile: wrongFile } : n)) };
    const handle = await startInstall(env.client, spec);
    const q = await waitForQuestion(handle, (x) => x.step === 'cluster:preflight');
    assert.match(q.prompt, /^preflight found 1 problem; nothing was changed/);
    const report = q.lastError ?? '';
    assert.match(report, /k8s-vm-2 \(1 problem\):/);
    assert.ok(report.includes(`sudo does not accept the password in ${wrongFile} for kloudspot`), report);
    assert.match(report, /sudo said: sudo: no password was provided; sudo: 1 incorrect password attempt\)/);
    assert.match(report, /put kloudspot's login password on the first line of that file/);
    assert.ok(!report.includes('not-the-password'));
    assert.deepEqual(fleet.effects(), [], 'preflight changed nothing');
    // One attempt with the wrong password, not one a command (a lockout counts attempts).
    const tries = fleet.audit('k8s-vm-2').filter((e) => e.command.startsWith('sudo -S'));
    assert.equal(tries.length, 1, tries.map((e) => e.command).join('\n'));
    await handle.terminate('test over');
  } finally {
    await fleet.stop();
  }
});
