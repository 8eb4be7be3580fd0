// Field access through a bastion (issue 18): every node connection is a channel on one shared connection to
// the simulated jump host, whose host key is pinned; the install completes with a sudo password too, and
// survives the bastion dropping every connection mid-install (one reconnect, then on).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshPool } from '../../src/activities/ssh';
import { startInstall } from '../../src/client/installs';
import { startFleet } from '../../src/sim';
import { finish, startInstallEnv, status, type InstallEnv } from '../helpers/install';

const PASSWORD = 'jump-and-sudo-pw';
const dir = mkdtempSync(join(tmpdir(), 'ks-bastion-'));
const passwordFile = join(dir, 'sudo-password');
writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });

const log: Record<string, unknown>[] = [];
let env: InstallEnv;
before(async () => { env = await startInstallEnv({ pool: new SshPool({ log: (e) => log.push(e) }) }); });
after(async () => { await env?.stop(); });

test('an install through a bastion with a sudo password completes; one bastion connection, re-opened after it drops', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'bastion', seed: 41, bastion: true, sudoPasswordFile: passwordFile, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    const bastion = fleet.bastion!;
    assert.deepEqual(fleet.spec.ssh.bastion, { host: bastion.address, port: bastion.port, user: 'kloudspot', hostKey: bastion.fingerprint });
    const handle = await startInstall(env.client, fleet.spec);
    // Once the nodes are being prepared, cut the bastion: every tunnelled connection dies with it.
    for (let i = 0; i < 1200 && (await status(handle)).phase === 'preflight'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(bastion.logins, 1, 'the three nodes shared one bastion connection');
    bastion.dropAll();
    const final = await finish(handle, 240_000);
    assert.equal(final.state, 'completed', final.lastError);

    assert.ok(bastion.logins >= 2, 'the bastion connection was opened again after it dropped');
    for (const n of fleet.nodes) assert.ok(bastion.forwarded.includes(`${n.address}:${n.port}`), `${n.name} was reached through the bastion`);
    const bastionEvents = log.filter((e) => String(e.node).startsWith('bastion '));
    assert.ok(bastionEvents.some((e) => e.event === 'ssh.connect' && e.hostKey === bastion.fingerprint), 'connected to the pinned bastion');
    assert.ok(bastionEvents.some((e) => e.event === 'ssh.reconnect'), 'the drop shows as a reconnect in the worker log');
    const text = JSON.stringify(log);
    assert.ok(!text.includes(PASSWORD), 'the sudo password is in the worker log');
    assert.ok(fleet.audit().some((e) => e.command.startsWith("sudo -S -p '' sh -c ")), 'sudo took the password');
  } finally {
    await fleet.stop();
  }
});

test('a bastion presenting another host key than the pinned one is refused before login; nothing runs on a node', { timeout: 120_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'bastion-key', seed: 42, bastion: true, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    const wrong = fleet.nodes[0].hostKeyFingerprint; // a real fingerprint, just not the bastion's
    const spec = { ...fleet.spec, ssh: { ...fleet.spec.ssh, bastion: { ...fleet.spec.ssh.bastion!, hostKey: wrong } } };
    const handle = await startInstall(env.client, spec);
    let s = await status(handle);
    for (let i = 0; i < 600 && !s.questions.length; i++) { await new Promise((r) => setTimeout(r, 100)); s = await status(handle); }
    const report = s.questions[0]?.lastError ?? '';
    assert.match(report, /host key mismatch for node bastion /);
    assert.ok(report.includes(wrong) && report.includes(fleet.bastion!.fingerprint), report);
    assert.equal(fleet.bastion!.logins, 0, 'no login on the impostor');
    assert.deepEqual(fleet.audit(), [], 'nothing ran on any node');
    await handle.terminate('test over');
  } finally {
    await fleet.stop();
  }
});
