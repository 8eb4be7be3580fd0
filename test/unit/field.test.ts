// Field access (issue 18 items 3-5), pure parts: the spec keys and their errors, the proxy builder (files, blocks,
// NO_PROXY), the snap and hook command strings, and the worker-side hook file checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { parseSiteSpec, SpecError } from '../../src/site/load';
import { blockLines, removeBlock, replaceBlock } from '../../src/activities/commands/marked-block';
import {
  curlProxyOptions, noProxyList, renderAptProxy, renderContainerdEnv, snapProxySet, subnetCidr, withoutProxyBlock, type ProxyInput,
} from '../../src/activities/commands/proxy';
import { holdRefresh, listSnap, parseRefreshHold, parseSnapNotes } from '../../src/activities/commands/snap';
import { runHookScript } from '../../src/activities/commands/hooks';
import { downloadTools, runTools } from '../../src/activities/commands/tools';
import { readHookFile } from '../../src/activities/hooks';
import { HOOK_MAX_BYTES } from '../../src/site/field-schema';

const example = readFileSync(join(__dirname, '..', '..', 'examples', 'site.yaml'), 'utf8');
const withKeys = (extra: Record<string, unknown>) => ({ ...(yaml.load(example) as Record<string, unknown>), ...extra });
const problems = (extra: Record<string, unknown>) => {
  try { parseSiteSpec(withKeys(extra)); } catch (err) { if (err instanceof SpecError) return err.problems; throw err; }
  return [];
};

const P: ProxyInput = { http: 'http://proxy.acme.example:3128', https: 'http://proxy.acme.example:3128', noProxy: ['.acme.example'],
  network: { gateway: '192.168.1.254', prefixLength: 24 }, virtualIp: '192.168.1.50' };

test('spec: proxy, microk8s.refreshHold and hooks parse with their defaults; bad values name the field', () => {
  const spec = parseSiteSpec(withKeys({ proxy: { https: 'http://proxy:3128' }, hooks: { after: { 'deploy-chart': ['/etc/kloudspot/hooks/a.sh'] } } }));
  assert.deepEqual(spec.proxy, { https: 'http://proxy:3128', noProxy: [] });
  assert.equal(spec.microk8s.refreshHold, 'forever', 'on by default');
  assert.equal(parseSiteSpec(withKeys({ microk8s: { refreshHold: false } })).microk8s.refreshHold, 'off');
  assert.equal(parseSiteSpec(withKeys({ microk8s: { refreshHold: '720h' } })).microk8s.refreshHold, '720h');
  assert.deepEqual(problems({ proxy: {} }).map((p) => p.path), ['proxy']);
  assert.deepEqual(problems({ proxy: { http: 'http://u:p@proxy:3128', noProxy: ['10.0.0.0/8', 'a b'] } }).map((p) => p.path), ['proxy.http', 'proxy.noProxy[1]']);
  assert.deepEqual(problems({ proxy: { http: 'http://proxy:3128', socks: 'x' } }).map((p) => p.path), ['proxy.socks']);
  assert.deepEqual(problems({ microk8s: { refreshHold: '30d' } }).map((p) => p.path), ['microk8s.refreshHold']);
  const hooks = problems({ hooks: { before: { 'prepare-node': ['/a.sh'] }, during: {} } });
  assert.deepEqual(hooks.map((p) => p.path).sort(), ['hooks.before.prepare-node', 'hooks.during']);
  assert.match(hooks.find((p) => p.path === 'hooks.before.prepare-node')!.message, /allowed here: preflight, prepare-nodes, form-cluster, configure-storage, deploy-chart/);
});

test('NO_PROXY covers the node subnet, the virtual IP, MicroK8s\' pod and service ranges and the spec\'s own', () => {
  assert.equal(subnetCidr('192.168.1.254', 24), '192.168.1.0/24');
  assert.equal(subnetCidr('10.20.30.40', 20), '10.20.16.0/20');
  assert.deepEqual(noProxyList(P), ['localhost', '127.0.0.1', '192.168.1.0/24', '192.168.1.50', '10.1.0.0/16', '10.152.183.0/24', '.acme.example']);
});

