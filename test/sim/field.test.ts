// The simulator's side of field access (issue 18), driven over real SSH with the installer's own builders: a
// proxy-only site where apt, curl and snapd fail until each is told the proxy; snapd's options, refresh holds
// and service restart in the formats of canonical/snapd; hook scripts run from stdin. Formats: docs/commands.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { aptDistUpgrade, aptUpdate } from '../../src/activities/commands/apt';
import { writeFile } from '../../src/activities/commands/files';
import { runHookScript } from '../../src/activities/commands/hooks';
import {
  APT_PROXY_FILE, CONTAINERD_ENV_FILE, parseSnapGet, renderAptProxy, renderContainerdEnv, restartContainerd, snapProxyGet, snapProxySet,
  snapProxyUnset, withoutProxyBlock, type ProxyInput,
} from '../../src/activities/commands/proxy';
import { holdRefresh, listSnap, parseRefreshHold, parseSnapNotes, refreshTimes, unholdRefresh } from '../../src/activities/commands/snap';
import { downloadTools, runTools } from '../../src/activities/commands/tools';
import type { RemoteCommand } from '../../src/activities/commands/sh';
import { connectAll, closeAll, type SimClient } from '../helpers/sim';

const PROXY = 'http://proxy.sim.example:3128';
let fleet: Fleet;
let c: Record<string, SimClient>;
const run = (n: string, cmd: RemoteCommand) => c[n].run(cmd.command, cmd.stdin);
let proxy: ProxyInput;

before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 43, proxy: PROXY });
  c = await connectAll(fleet);
  proxy = { http: PROXY, https: PROXY, noProxy: [], network: fleet.spec.network, virtualIp: fleet.virtualIp };
});
after(async () => {
  if (c) closeAll(c);
  await fleet?.stop();
});

test('a proxy-only node: apt, curl and the snap install fail until each is told the proxy', async () => {
  const n = 'k8s-vm-1';
  const update = await run(n, aptUpdate());
  assert.equal(update.code, 0, 'apt-get update only warns');
  assert.match(update.stderr, /^W: Failed to fetch http:\/\/archive\.ubuntu\.com\/.* Could not connect to archive\.ubuntu\.com:80/m);
  const upgrade = await run(n, aptDistUpgrade());
  assert.equal(upgrade.code, 100);
  assert.match(upgrade.stderr, /E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing\?/);

  const url = fleet.spec.kloudspot.toolsUrl;
  const direct = await run(n, downloadTools(url));
  // A pipeline's status is tee's: the empty download is what the installer's checksum step catches.
  assert.match(direct.stderr, /curl: \(28\) Failed to connect to .* port 443/, 'curl without --proxy cannot connect');
  assert.equal(fleet.machines[0].files.get('/root/kloudspot-tools.sh')?.content, '');

  assert.equal((await run(n, writeFile(APT_PROXY_FILE, renderAptProxy(proxy)))).code, 0);
  assert.equal((await run(n, aptDistUpgrade())).code, 0, 'apt upgrades through the proxy');
  assert.equal((await run(n, downloadTools(url, proxy))).code, 0, 'curl downloads through --proxy');
  const script = await run(n, runTools(proxy));
  assert.notEqual(script.code, 0, 'the snap install fails while snapd has no proxy');
  assert.match(script.stderr, /error: cannot install "microk8s": .*api\.snapcraft\.io/);
});

test('snapd: proxy options set in one transaction, read back, unset; /etc/environment follows (configcore/proxy.go)', async () => {
  const n = 'k8s-vm-2';
  const got = async (k: 'proxy.http' | 'proxy.https' | 'proxy.no-proxy') => { const r = await run(n, snapProxyGet(k)); return parseSnapGet(r.stdout, r.code ?? -1); };
  assert.equal(await got('proxy.http'), '');
  assert.equal((await run(n, snapProxySet({ 'proxy.http': PROXY, 'proxy.https': PROXY, 'proxy.no-proxy': 'localhost,10.1.0.0/16' }))).code, 0);
  assert.equal(await got('proxy.https'), PROXY);
  assert.match(fleet.machines[1].files.get('/etc/environment')!.content, /^https_proxy=http:\/\/proxy\.sim\.example:3128$/m);
  assert.equal((await run(n, snapProxySet({ 'proxy.http': '' }))).code, 0, 'an empty value is `key!`: unset');
  assert.equal(await got('proxy.http'), '');
  assert.equal((await run(n, snapProxyUnset())).code, 0);
  assert.equal(await got('proxy.https'), '');
  assert.doesNotMatch(fleet.machines[1].files.get('/etc/environment')!.content, /proxy/);
});

test('containerd-env: the block replaces itself, reset removes it and leaves MicroK8s\' lines; restart; refresh hold and snap list notes', async () => {
  const n = 'k8s-vm-3';
  const m = fleet.machines[2];
  assert.equal((await run(n, snapProxySet({ 'proxy.https': PROXY }))).code, 0);
  assert.equal((await run(n, { command: 'sudo snap install microk8s --classic' })).code, 0);
  const stock = m.files.get(CONTAINERD_ENV_FILE)!.content;
  const once = renderContainerdEnv(stock, proxy);
  assert.equal(renderContainerdEnv(once, proxy), once, 'rendering again changes nothing');
  const changed = renderContainerdEnv(once, { ...proxy, noProxy: ['.acme.example'] });
  assert.equal(changed.split('# BEGIN kloudspot-installer proxy').length, 2, 'one block after a change');
  assert.equal(withoutProxyBlock(changed), stock, 'reset gives MicroK8s\' file back as it was');
  const restart = await run(n, restartContainerd());
  assert.deepEqual([restart.code, restart.stdout], [0, 'Restarted.\n']);

  assert.deepEqual(parseSnapNotes((await run(n, listSnap())).stdout), ['classic']);
  const held = await run(n, holdRefresh('720h'));
  assert.match(held.stdout, /^General refreshes of "microk8s" held until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  assert.deepEqual(parseSnapNotes((await run(n, listSnap())).stdout), ['classic', 'held']);
  assert.equal((await run(n, holdRefresh('forever'))).stdout, 'General refreshes of "microk8s" held indefinitely\n');
  // A hold of one snap is not the system-wide one `snap refresh --time` shows.
  assert.equal(parseRefreshHold((await run(n, refreshTimes())).stdout), undefined);
  assert.equal((await run(n, unholdRefresh())).stdout, 'Removed general refresh hold of "microk8s"\n');
  assert.deepEqual(parseSnapNotes((await run(n, listSnap())).stdout), ['classic']);
});

test('a hook script runs from stdin as root with KLOUDSPOT_* set; its exit code is the step\'s', async () => {
  const ok = await run('k8s-vm-1', runHookScript({ site: 's', node: 'k8s-vm-1', phase: 'prepare-nodes', when: 'before', script: 'echo hello from the hook\nwhoami\n' }));
  assert.deepEqual([ok.code, ok.stdout], [0, 'hello from the hook\nroot\n']);
  const bad = await run('k8s-vm-1', runHookScript({ site: 's', node: 'k8s-vm-1', phase: 'deploy-chart', when: 'after', script: 'echo failing >&2\nexit 3\n' }));
  assert.deepEqual([bad.code, bad.stderr], [3, 'failing\n']);
  assert.ok(!fleet.audit('k8s-vm-1').some((e) => e.command.includes('hello from the hook')), 'the script is not on a command line');
});
