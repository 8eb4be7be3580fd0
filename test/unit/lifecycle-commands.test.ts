// upgrade's builders and parsers: golden command text, the channel rule, snapd's `snap list`, and the drain
// errors kubectl prints for a disruption budget (strictly matched: node output is untrusted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drainBlockedPods, drainNode, uncordonNode } from '../../src/activities/commands/kubectl';
import { listSnap, microk8sTracking, parseSnapList, snapRefreshChannel } from '../../src/activities/commands/snap';
import { isReady, parseKubeNodes } from '../../src/activities/commands/microk8s';
import { oneMinorAhead } from '../../src/site/channels';
import { goDuration } from '../../src/sim/commands/kubectl-drain';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readTarGz, writeTarGz } from '../../src/activities/tar';
import { datastoreKeys } from '../../src/activities/backup';
import { parseBase64, readFileBase64, removeFile } from '../../src/activities/commands/files';
import { dbctlBackup, dbctlRestore, parseBackupFile, parseRestoredEntries } from '../../src/activities/commands/microk8s';

test('golden upgrade commands', () => {
  assert.equal(listSnap().command, 'snap list microk8s');
  assert.equal(listSnap().readOnly, true);
  assert.equal(snapRefreshChannel('1.33/stable').command, 'sudo -n env LC_ALL=C snap refresh microk8s --channel=1.33/stable');
  assert.equal(drainNode('k8s-vm-2', 120).command, 'sudo -n env LC_ALL=C microk8s kubectl drain k8s-vm-2 --ignore-daemonsets --delete-emptydir-data --timeout=120s');
  assert.equal(drainNode('k8s-vm-2', 30, true).command, 'sudo -n env LC_ALL=C microk8s kubectl drain k8s-vm-2 --ignore-daemonsets --delete-emptydir-data --timeout=30s --disable-eviction');
  assert.equal(uncordonNode('k8s-vm-2').command, 'sudo -n env LC_ALL=C microk8s kubectl uncordon k8s-vm-2');
  assert.equal(drainNode("a'; reboot #", 60).command, "sudo -n env LC_ALL=C microk8s kubectl drain 'a'\\''; reboot #' --ignore-daemonsets --delete-emptydir-data --timeout=60s");
  for (const bad of ['1.33/stable; reboot', 'latest/stable', '1.33', '$(id)/stable', '1.33/stable\n']) assert.throws(() => snapRefreshChannel(bad), /not a MicroK8s channel/);
});

test('the channel rule: exactly one minor ahead, same major, any risk', () => {
  assert.ok(oneMinorAhead('1.32/stable', '1.33/stable'));
  assert.ok(oneMinorAhead('1.32/stable', '1.33/candidate'));
  assert.ok(!oneMinorAhead('1.32/stable', '1.32/stable'));
  assert.ok(!oneMinorAhead('1.31/stable', '1.33/stable'));
  assert.ok(!oneMinorAhead('1.33/stable', '1.32/stable'));
  assert.ok(!oneMinorAhead('1.9/stable', '2.10/stable'));
  assert.ok(oneMinorAhead('1.9/stable', '1.10/stable'));
});

test('snap list: the Tracking column, held to a channel pattern', () => {
  const text = 'Name      Version  Rev    Tracking     Publisher   Notes\nmicrok8s  v1.32.3  7394   1.32/stable  canonical\u2713  classic\n';
  assert.deepEqual(parseSnapList(text), [{ name: 'microk8s', version: 'v1.32.3', rev: '7394', tracking: '1.32/stable', notes: 'classic' }]);
  assert.equal(microk8sTracking(text), '1.32/stable');
  assert.throws(() => microk8sTracking(text.replace('1.32/stable', 'latest/edge')), /not a <major>.<minor>\/<risk> channel/);
  assert.throws(() => microk8sTracking('error: no matching snaps installed\n'), /unexpected "snap list" output/);
  assert.throws(() => microk8sTracking('Name  Version  Rev  Tracking  Publisher  Notes\nsnapd  2.63  21759  latest/stable  canonical  snapd\n'), /no microk8s snap/);
});