test('proxy files: apt\'s file, one containerd-env block replaced in place and removable; snap and curl commands', () => {
  assert.equal(renderAptProxy(P), '# BEGIN kloudspot-installer proxy\n# Written by kloudspot-installer from the site spec\'s proxy; replaced as a whole when it changes.\n' +
    'Acquire::http::Proxy "http://proxy.acme.example:3128";\nAcquire::https::Proxy "http://proxy.acme.example:3128";\n# END kloudspot-installer proxy\n');
  const stock = '# MicroK8s\nulimit -n 65536 || true\n';
  const once = renderContainerdEnv(stock, P);
  assert.match(once, /^ulimit -n 65536 \|\| true\n\n# BEGIN kloudspot-installer proxy\nHTTP_PROXY=/m);
  assert.equal(renderContainerdEnv(once, P), once);
  const changed = renderContainerdEnv(`${once}# someone's line\n`, { ...P, noProxy: [] });
  assert.equal(changed.split('# BEGIN').length, 2);
  assert.match(changed, /# END kloudspot-installer proxy\n# someone's line\n$/, 'replaced where it was, later lines kept');
  assert.equal(withoutProxyBlock(once), stock);
  // A doubled block (a hand edit) collapses to one.
  const m = { begin: '# B', end: '# E' };
  assert.equal(replaceBlock('a\n# B\nx\n# E\nb\n# B\ny\n# E\n', m, ['z']), 'a\n# B\nz\n# E\nb\n');
  assert.deepEqual(blockLines('a\n# B\nz\n# E\n', m), ['z']);
  assert.equal(removeBlock('a\n# B\nz\n# E\n', m), 'a\n');
  assert.equal(snapProxySet({ 'proxy.http': 'http://p:1', 'proxy.https': '' }).command, "sudo -n env LC_ALL=C snap set system proxy.http=http://p:1 'proxy.https!'");
  assert.deepEqual(curlProxyOptions(undefined), []);
  assert.equal(downloadTools('https://r.example/t.sh', P).command,
    'curl -fsSL --proto =https --tlsv1.2 --proxy http://proxy.acme.example:3128 --noproxy localhost,127.0.0.1,192.168.1.0/24,192.168.1.50,10.1.0.0/16,10.152.183.0/24,.acme.example ' +
    'https://r.example/t.sh | sudo -n env LC_ALL=C tee /root/kloudspot-tools.sh >/dev/null');
  assert.equal(downloadTools('https://r.example/t.sh').command, 'curl -fsSL --proto =https --tlsv1.2 https://r.example/t.sh | sudo -n env LC_ALL=C tee /root/kloudspot-tools.sh >/dev/null');
  assert.equal(runTools().command, 'sudo -n env LC_ALL=C bash /root/kloudspot-tools.sh');
  assert.match(runTools(P).command, /^sudo -n env LC_ALL=C HTTP_PROXY=http:\/\/proxy\.acme\.example:3128 .* bash \/root\/kloudspot-tools\.sh$/);
});

test('snap: hold and list commands; notes and the refresh --time hold line parsed as snapd prints them', () => {
  assert.equal(holdRefresh('forever').command, 'sudo -n env LC_ALL=C snap refresh --hold=forever microk8s');
  assert.equal(listSnap().command, 'snap list microk8s');
  assert.deepEqual(parseSnapNotes('Name      Version  Rev    Tracking     Publisher   Notes\nmicrok8s  v1.32.3  7394   1.32/stable  canonical✓  classic,held\n'), ['classic', 'held']);
  assert.deepEqual(parseSnapNotes('Name  Version  Rev  Tracking  Publisher  Notes\nmicrok8s  v1  1  latest/stable  canonical✓  -\n'), []);
  assert.equal(parseSnapNotes('Name  Version  Rev  Tracking  Publisher  Notes\n'), undefined);
  assert.equal(parseRefreshHold('timer: 00:00~24:00/4\nlast: today at 07:39 UTC\nhold: forever\nnext: today at 13:00 UTC (but held)\n'), 'forever');
  assert.equal(parseRefreshHold('timer: 00:00~24:00/4\nlast: n/a\nnext: n/a\n'), undefined);
  const hook = runHookScript({ site: 'acme-hq', node: 'k8s-vm-1', phase: 'prepare-nodes', when: 'before', script: 'rm -rf "$HOME"\n' });
  assert.equal(hook.command, 'sudo -n env LC_ALL=C KLOUDSPOT_SITE=acme-hq KLOUDSPOT_NODE=k8s-vm-1 KLOUDSPOT_PHASE=prepare-nodes KLOUDSPOT_HOOK=before bash -s');
  assert.equal(hook.stdin, 'rm -rf "$HOME"\n', 'the script is stdin only');
});

test('hook files on the worker: regular, readable, at most 64 KiB, not empty; each problem names the field and the fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ks-hookfile-'));
  const ok = join(dir, 'ok.sh');
  writeFileSync(ok, 'echo ok\n');
  const big = join(dir, 'big.sh');
  writeFileSync(big, 'x'.repeat(HOOK_MAX_BYTES + 1));
  const empty = join(dir, 'empty.sh');
  writeFileSync(empty, '\n');
  const field = 'hooks.before.preflight[0]';
  assert.deepEqual(await readHookFile({ field, file: ok }), { script: 'echo ok\n' });
  const problem = async (file: string) => { const r = await readHookFile({ field, file }); return 'problem' in r ? r.problem : ''; };
  assert.match(await problem(big), /^hooks\.before\.preflight\[0\]: .*big\.sh is 65537 bytes, over the 64 KiB a hook may be\. Fix: /);
  assert.match(await problem(dir), /is not a regular file\. Fix: /);
  assert.match(await problem(join(dir, 'nope.sh')), /does not exist on the worker\. Fix: /);
  assert.match(await problem(empty), /is empty\. Fix: /);
});
