import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { parseSiteSpec, parseSiteSpecYaml, SpecError } from '../../src/site/load';
import { nodeRole } from '../../src/site/schema';

const example = readFileSync(join(__dirname, '..', '..', 'examples', 'site.yaml'), 'utf8');
const base = () => yaml.load(example) as Record<string, any>;

function problemsOf(data: unknown): { path: string; message: string }[] {
  try {
    parseSiteSpec(data);
  } catch (err) {
    assert.ok(err instanceof SpecError, `expected SpecError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected the spec to be rejected');
}

test('defaults are filled in: ssh port, lvm, timeouts, tools URL', () => {
  const s = base();
  // The tools pin has no default (issue 17): only the URL does.
  delete s.ssh.port; delete s.lvm; delete s.timeouts; delete s.kloudspot.toolsUrl;
  const spec = parseSiteSpec(s);
  assert.equal(spec.ssh.port, 22);
  assert.deepEqual(spec.lvm, { volumeGroup: 'ubuntu-vg', sharedVolumeSize: '20G' });
  assert.equal(spec.timeouts.nodeReboot, '15m');
  assert.match(spec.kloudspot.toolsUrl, /on-prem-cluster\.sh$/);
});

test('roles: first three are managers unless a role says otherwise', () => {
  const nodes = [{}, { role: 'worker' as const }, {}, {}, {}];
  assert.deepEqual(nodes.map((_, i) => nodeRole(nodes, i)), ['manager', 'worker', 'manager', 'worker', 'worker']);
});

// Each case: a mutation of the valid example, and the path the error must name.
const cases: [string, (s: Record<string, any>) => void, string][] = [
  ['unknown top-level key', (s) => { s.sitename = 'x'; }, 'sitename'],
  ['unknown nested key', (s) => { s.nodes[1].ip = '1.2.3.4'; }, 'nodes[1].ip'],
  ['missing site', (s) => { delete s.site; }, 'site'],
  ['site not a slug', (s) => { s.site = 'Acme_HQ'; }, 'site'],
  ['fewer than three nodes', (s) => { s.nodes = s.nodes.slice(0, 2); }, 'nodes'],
  ['duplicate node name', (s) => { s.nodes[2].name = 'k8s-vm-1'; }, 'nodes[2].name'],
  ['duplicate node address', (s) => { s.nodes[3].address = s.nodes[0].address; }, 'nodes[3].address'],
  ['node name not an RFC 1123 label', (s) => { s.nodes[0].name = 'K8S_VM_1'; }, 'nodes[0].name'],
  ['node address not IPv4', (s) => { s.nodes[1].address = '192.168.1'; }, 'nodes[1].address'],
  ['node address with leading zero', (s) => { s.nodes[1].address = '192.168.1.074'; }, 'nodes[1].address'],
  ['node outside the subnet', (s) => { s.nodes[2].address = '10.1.1.1'; }, 'nodes[2].address'],
  ['virtual IP outside the subnet', (s) => { s.virtualIp = '10.0.0.50'; }, 'virtualIp'],
  ['virtual IP equals a node', (s) => { s.virtualIp = s.nodes[1].address; }, 'virtualIp'],
  ['virtual IP equals the gateway', (s) => { s.virtualIp = s.network.gateway; }, 'virtualIp'],
  ['gateway outside the nodes\' subnet', (s) => { s.network.gateway = '192.168.2.1'; }, 'nodes[0].address'],
  ['gateway equals a node', (s) => { s.network.gateway = s.nodes[0].address; }, 'network.gateway'],
  ['fewer than three managers', (s) => { s.nodes[2].role = 'worker'; }, 'nodes'],
  ['bad role', (s) => { s.nodes[0].role = 'master'; }, 'nodes[0].role'],
  ['prefix length out of range', (s) => { s.network.prefixLength = 33; }, 'network.prefixLength'],
  ['ssh port not a number', (s) => { s.ssh.port = '22'; }, 'ssh.port'],
  ['bad host key', (s) => { s.nodes[0].hostKey = 'MD5:aa:bb'; }, 'nodes[0].hostKey'],
  ['bad LVM size', (s) => { s.lvm.sharedVolumeSize = '20 GB'; }, 'lvm.sharedVolumeSize'],
  ['bad TLS mode', (s) => { s.tls.mode = 'letsencrypt'; }, 'tls.mode'],
  ['bad timeout', (s) => { s.timeouts.nodeReboot = '15 minutes'; }, 'timeouts.nodeReboot'],
  ['negative storage', (s) => { s.storage.kafka = -1; }, 'storage.kafka'],
  ['insights on without a database size', (s) => { s.storage.insightsDatabase = 0; }, 'storage.insightsDatabase'],
  ['tools URL with a query string', (s) => { s.kloudspot.toolsUrl = 'https://x.example/a.sh?x=1&y=2'; }, 'kloudspot.toolsUrl'],
  ['feature not a boolean', (s) => { s.features.kloudManage = 'yes'; }, 'features.kloudManage'],
];

for (const [name, mutate, path] of cases) {
  test(`rejected with its path: ${name}`, () => {
    const s = base();
    mutate(s);
    const problems = problemsOf(s);
    const hit = problems.find((p) => p.path === path);
    assert.ok(hit, `no problem at ${path}; got ${JSON.stringify(problems)}`);
    assert.match(hit!.message, /Fix:/, 'every message says how to fix it');
  });
}

// Shell metacharacters in every string field that can reach a node must be rejected by the schema.
const HOSTILE = ['a;reboot', 'a$(id)', 'a`id`', "a'b", 'a"b', 'a b', 'a|b', 'a&b', 'a>b', 'a\nb', 'a\\b', 'a\u0000b'];
const stringFields: [string, (s: Record<string, any>, v: string) => void][] = [
  ['site', (s, v) => { s.site = v; }],
  ['customer', (s, v) => { s.customer = v; }],
  ['dnsHostname', (s, v) => { s.dnsHostname = v; }],
  ['virtualIp', (s, v) => { s.virtualIp = v; }],
  ['network.gateway', (s, v) => { s.network.gateway = v; }],
  ['network.nameservers[1]', (s, v) => { s.network.nameservers[1] = v; }],
  ['ssh.user', (s, v) => { s.ssh.user = v; }],
  ['nodes[0].name', (s, v) => { s.nodes[0].name = v; }],
  ['nodes[0].address', (s, v) => { s.nodes[0].address = v; }],
  ['nodes[0].interface', (s, v) => { s.nodes[0].interface = v; }],
  ['nodes[0].hostKey', (s, v) => { s.nodes[0].hostKey = v; }],
  ['lvm.volumeGroup', (s, v) => { s.lvm.volumeGroup = v; }],
  ['lvm.sharedVolumeSize', (s, v) => { s.lvm.sharedVolumeSize = v; }],
  ['timeouts.chartReady', (s, v) => { s.timeouts.chartReady = v; }],
  ['kloudspot.toolsUrl', (s, v) => { s.kloudspot.toolsUrl = 'https://x.example/' + v; }],
];
for (const [path, set] of stringFields) {
  test(`shell metacharacters rejected in ${path}`, () => {
    for (const v of HOSTILE) {
      const s = base();
      set(s, v);
      const problems = problemsOf(s);
      assert.ok(problems.some((p) => p.path === path), `${JSON.stringify(v)} in ${path} not rejected: ${JSON.stringify(problems)}`);
    }
  });
}

test('YAML syntax errors give line and column', () => {
  assert.throws(() => parseSiteSpecYaml('site: acme\nnodes: [\n  - a\n', 'x.yaml'),
    (e: SpecError) => /line \d+, column \d+/.test(e.message));
});