test('drain: only kubectl\'s disruption-budget refusals count as blocked pods', () => {
  const stderr = 'error when evicting pods/"redis-master-0" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.\n' +
    'error when evicting pods/"redis-master-0" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.\n' +
    'error: unable to drain node "k8s-vm-3" due to error: error when evicting pods/"redis-master-0" -n "default": global timeout reached: 20s, continuing command...\n';
  assert.deepEqual(drainBlockedPods(stderr), ['default/redis-master-0']);
  assert.deepEqual(drainBlockedPods('error when evicting pods/"x\u001b[2J" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.\n'), []);
  assert.deepEqual(drainBlockedPods('error: cannot delete Pods that declare no controller (use --force to override): default/x\n'), []);
  assert.equal(goDuration(120), '2m0s');
  assert.equal(goDuration(20), '20s');
});

test('a cordoned node is Ready', () => {
  const [n] = parseKubeNodes('k8s-vm-2   Ready,SchedulingDisabled   <none>   5m   v1.32.3\n');
  assert.equal(n.status, 'Ready,SchedulingDisabled');
  assert.ok(isReady(n));
  assert.ok(!isReady(parseKubeNodes('k8s-vm-2   NotReady,SchedulingDisabled   <none>   5m   v1.32.3\n')[0]));
});

test('backup archives: a dbctl tar.gz round-trips; escaping names, truncation and foreign output are refused', () => {
  const files = [{ name: '0.key', data: Buffer.from('/registry/namespaces/default') }, { name: '0.data', data: Buffer.from('{}') },
    { name: '1.key', data: Buffer.from('/registry/minions/k8s-vm-1') }, { name: '1.data', data: Buffer.alloc(700, 1) }];
  const gz = writeTarGz('backup-2026-12-02-19-30-00', files);
  assert.deepEqual(readTarGz(gz).map((e) => [e.name, e.data.length]), files.map((f) => [`backup-2026-12-02-19-30-00/${f.name}`, f.data.length]));
  assert.deepEqual(datastoreKeys(gz), ['/registry/namespaces/default', '/registry/minions/k8s-vm-1']);
  assert.throws(() => datastoreKeys(writeTarGz('b', [{ name: '0.key', data: Buffer.from('/x') }])), /0\.key without 0\.data/);
  assert.throws(() => readTarGz(writeTarGz('..', files)), /points outside the archive/);
  assert.throws(() => readTarGz(gzipSync(gunzipSync(gz).subarray(0, 1024))), /runs past the end/);
  assert.equal(parseBackupFile('Backing up the datastore\nThe backup is: /var/tmp/kloudspot-backup-x.tar.gz\n'), '/var/tmp/kloudspot-backup-x.tar.gz');
  assert.throws(() => parseBackupFile('Backup process failed. 1\n'), /did not name its file/);
  assert.deepEqual(parseBase64('aGk='), Buffer.from('hi'));
  assert.throws(() => parseBase64('aGk=\u001b[2J'), /unexpected "base64" output/);
  assert.equal(readFileBase64('/etc/kloudspot/values.yaml', true).command, 'sudo -n env LC_ALL=C base64 -w 0 /etc/kloudspot/values.yaml');
  assert.deepEqual(readFileBase64('/etc/kloudspot/values.yaml', true).okCodes, [0, 1]);
  assert.equal(removeFile('/var/tmp/x.tar.gz').command, 'sudo -n env LC_ALL=C rm -f /var/tmp/x.tar.gz');
  assert.equal(dbctlBackup('/var/tmp/kloudspot-backup-2026-12-02T19-30-00Z').command, 'sudo -n env LC_ALL=C microk8s dbctl backup -o /var/tmp/kloudspot-backup-2026-12-02T19-30-00Z');
});

test('dbctl restore: the command, and go-migrator\'s count of processed entries (printf, no newline)', () => {
  assert.equal(dbctlRestore('/tmp/kloudspot-backup-2026-12-02T19-30-00Z.tar.gz').command,
    'sudo -n env LC_ALL=C microk8s dbctl restore /tmp/kloudspot-backup-2026-12-02T19-30-00Z.tar.gz');
  assert.equal(parseRestoredEntries('Restoring from /tmp/x.tar.gz\nProcessed 212 entries'), 212);
  assert.equal(parseRestoredEntries('Restoring from /tmp/x.tar.gz\nProcessed 0 entries'), 0);
  assert.throws(() => parseRestoredEntries('Restoring from /tmp/x.tar.gz\nRestore process failed. 1\n'), /did not say how many entries/);
  assert.throws(() => parseRestoredEntries('Processed 12 entries\u001b[2J and more'), /did not say how many entries/);
});
