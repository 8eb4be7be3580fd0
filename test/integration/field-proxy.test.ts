// Field access, proxy and refresh hold (issue 18 items 3-4): simulated nodes that reach the internet only
// through a proxy, so apt's upgrade, the tools download and the snap install all fail unless each was told the
// proxy first. The install completes; every file holds one proxy block; a second install changes nothing (file
// contents and mtimes as they were); a changed noProxy replaces the block and restarts only containerd; the
// refresh hold is set on every node, verified, and shown by `status`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { APT_PROXY_FILE, CONTAINERD_ENV_FILE, PROXY_MARKERS } from '../../src/activities/commands/proxy';
import { renderStatus } from '../../src/client/render';
import { startInstall } from '../../src/client/installs';
import { startFleet, type Fleet } from '../../src/sim';
import type { SiteSpec } from '../../src/site/schema';
import { finish, startInstallEnv, status, type InstallEnv } from '../helpers/install';

const PROXY = 'http://proxy.sim.example:3128';
let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

const FILES = [APT_PROXY_FILE, CONTAINERD_ENV_FILE, '/etc/environment'];
const snapshot = (fleet: Fleet) => fleet.machines.map((m) => FILES.map((f) => ({ node: m.name, file: f, ...m.files.get(f) })));
const blocks = (text: string) => text.split('\n').filter((l) => l === PROXY_MARKERS.begin).length;

async function install(fleet: Fleet, spec: SiteSpec) {
  const handle = await startInstall(env.client, spec);
  const final = await finish(handle, 240_000);
  assert.equal(final.state, 'completed', final.lastError);
  return handle;
}

test('behind a proxy: apt, the tools, snapd and containerd use it; written once; a change replaces the block; the refresh hold is verified and shown', { timeout: 600_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'proxied', seed: 41, proxy: PROXY, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    assert.deepEqual(fleet.spec.proxy, { http: PROXY, https: PROXY, noProxy: [] });
    const handle = await install(fleet, fleet.spec);
    const subnet = fleet.spec.network.gateway.replace(/\.\d+$/, '.0/24');

    for (const m of fleet.machines) {
      const apt = m.files.get(APT_PROXY_FILE)?.content ?? '';
      assert.match(apt, new RegExp(`^Acquire::http::Proxy "${PROXY}";$`, 'm'), `${m.name}: apt's proxy file`);
      assert.equal(blocks(apt), 1);
      const containerd = m.files.get(CONTAINERD_ENV_FILE)?.content ?? '';
      assert.equal(blocks(containerd), 1, `${m.name}: one proxy block in containerd-env`);
      assert.match(containerd, /^ulimit -n 65536 \|\| true$/m, 'MicroK8s\' own lines are kept');
      const noProxy = /^NO_PROXY=(.*)$/m.exec(containerd)?.[1].split(',') ?? [];
      for (const r of [subnet, fleet.virtualIp, '10.1.0.0/16', '10.152.183.0/24']) assert.ok(noProxy.includes(r), `${m.name}: NO_PROXY lacks ${r}: ${noProxy}`);
      assert.match(containerd, new RegExp(`^HTTPS_PROXY=${PROXY}$`, 'm'));
      assert.equal(m.snapd.system.get('proxy.https'), PROXY);
      assert.equal(m.snapd.holds.get('microk8s'), Infinity, `${m.name}: microk8s held forever`);
      // containerd was restarted once, after its block was written; nothing else was restarted for the proxy.
      assert.equal(fleet.effects(m.name).filter((e) => e.effect?.includes('snap restart')).length, 1);
    }
    // Order: the proxy reached apt and snapd before apt's upgrade (which fails without it here), curl had --proxy.
    const n1 = fleet.audit('k8s-vm-1');
    const at = (re: RegExp) => n1.findIndex((e) => re.test(e.command));
    assert.ok(at(/snap set system proxy\.http=/) < at(/apt-get .* dist-upgrade/), 'snapd and apt told before the upgrade');
    assert.ok(n1.some((e) => /^curl -fsSL .*--proxy .*proxy\.sim\.example:3128 --noproxy /.test(e.command)), 'the tools download went through the proxy');

    // status: the hold per node, as the install read it back.
    const s = await status(handle);
    for (const n of s.nodes) assert.equal(n.refreshHold, 'held (forever), verified', n.name);
    assert.match(renderStatus(s), /k8s-vm-2 .*\(refresh hold: held \(forever\), verified\)/);

    // A second install changes nothing: no effect on any node, every proxy file as it was, mtime included.
    const before2 = snapshot(fleet);
    const effectsBefore = fleet.effects().length;
    await install(fleet, fleet.spec);
    assert.deepEqual(fleet.effects().slice(effectsBefore).map((e) => `${e.node}: ${e.effect}`), []);
    assert.deepEqual(snapshot(fleet), before2);

    // A changed noProxy: containerd's block replaced (still one) and containerd restarted; apt's file untouched.
    const changed = { ...fleet.spec, proxy: { ...fleet.spec.proxy!, noProxy: ['.acme.example', '192.168.7.0/24'] } };
    await install(fleet, changed);
    const after3 = snapshot(fleet);
    for (const [i, m] of fleet.machines.entries()) {
      const containerd = m.files.get(CONTAINERD_ENV_FILE)!.content;
      assert.equal(blocks(containerd), 1, `${m.name}: still one block`);
      assert.match(containerd, /^NO_PROXY=.*,\.acme\.example,192\.168\.7\.0\/24$/m);
      assert.deepEqual(after3[i][0], before2[i][0], `${m.name}: apt's file (no noProxy in it) not rewritten`);
      assert.match(m.snapd.system.get('proxy.no-proxy') ?? '', /\.acme\.example/);
      assert.equal(fleet.effects(m.name).filter((e) => e.effect?.includes('snap restart microk8s.daemon-containerd')).length, 2);
    }
  } finally {
    await fleet.stop();
  }
});
