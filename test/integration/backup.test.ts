// backup on a 3-manager simulated site: the datastore archive (microk8s dbctl backup) is copied to the worker and
// checked (its keys list the namespaces, every node and the chart's release), with the certificates, the values
// file as it is on the node and the spec, in a 0700 directory of 0600 files; nothing is left on the node; only
// the newest `keep` stay. A dbctl that writes an empty archive (microk8s#4308) is never kept: the next manager's
// backup is taken instead, and with every manager's empty the run fails saying so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LifecycleFaults, startFleet, type Fleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { runBackup } from '../../src/client/backup';
import { datastoreKeys } from '../../src/activities/backup';
import { finish, startInstallEnv, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
let fleet: Fleet;
let dir: string;
const SITE = 'backed-up';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kloudspot-backups-'));
  env = await startInstallEnv();
  fleet = await startFleet({ nodes: 3, site: SITE, seed: 24, specOverrides: { tls: { mode: 'self-signed' }, doctor: { every: 'off' } } });
  assert.equal((await finish(await startInstall(env.client, fleet.spec), 300_000)).state, 'completed');
});
after(async () => { await fleet?.stop(); await env?.stop(); rmSync(dir, { recursive: true, force: true }); });

const mode = (p: string) => statSync(p).mode & 0o777;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('backup copies a checked datastore archive, the certificates, values.yaml and the spec; keeps the newest', { timeout: 600_000 }, async () => {
  const m = await runBackup(env.client, SITE, { dir, keep: 2 });
  assert.equal(m.node, 'k8s-vm-1');
  assert.equal(m.path, join(dir, SITE, readdirSync(join(dir, SITE))[0]));
  assert.equal(mode(m.path), 0o700);
  const names = m.files.map((f) => f.name);
  for (const f of ['datastore.tar.gz', 'certs/ca.crt', 'certs/ca.key', 'certs/server.key', 'values.yaml', 'site.json']) assert.ok(names.includes(f), `${f} in ${names.join(' ')}`);
  for (const f of [...names, 'manifest.json']) assert.equal(mode(join(m.path, f)), 0o600, `${f} is 0600`);

  const keys = datastoreKeys(readFileSync(join(m.path, 'datastore.tar.gz')));
  assert.equal(keys.length, m.keys);
  for (const k of ['/registry/namespaces/default', '/registry/minions/k8s-vm-1', '/registry/minions/k8s-vm-2', '/registry/minions/k8s-vm-3',
    '/registry/secrets/default/sh.helm.release.v1.kloudspot.v1']) assert.ok(keys.includes(k), `${k} in the datastore backup`);
  assert.equal(m.release, 1);
  assert.equal(readFileSync(join(m.path, 'values.yaml'), 'utf8'), fleet.node('k8s-vm-1').state.files.get('/etc/kloudspot/values.yaml')!.content);
  assert.equal(JSON.parse(readFileSync(join(m.path, 'site.json'), 'utf8')).site, SITE);
  assert.match(readFileSync(join(m.path, 'certs/ca.crt'), 'utf8'), /^-----BEGIN CERTIFICATE-----/);
  assert.deepEqual([...fleet.node('k8s-vm-1').state.files.keys()].filter((p) => p.startsWith('/var/tmp/kloudspot-backup')), [], 'nothing left on the node');

  await pause(1100);
  await runBackup(env.client, SITE, { dir, keep: 2 });
  await pause(1100);
  const newest = await runBackup(env.client, SITE, { dir, keep: 2 });
  const kept = readdirSync(join(dir, SITE)).sort();
  assert.equal(kept.length, 2, `kept ${kept.join(' ')}`);
  assert.ok(!kept.includes(m.path.split('/').pop()!), 'the oldest was removed');
  assert.equal(join(dir, SITE, kept[1]), newest.path);
});

test('an empty datastore archive is never kept: the next manager backs up, and with none able the run fails', { timeout: 600_000 }, async () => {
  const faults = new LifecycleFaults(fleet);
  faults.emptyBackups('k8s-vm-1');
  await pause(1100);
  const m = await runBackup(env.client, SITE, { dir, keep: 5 });
  assert.equal(m.node, 'k8s-vm-2');
  assert.ok(m.keys > 10);
  faults.emptyBackups('k8s-vm-2');
  faults.emptyBackups('k8s-vm-3');
  const before = readdirSync(join(dir, SITE)).length;
  await pause(1100);
  await assert.rejects(runBackup(env.client, SITE, { dir, keep: 5 }), (err: Error & { cause?: Error & { cause?: Error } }) => {
    assert.match(String(err.cause?.cause?.message ?? err.cause?.message ?? err.message), /the datastore backup holds 0 keys/);
    return true;
  });
  assert.equal(readdirSync(join(dir, SITE)).filter((n) => !n.endsWith('.partial')).length, before, 'no empty backup kept');
});
