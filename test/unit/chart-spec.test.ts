// Spec `chart` (issue 16, item 11): StorageClass names and extra values for the chart, strict like the rest;
// the values file carries them, the cStor StorageClass and the probe claim take the shared class's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { parseSiteSpec, SpecError } from '../../src/site/load';
import { renderValues, type ChartValuesInput } from '../../src/activities/commands/chart';
import { renderCstorManifests } from '../../src/activities/commands/openebs';
import { renderProbeClaim } from '../../src/activities/commands/cstor-volume';

const example = readFileSync(join(__dirname, '..', '..', 'examples', 'site.yaml'), 'utf8');
const withChart = (chart: unknown) => ({ ...(yaml.load(example) as Record<string, unknown>), chart });

function problemsOf(data: unknown): { path: string; message: string }[] {
  try {
    parseSiteSpec(data);
  } catch (err) {
    assert.ok(err instanceof SpecError, `expected SpecError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected the spec to be rejected');
}

const input: ChartValuesInput = {
  site: 's', customer: 'c', dnsHostname: 'k.example', virtualIp: '192.168.1.50',
  features: { kloudManage: false, kloudInsights: true, kloudHybrid: false },
  storage: { elasticsearch: 10, streamState: 10, insightsDatabase: 10, kafka: 2, zookeeper: 2 }, volumeGroup: 'ubuntu-vg', tls: 'self-signed',
};

test('chart defaults: the cStor class cstor-csi, no extra values; the values file as before', () => {
  const spec = parseSiteSpec(yaml.load(example));
  assert.deepEqual(spec.chart, { storageClasses: { shared: 'cstor-csi' }, values: {} });
  const plain = renderValues(input);
  assert.equal(renderValues({ ...input, storageClasses: spec.chart.storageClasses, extraValues: spec.chart.values }), plain);
  assert.match(plain, /^storage:\n {2}sharedStorageClass: "cstor-csi"\n {2}unsharedVolumeGroup: "ubuntu-vg"\n {2}volumes:\n {4}elasticsearch: "10Gi"$/m);
});

test('chart.storageClasses and chart.values reach the values file, merged into the installer\'s sections, every string quoted', () => {
  const spec = parseSiteSpec(withChart({
    storageClasses: { shared: 'kloud-shared', unshared: 'openebs-lvmpv' },
    values: { 'global.timezone': 'Europe/London', 'elasticsearch.replicas': 3, 'kafka.enabled': false, 'web.banner': 'null' },
  }));
  const out = renderValues({ ...input, storageClasses: spec.chart.storageClasses, extraValues: spec.chart.values });
  const parsed = yaml.load(out) as Record<string, Record<string, unknown>>;
  assert.equal(parsed.global.timezone, 'Europe/London');
  assert.equal(parsed.global.hostname, 'k.example');
  assert.deepEqual(parsed.elasticsearch, { replicas: 3 });
  assert.deepEqual(parsed.kafka, { enabled: false });
  assert.equal(parsed.web.banner, 'null', 'a string stays a string');
  assert.equal(parsed.storage.sharedStorageClass, 'kloud-shared');
  assert.equal(parsed.storage.unsharedStorageClass, 'openebs-lvmpv');
  assert.equal((out.match(/^global:$/gm) ?? []).length, 1, 'one global section');
  const manifests = JSON.parse(renderCstorManifests([{ node: 'n1', blockDevice: 'blockdevice-1' }], 3, 'kloud-shared')) as { items: { kind: string; metadata: { name: string } }[] };
  assert.equal(manifests.items.find((i) => i.kind === 'StorageClass')?.metadata.name, 'kloud-shared');
  assert.equal((JSON.parse(renderProbeClaim('kloud-shared')) as { spec: { storageClassName: string } }).spec.storageClassName, 'kloud-shared');
});

test('chart errors name the field and the fix', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ storageClasses: { shared: 'Cstor_CSI' } }, 'chart.storageClasses.shared', /is not a StorageClass name\. Fix:/],
    [{ storageClasses: { fast: 'x' } }, 'chart.storageClasses.fast', /is not a known key\. Fix: .*allowed here: shared, unshared/],
    [{ values: { 'global.hostname': 'other.example' } }, 'chart.values.global.hostname', /would replace global\.hostname.*Fix: set it through its spec field/],
    [{ values: { storage: 'x' } }, 'chart.values.storage', /would replace storage/],
    [{ values: { 'a.b': 1, a: 2 } }, 'chart.values.a', /overlaps a\.b\. Fix:/],
    [{ values: { 'bad key': 1 } }, 'chart.values.bad key', /is not a dotted values key\. Fix:/],
    [{ values: { x: 'two\nlines' } }, 'chart.values.x', /control character.*Fix:/],
    [{ values: { x: { nested: 1 } } }, 'chart.values.x', /is not a string, number or boolean\. Fix:/],
    [{ other: 1 }, 'chart.other', /is not a known key\. Fix:/],
  ];
  for (const [chart, path, message] of cases) {
    const problems = problemsOf(withChart(chart));
    const p = problems.find((x) => x.path === path);
    assert.ok(p, `${JSON.stringify(chart)}: a problem at ${path}, got ${JSON.stringify(problems)}`);
    assert.match(p.message, message);
  }
});

test('deploy.mode: values by default; kloudspot-init accepted; anything else, and chart values init never asks, named with the fix', () => {
  const base = yaml.load(example) as Record<string, unknown>;
  assert.equal(parseSiteSpec(base).deploy.mode, 'values');
  assert.equal(parseSiteSpec({ ...base, deploy: { mode: 'kloudspot-init' } }).deploy.mode, 'kloudspot-init');
  const bad = problemsOf({ ...base, deploy: { mode: 'init' } }).find((p) => p.path === 'deploy.mode');
  assert.match(bad?.message ?? '', /is not a deploy mode\. Fix: write values .* or kloudspot-init/);
  assert.ok(problemsOf({ ...base, deploy: { mode: 'values', extra: 1 } }).some((p) => p.path === 'deploy.extra'));
  const mixed = problemsOf({ ...base, deploy: { mode: 'kloudspot-init' }, chart: { values: { 'global.timezone': 'UTC' } } }).find((p) => p.path === 'chart');
  assert.match(mixed?.message ?? '', /kloudspot init never asks for.*Fix: remove them, or use deploy\.mode: values/);
});
