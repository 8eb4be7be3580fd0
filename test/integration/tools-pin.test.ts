// Issue 17, finding 5: the tools script runs as root only when it came over https and its SHA-256 is the
// pinned kloudspot.toolsSha256. A wrong pin (or a swapped script) stops the step with both hashes; nothing runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet } from '../../src/sim';
import { SIM_TOOLS_SHA256 } from '../../src/sim/tools-script';
import { TOOLS_FILE } from '../../src/activities/commands/tools';
import { startInstall } from '../../src/client/installs';
import { parseSiteSpec } from '../../src/site/load';
import { startInstallEnv, waitForQuestion, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

test('a tools script whose SHA-256 is not the pinned one is never run; the question names both hashes', { timeout: 300_000 }, async () => {
  const pinned = 'ab'.repeat(32);
  const fleet = await startFleet({ nodes: 3, site: 'tools-pin', seed: 41, specOverrides: { tls: { mode: 'self-signed' }, kloudspot: { toolsSha256: pinned } } });
  try {
    const handle = await startInstall(env.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.kind === 'failure' && x.step === 'k8s-vm-1:kloudspot-tools', 240_000);
    assert.match(q.prompt, new RegExp(`SHA-256 ${SIM_TOOLS_SHA256}, not the pinned ${pinned}; it was not run`));
    for (const n of fleet.spec.nodes) {
      // Each node checks its own download: judge a node once its own step has failed, not the first one's.
      await waitForQuestion(handle, (x) => x.kind === 'failure' && x.step === `${n.name}:kloudspot-tools`, 240_000);
      const audit = fleet.audit(n.name);
      assert.ok(audit.some((e) => e.command.includes('sha256sum')), `${n.name}: the download was checked`);
      assert.ok(!audit.some((e) => e.command.includes(`bash ${TOOLS_FILE}`) || /\|\s*sudo bash/.test(e.command)), `${n.name}: the script never ran`);
      assert.equal(fleet.node(n.name).state.microk8s.installed, false, `${n.name}: nothing was installed`);
      assert.equal(fleet.node(n.name).state.files.has(TOOLS_FILE), false, `${n.name}: the unverified download was removed`);
    }
    await handle.terminate('test done');
  } finally {
    await fleet.stop();
  }
});

test('the spec refuses an http tools URL and a missing or malformed pin, naming the field and the fix', () => {
  const base = { toolsUrl: 'https://registry.example/x.sh', toolsSha256: SIM_TOOLS_SHA256 };
  const spec = (kloudspot: unknown) => ({
    site: 'a', customer: 'a', dnsHostname: 'k.a.example', virtualIp: '10.0.0.50', network: { prefixLength: 24, gateway: '10.0.0.1', nameservers: ['10.0.0.1'] },
    ssh: { user: 'k', privateKeyFile: '/k' }, nodes: [1, 2, 3].map((i) => ({ name: `n${i}`, address: `10.0.0.${i + 10}`, interface: 'eth0' })),
    features: {}, storage: {}, tls: { mode: 'self-signed' }, kloudspot,
  });
  assert.equal(parseSiteSpec(spec(base)).kloudspot.toolsSha256, SIM_TOOLS_SHA256);
  assert.throws(() => parseSiteSpec(spec({ ...base, toolsUrl: 'http://registry.example/x.sh' })), /kloudspot\.toolsUrl: .*is not https\. Fix: /);
  assert.throws(() => parseSiteSpec(spec({ toolsUrl: base.toolsUrl })), /kloudspot\.toolsSha256: is missing\. Fix: add toolsSha256/);
  assert.throws(() => parseSiteSpec(spec({ ...base, toolsSha256: 'abc' })), /kloudspot\.toolsSha256: "abc" is not a SHA-256/);
  assert.throws(() => parseSiteSpec(spec(undefined)), /kloudspot: is missing\. Fix: add kloudspot/);
});
