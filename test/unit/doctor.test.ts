// The doctor's pure parts: the output parsers of its reads, the judgement of facts (each threshold on both
// sides), and the spec's doctor.every with its error naming the field and the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { parseEndDate } from '../../src/activities/commands/openssl';
import { parseClock, parseDirectorySize, parseRootSpace } from '../../src/activities/commands/coreutils';
import type { NodeFacts, ClusterFacts } from '../../src/activities/doctor';
import { backupAgeCheck, evaluate, verdictOf, type DoctorFacts } from '../../src/workflows/doctor-checks';
import { parseSiteSpec, SpecError } from '../../src/site/load';
import { parseRefreshTimes, parseSnapHeld } from '../../src/activities/commands/snap';
import { parseVolumeReplicas, parseVolumes } from '../../src/activities/commands/openebs';
import { parseTlsCertificate } from '../../src/activities/commands/chart';
import { CERT } from '../helpers/sim-tls';

const DAY = 86_400_000;
const GiB = 2 ** 30;
const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

test('parsers read the real formats and refuse anything else', () => {
  assert.equal(parseEndDate('notAfter=Jan  5 14:38:14 2027 GMT\n'), Date.UTC(2027, 0, 5, 14, 38, 14));
  assert.equal(parseEndDate('notAfter=Dec 25 00:00:01 2026 GMT'), Date.UTC(2026, 11, 25, 0, 0, 1));
  assert.throws(() => parseEndDate('Could not open file or uri for loading certificate from x'), /unexpected "openssl x509 -enddate" output/);
  assert.deepEqual(parseRootSpace('       Avail    1B-blocks\n 94123456512 105089261568\n'), { availBytes: 94123456512, sizeBytes: 105089261568 });
  assert.throws(() => parseRootSpace('Avail\n12\n'), /unexpected "df/);
  assert.equal(parseDirectorySize('183500800\t/var/snap/microk8s/current/var/kubernetes/backend\n'), 183500800);
  assert.equal(parseClock('1764688360.123456789\n'), 1764688360123);
  assert.throws(() => parseClock('Wed Dec  2 15:00:00 UTC 2026'), /unexpected "date/);
  // snapd cmd_snap_op.go showRefreshTimes() with --abs-time.
  assert.deepEqual(parseRefreshTimes('timer: 00:00~24:00/4\nlast: 2026-12-02T09:12:44Z\nhold: forever\nnext: 2026-12-02T15:20:00Z (but held)\n'), { kind: 'forever' });
  assert.deepEqual(parseRefreshTimes('timer: 00:00~24:00/4\nlast: n/a\nhold: 2027-01-01T10:00:00+01:00\nnext: 2026-12-02T15:20:00Z (but held)\n'),
    { kind: 'until', at: Date.UTC(2027, 0, 1, 9) });
  assert.deepEqual(parseRefreshTimes('schedule: 00:00-04:59\nlast: n/a\nnext: n/a\n'), { kind: 'none' });
  assert.throws(() => parseRefreshTimes('error: cannot communicate with server'), /unexpected "snap refresh --time"/);
  assert.throws(() => parseRefreshTimes('timer: x\nhold: tomorrow at 10:00 UTC\n'), /unexpected hold time/);
  assert.equal(parseSnapHeld('Name      Version  Rev    Tracking     Publisher   Notes\nmicrok8s  v1.32.3  7394   1.32/stable  canonical\u2713  classic,held\n'), true);
  assert.equal(parseSnapHeld('Name      Version  Rev    Tracking     Publisher   Notes\nmicrok8s  v1.32.3  7394   1.32/stable  canonical\u2713  classic\n'), false);
  const labels = { 'cstorvolume.openebs.io/name': 'pvc-1', 'cstorpoolinstance.openebs.io/hostname': 'k8s-vm-2', 'cstorpoolinstance.openebs.io/name': 'cstor-storage-abcd' };
  const cvr = { items: [{ metadata: { name: 'pvc-1-cstor-storage-abcd', labels },
    status: { phase: 'Offline' } }, { metadata: { name: 'x\u001b[31m', labels: {} }, status: { phase: 'Healthy; rm' } }] };
  assert.deepEqual(parseVolumeReplicas(JSON.stringify(cvr)), [
    { name: 'pvc-1-cstor-storage-abcd', volume: 'pvc-1', node: 'k8s-vm-2', pool: 'cstor-storage-abcd', phase: 'Offline' },
    { name: '?', volume: '?', node: '?', pool: '?', phase: '?' }], 'names from the node are held to Kubernetes patterns');
  assert.deepEqual(parseVolumes(JSON.stringify({ items: [{ metadata: { name: 'pvc-1' }, status: { phase: 'Degraded' } }] })), [{ name: 'pvc-1', phase: 'Degraded' }]);
  assert.deepEqual(parseTlsCertificate(Buffer.from(CERT).toString('base64')), { notAfter: Date.UTC(2036, 10, 22, 16, 8, 51), subject: 'kloudspot.sim.example' });
  assert.throws(() => parseTlsCertificate('not base64!'), /not base64/);
});

const healthyNode = (name: string, over: Partial<NodeFacts> = {}): NodeFacts => ({
  node: name, hostKey: 'SHA256:k', microk8sRunning: true, datastoreVoters: ['10.0.0.1:19001', '10.0.0.2:19001', '10.0.0.3:19001'],
  certificates: { 'ca.crt': NOW + 3000 * DAY, 'server.crt': NOW + 300 * DAY, 'front-proxy-client.crt': NOW + 300 * DAY },
  root: { availBytes: 50 * GiB, sizeBytes: 100 * GiB }, volumeGroup: { name: 'ubuntu-vg', freeBytes: 500 * GiB, sizeBytes: 900 * GiB },
  datastoreBytes: 200e6, clockOffsetMs: 0, refreshHold: { all: { kind: 'forever' }, microk8sHeld: false }, ...over,
});
const cluster = (over: Partial<ClusterFacts> = {}): ClusterFacts => ({
  from: 'a', errors: {}, virtualIpAnswers: true, datastoreVoters: ['10.0.0.1:19001', '10.0.0.2:19001', '10.0.0.3:19001'],
  kubeNodes: ['a', 'b', 'c'].map((name) => ({ name, status: 'Ready', roles: '<none>', version: 'v1.32.3' })),
  pools: [{ name: 'p-1', node: 'a', phase: 'ONLINE' }], pods: [{ name: 'web-0', phase: 'Running', ready: true }],
  volumes: [{ name: 'pvc-1', phase: 'Healthy' }], replicas: [{ name: 'pvc-1-p-1', volume: 'pvc-1', node: 'a', pool: 'p-1', phase: 'Healthy' }],
  ingressCertificate: { notAfter: NOW + 200 * DAY, subject: 'kloudspot.acme.example' }, ...over,
});
function facts(nodeOver: Record<string, Partial<NodeFacts>> = {}, clusterOver: Partial<ClusterFacts> = {}): DoctorFacts {
  return {
    nodes: ['a', 'b', 'c'].map((n) => ({ name: n, role: 'manager' as const, pinnedHostKey: 'SHA256:k', facts: healthyNode(n, nodeOver[n]) })),
    cluster: cluster(clusterOver), virtualIp: '10.0.0.50', tlsMode: 'upload', refreshHold: true, now: NOW,
  };
}
const notOk = (d: DoctorFacts) => evaluate(d).filter((c) => c.level !== 'ok').map((c) => `${c.check}${c.node ? `@${c.node}` : ''}=${c.level}`);

test('healthy facts: every check ok', () => {
  assert.deepEqual(notOk(facts()), []);
  assert.equal(verdictOf(evaluate(facts())), 'ok');
});

test('each threshold on both sides', () => {
  const cert = (days: number) => notOk(facts({ b: { certificates: { 'server.crt': NOW + days * DAY + 1000 } } }));
  assert.deepEqual(cert(60), []);
  assert.deepEqual(cert(59), ['certificates@b=warn']);
  assert.deepEqual(cert(14), ['certificates@b=warn']);
  assert.deepEqual(cert(13), ['certificates@b=fail']);
  const root = (pct: number) => notOk(facts({ c: { root: { availBytes: pct * GiB, sizeBytes: 100 * GiB } } }));
  assert.deepEqual(root(20), []);
  assert.deepEqual(root(19), ['disk-root@c=warn']);
  assert.deepEqual(root(9), ['disk-root@c=fail']);
  assert.deepEqual(notOk(facts({ a: { clockOffsetMs: 1500 } })), ['clock-skew=warn']);
  assert.deepEqual(notOk(facts({ a: { clockOffsetMs: -11_000 } })), ['clock-skew=fail']);
  assert.deepEqual(notOk(facts({ a: { datastoreBytes: 3 * GiB } })), ['datastore-size@a=warn']);
  assert.deepEqual(notOk(facts({ a: { volumeGroup: { name: 'ubuntu-vg', freeBytes: 4 * GiB, sizeBytes: 900 * GiB } } })), ['disk-vg@a=warn']);
  const ingress = (days: number) => notOk(facts({}, { ingressCertificate: { notAfter: NOW + days * DAY + 1000, subject: 'k' } }));
  assert.deepEqual(ingress(60), []);
  assert.deepEqual(ingress(59), ['ingress-certificate=warn']);
  assert.deepEqual(ingress(13), ['ingress-certificate=fail']);
  const hold = (h: NonNullable<NodeFacts['refreshHold']>) => notOk(facts({ b: { refreshHold: h } }));
  assert.deepEqual(hold({ all: { kind: 'until', at: NOW + 14 * DAY + 1000 }, microk8sHeld: false }), []);
  assert.deepEqual(hold({ all: { kind: 'until', at: NOW + 13 * DAY }, microk8sHeld: false }), ['refresh-hold@b=warn']);
  assert.deepEqual(hold({ all: { kind: 'none' }, microk8sHeld: false }), ['refresh-hold@b=warn']);
  assert.deepEqual(hold({ all: { kind: 'none' }, microk8sHeld: true }), [], 'a per-snap hold of microk8s counts');
  assert.deepEqual(notOk({ ...facts({ b: { refreshHold: { all: { kind: 'none' }, microk8sHeld: false } } }), refreshHold: false }), [], 'microk8s.refreshHold off');
});

test('host key, unreachable node, voters, pools, pods, virtual IP', () => {
  assert.deepEqual(notOk(facts({ b: { hostKey: 'SHA256:other' } })), ['ssh@b=fail']);
  const down = evaluate(facts({ c: { unreachable: 'connect ECONNREFUSED' } }));
  assert.deepEqual(down.filter((c) => c.node === 'c').map((c) => c.check), ['ssh'], 'an unreachable node has only its ssh finding');
  assert.deepEqual(notOk(facts({}, { datastoreVoters: ['10.0.0.1:19001', '10.0.0.2:19001'] })), ['voters=fail']);
  assert.deepEqual(notOk(facts({ b: { datastoreVoters: ['10.0.0.1:19001'] } })), ['voters=fail'], 'managers that disagree');
  assert.deepEqual(notOk(facts({}, { pools: [{ name: 'p-1', node: 'a', phase: 'OFFLINE' }] })), ['pools=fail']);
  assert.deepEqual(notOk(facts({}, { pods: [{ name: 'web-0', phase: 'Pending', ready: false }, { name: 'job', phase: 'Succeeded', ready: false }] })), ['pods=fail']);
  assert.deepEqual(notOk(facts({}, { virtualIpAnswers: false })), ['virtual-ip=fail']);
  assert.deepEqual(notOk(facts({}, { replicas: [{ name: 'pvc-1-p-1', volume: 'pvc-1', node: 'a', pool: 'p-1', phase: 'Offline' }] })), ['volume-replicas=fail']);
  assert.deepEqual(notOk(facts({}, { volumes: [{ name: 'pvc-1', phase: 'Degraded' }] })), ['volume-replicas=fail']);
  assert.deepEqual(notOk(facts({}, { ingressCertificate: null })), ['ingress-certificate=fail'], 'tls.mode upload without a Secret');
  assert.deepEqual(notOk({ ...facts({}, { ingressCertificate: null }), tlsMode: 'self-signed' }), []);
  const none = evaluate({ ...facts(), cluster: undefined });
  assert.equal(none.find((c) => c.check === 'cluster')?.level, 'fail');
});

const example = () => yaml.load(readFileSync(join(__dirname, '..', '..', 'examples', 'site.yaml'), 'utf8')) as Record<string, unknown>;
function problemOf(doctor: unknown): string {
  try {
    parseSiteSpec({ ...example(), doctor });
  } catch (err) {
    assert.ok(err instanceof SpecError);
    return err.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
  }
  return '';
}

test('spec doctor.every: default 6h, off allowed, a bad value names the field and the fix', () => {
  assert.equal(parseSiteSpec(example()).doctor.every, '6h');
  assert.equal(parseSiteSpec({ ...example(), doctor: { every: 'off' } }).doctor.every, 'off');
  assert.match(problemOf({ every: '6 hours' }), /doctor\.every: "6 hours" is not an interval\. Fix: .*e\.g\. 6h\), or off/);
  assert.match(problemOf({ every: '5s' }), /doctor\.every: "5s" is shorter than 10s\. Fix:/);
  assert.match(problemOf({ every: '6h', at: 3 }), /doctor/);
});

test('backup-age: none or older than 1.5 intervals warns; younger is ok', () => {
  const every = 24 * 3_600_000;
  assert.deepEqual(backupAgeCheck({ everyMs: every }, NOW).level, 'warn');
  assert.equal(backupAgeCheck({ everyMs: every }, NOW).value, 'a backup every 24h is scheduled, but there is none');
  const at = (hoursAgo: number) => ({ everyMs: every, newest: { takenAt: new Date(NOW - hoursAgo * 3_600_000).toISOString(), path: '/b' } });
  assert.equal(backupAgeCheck(at(35.9), NOW).level, 'ok');
  assert.equal(backupAgeCheck(at(36.1), NOW).level, 'warn');
  assert.match(backupAgeCheck(at(36.1), NOW).value, /\(36\.1h old; a backup every 24h\)$/);
  const base = { nodes: [], virtualIp: '10.0.0.1', tlsMode: 'self-signed' as const, refreshHold: true, now: NOW };
  assert.ok(!evaluate({ ...base, backup: null }).some((c) => c.check === 'backup-age'), 'no Schedule, no check');
  assert.ok(evaluate({ ...base, backup: { everyMs: every } }).some((c) => c.check === 'backup-age' && c.level === 'warn'));
});
