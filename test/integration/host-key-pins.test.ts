// Issue 17, finding 3: host-key pins outlive the install. update, uninstall and add-node check the keys the
// install pinned: an impostor gets no command; a site this worker never pinned is refused before anything runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet } from '../../src/sim';
import { parseSiteSpec } from '../../src/site/load';
import { startInstall } from '../../src/client/installs';
import { finish, startInstallEnv, status, waitForQuestion, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

test('after the install, an impostor host key stops update, uninstall and add-node before any command reaches it', { timeout: 500_000 }, async () => {
  const fleet = await startFleet({ nodes: 4, site: 'pins', seed: 51, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    const full = fleet.spec;
    const three = parseSiteSpec({ ...full, nodes: full.nodes.slice(0, 3) });
    const handle = await startInstall(env.client, three);
    const done = await finish(handle, 300_000);
    assert.equal(done.state, 'completed');
    assert.match(done.summary?.['host keys pinned at first contact'] ?? '', new RegExp(`k8s-vm-1 ${fleet.node('k8s-vm-1').hostKeyFingerprint.replace(/[+/]/g, '\\$&')}`));

    const victim = 'k8s-vm-1';
    const real = fleet.node(victim).hostKeyFingerprint;
    fleet.faults.wrongHostKey(victim);
    fleet.node(victim).server.dropAll('KILL');
    const switchedAt = Date.now();
    const grown = parseSiteSpec({ ...three, nodes: full.nodes });
    for (const [type, args] of [['updateDeployment', [three]], ['uninstall', [three]], ['addNode', [grown, 'k8s-vm-4']]] as const) {
      const h = await startInstall(env.client, type === 'addNode' ? grown : three, type, [...args]);
      const q = await waitForQuestion(h, (x) => x.kind === 'failure' && /host key mismatch/.test(x.lastError ?? ''), 120_000);
      assert.ok(q.lastError!.includes(real), `${type}: names the pinned key`);
      await h.terminate('test done');
    }
    const reached = fleet.audit(victim).filter((e) => e.source === 'ssh' && e.start > switchedAt);
    assert.deepEqual(reached.map((e) => e.command), [], 'no command ran on the impostor');
  } finally {
    await fleet.stop();
  }
});

test('update of a site this worker never pinned (and no nodes[].hostKey) is refused before any command runs', { timeout: 120_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'unpinned', seed: 52, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    const before = fleet.audit().length;
    const h = await startInstall(env.client, fleet.spec, 'updateDeployment');
    await assert.rejects(h.result(), (err: Error & { cause?: Error }) => /no pinned host key for k8s-vm-1, k8s-vm-2, k8s-vm-3/.test(err.cause?.message ?? ''));
    assert.match((await status(h)).lastError ?? '', /nodes\[\]\.hostKey/);
    assert.equal(fleet.audit().length, before, 'nothing ran on any node');
  } finally {
    await fleet.stop();
  }
});
