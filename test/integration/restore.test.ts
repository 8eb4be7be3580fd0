// backup then restore onto fresh simulated nodes (issue 21, "What it must show"): a 3-manager + 1-worker site is
// installed, its values file edited by hand, backed up; its machines are gone. restore, given the backup and the
// site's spec, rebuilds the cluster on a fresh set of nodes (other host keys): the same nodes in the same roles,
// the backup's values file (with the hand edit), the chart's release back from the datastore at the backup's
// revision (never installed anew), its pods Ready; nothing of the backup left on the node; a re-run changes
// nothing (the virtual IP answering is then the restored cluster's own); doctor reads the restored site. A backup of
// another site is refused before any node is touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { runBackup } from '../../src/client/backup';
import { runDoctor } from '../../src/client/doctor';
import { startRestore } from '../../src/client/restore';
import * as api from '../../src/workflows/api';
import { finish, startInstallEnv, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
let old: Fleet | undefined;
let fresh: Fleet | undefined;
let dir: string;
const SITE = 'restored';
const VALUES = '/etc/kloudspot/values.yaml';
const options = (seed: number) => ({ nodes: 4, site: SITE, seed, specOverrides: { tls: { mode: 'self-signed' as const }, doctor: { every: 'off' as const } } });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kloudspot-restore-'));
  env = await startInstallEnv();
});
after(async () => { await old?.stop(); await fresh?.stop(); await env?.stop(); rmSync(dir, { recursive: true, force: true }); });

test('backup, then restore onto fresh nodes: same roles, values file and chart release; a re-run changes nothing', { timeout: 900_000 }, async () => {
  old = await startFleet(options(31));
  assert.equal((await finish(await startInstall(env.client, old.spec), 400_000)).state, 'completed');
  const values = old.node('k8s-vm-1').state.files.get(VALUES)!;
  values.content += '# tuned by hand after the install\n';
  const m = await runBackup(env.client, SITE, { dir });
  assert.equal(m.release, 1);
  const valuesBefore = values.content;
  await old.stop();
  old = undefined;

  fresh = await startFleet(options(32));
  const f = fresh;
  assert.notEqual(f.node('k8s-vm-1').state.files.get(VALUES)?.content, valuesBefore, 'fresh nodes have no values file of the old site');
  const s = await finish(await startRestore(env.client, f.spec, m.path), 600_000);
  assert.equal(s.state, 'completed', s.lastError);
  assert.deepEqual(s.questions, []);
  assert.deepEqual(Object.fromEntries(s.nodes.map((n) => [n.name, n.role])),
    { 'k8s-vm-1': 'manager', 'k8s-vm-2': 'manager', 'k8s-vm-3': 'manager', 'k8s-vm-4': 'worker' });

  const cluster = f.node('k8s-vm-1').state.microk8s.cluster!;
  assert.equal(cluster.datastore().masters.length, 3, 'three datastore voters');
  assert.deepEqual(f.effects().filter((e) => /microk8s join .* as worker/.test(e.effect ?? '')).map((e) => e.node), ['k8s-vm-4']);
  assert.equal(f.node('k8s-vm-1').state.files.get(VALUES)?.content, valuesBefore, 'the backup\'s values file, hand edit included');
  const release = cluster.releases.get('kloudspot');
  assert.equal(release?.revision, m.release, 'the chart release at the backup\'s revision');
  assert.ok(!f.effects().some((e) => /^helm (install|upgrade) default\/kloudspot/.test(e.effect ?? '')), 'the release came back from the datastore, not from a new helm install');
  const restores = f.effects().filter((e) => /^microk8s dbctl restore /.test(e.effect ?? '')).map((e) => `${e.node}: ${e.effect}`);
  assert.equal(restores.length, 1);
  assert.match(restores[0], new RegExp(`^k8s-vm-1: microk8s dbctl restore kloudspot-backup-\\S+: ${m.keys} keys$`));
  assert.match(s.summary?.chart ?? '', /^release kloudspot restored \(revision 1\), \d+ pods ready$/);
  assert.deepEqual([...f.node('k8s-vm-1').state.files.keys()].filter((p) => /kloudspot-backup/.test(p)), [], 'nothing of the backup left on the node');

  // doctor reads the site from the restore (newer than the install): the new machines' host keys, nothing failing.
  const report = await runDoctor(env.client, SITE);
  assert.deepEqual(report.checks.filter((c) => c.level === 'fail').map((c) => `${c.check}@${c.node ?? ''}: ${c.value}`), []);
  assert.equal(report.checks.filter((c) => c.check === 'ssh' && c.level === 'ok').length, 4);

  const before2 = f.effects().length;
  const again = await finish(await startRestore(env.client, f.spec, m.path), 600_000);
  assert.equal(again.state, 'completed');
  assert.deepEqual(f.effects().slice(before2).map((e) => `${e.node}: ${e.effect}`), [], 'a re-run changes nothing');
});

test('a backup of another site is refused, naming both sites', { timeout: 120_000 }, async () => {
  const other = await startFleet({ ...options(33), site: 'elsewhere' });
  try {
    const backups = join(dir, SITE);
    const [stamp] = readdirSync(backups);
    const handle = await startRestore(env.client, other.spec, join(backups, stamp));
    await assert.rejects(handle.result(), (err: Error) => /is a backup of site "restored", not "elsewhere"/.test(String((err as { cause?: Error }).cause?.message ?? err.message)));
    assert.equal(api.restoreWorkflowId('elsewhere'), handle.workflowId);
    assert.deepEqual(other.effects().filter((e) => e.effect), [], 'no node was touched');
  } finally {
    await other.stop();
  }
});
