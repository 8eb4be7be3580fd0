// `microk8s dbctl [--debug] backup [-o FILE] | restore FILE` as canonical/microk8s scripts/wrappers/dbctl.py
// answers: root only, HA and kine's socket needed (else `Please ensure the kubernetes apiserver is running and
// HA is enabled.`, exit 10). backup prints `Backing up the datastore`, runs go-migrator --mode backup-dqlite
// (canonical/go-migrator main.go: every key of kine's List("/") as `<i>.key` and its value as `<i>.data` in a
// directory named after the file) and tars that directory: `The backup is: FILE.tar.gz`. restore prints
// `Restoring from FILE` and migrator's `Processed N entries` after putting every key back.
// The values are the objects as JSON here (the API server stores protobuf); helm's release records are the
// Secrets `sh.helm.release.v1.<name>.v<revision>` helm v3 keeps, so a restore brings the release back.
import type { Proc } from '../process';
import type { Cluster, HelmRelease } from '../cluster-state';
import { RESOURCES, type KubeObject } from '../kube-store';
import { readTarGz, writeTarGz } from '../../activities/tar';
import { NO_PERMISSION } from './microk8s-state';
import { deployPods } from '../chart-sim';

/** Nodes whose dbctl writes an archive without keys, as some releases did (microk8s#4308, #4259). */
export const EMPTY_BACKUPS = new WeakSet<object>();

const KINE = 'unix:///var/snap/microk8s/current/var/kubernetes/backend/kine.sock:12379';
const HELM_SECRET = /^\/registry\/secrets\/([a-z0-9-]+)\/sh\.helm\.release\.v1\.([a-z0-9-]+)\.v(\d+)$/;

/** The etcd key the API server keeps an object under (nodes are "minions"; CRD groups prefix the resource). */
function keyOf(o: KubeObject): string {
  const info = RESOURCES[o.kind];
  const res = o.kind === 'Node' ? 'minions' : info.group && !['apps', 'policy', 'storage.k8s.io'].includes(info.group) ? `${info.group}/${info.plural}` : info.plural;
  return `/registry/${res}/${info.namespaced ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

function entries(c: Cluster): { key: string; value: string }[] {
  const out = [...Object.keys(RESOURCES)].filter((k) => k !== 'Node').flatMap((kind) => c.store.list(kind))
    .map((o) => ({ key: keyOf(o), value: JSON.stringify(o) }));
  for (const r of c.kubeNodes.values()) out.push({ key: `/registry/minions/${r.name}`, value: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: r.name } }) });
  for (const r of c.releases.values()) out.push({ key: `/registry/secrets/${r.namespace}/sh.helm.release.v1.${r.name}.v${r.revision}`, value: JSON.stringify(r) });
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

const migratorLog = (mode: string, dir: string) =>
  `time="${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}" level=info msg="mode: ${mode}, endpoint: ${KINE}, dir: ${dir}"\n`;

async function backup(p: Proc, c: Cluster, out: string | undefined): Promise<number> {
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, '').replace(/[T:]/g, '-');
  let fname = out ?? `backup-${stamp}`;
  if (fname.endsWith('.tar.gz')) fname = fname.slice(0, -7);
  const base = fname.split('/').pop()!;
  p.out('Backing up the datastore\n');
  p.err(migratorLog('backup-dqlite', `/tmp/tmp${p.world.rng.alnum(8).toLowerCase()}/${base}`));
  await p.work('command');
  const files = (EMPTY_BACKUPS.has(p.node) ? [] : entries(c)).flatMap((e, i) => [{ name: `${i}.key`, data: Buffer.from(e.key) }, { name: `${i}.data`, data: Buffer.from(e.value) }]);
  const path = fname.startsWith('/') ? `${fname}.tar.gz` : `/root/${fname}.tar.gz`;
  p.writeFile(path, writeTarGz(base, files).toString('base64'), 0o644);
  p.node.files.get(path)!.binary = true;
  p.out(`The backup is: ${fname}.tar.gz\n`);
  return 0;
}

async function restore(p: Proc, c: Cluster, file: string): Promise<number> {
  p.out(`Restoring from ${file}\n`);
  const f = p.node.files.get(file);
  if (!f) { p.err(`Traceback (most recent call last):\n  File "/snap/microk8s/current/scripts/wrappers/dbctl.py", line 175, in <module>\nFileNotFoundError: [Errno 2] No such file or directory: '${file}'\n`); return 1; }
  const base = file.split('/').pop()!.replace(/\.tar\.gz$/, '');
  p.err(migratorLog('restore-to-dqlite', `/tmp/tmp${p.world.rng.alnum(8).toLowerCase()}/${base}`));
  const tar = readTarGz(Buffer.from(f.content, f.binary ? 'base64' : 'utf8'));
  // dbctl.py extracts into a temporary directory and points the migrator at <tmp>/<file's name without .tar.gz>:
  // an archive whose directory has another name restores nothing ("Processed 0 entries", exit 0).
  const byName = new Map(tar.filter((e) => e.name.startsWith(`${base}/`)).map((e) => [e.name.slice(base.length + 1), e.data.toString()]));
  await p.work('command');
  const restoredReleases = new Set<string>();
  let i = 0;
  for (; byName.has(`${i}.key`); i++) {
    const key = byName.get(`${i}.key`)!;
    const value = JSON.parse(byName.get(`${i}.data`) ?? 'null');
    const helm = HELM_SECRET.exec(key);
    if (helm) {
      const r = value as HelmRelease;
      restoredReleases.add(r.name);
      const cur = c.releases.get(r.name);
      if (!cur || cur.revision <= r.revision) c.releases.set(r.name, r);
    } else if (!key.startsWith('/registry/minions/') && value?.kind && RESOURCES[value.kind]) {
      const { uid: _u, resourceVersion: _v, generation: _g, ...metadata } = value.metadata;
      c.store.put({ ...value, metadata });
    }
  }
  // The restored Deployments and StatefulSets are running again: their controllers and kubelets start the pods.
  for (const r of c.releases.values()) if (restoredReleases.has(r.name)) deployPods(c, r);
  p.effect(`microk8s dbctl restore ${base}: ${i} keys`);
  p.out(`Processed ${i} entries`);
  return 0;
}

export async function dbctl(p: Proc, args: string[]): Promise<number> {
  if (!p.root) { p.out(NO_PERMISSION(p.world.user)); return 1; }
  const c = p.node.microk8s.cluster;
  if (!c || !c.apiReady() || c.datastore().masters.length < 1) { p.out('Please ensure the kubernetes apiserver is running and HA is enabled.\n'); return 10; }
  const rest = args.filter((a) => a !== '--debug');
  if (rest[0] === 'backup') {
    const o = rest.indexOf('-o');
    return backup(p, c, o >= 0 ? rest[o + 1] : undefined);
  }
  if (rest[0] === 'restore' && rest[1]) return restore(p, c, rest[1]);
  p.out('usage: microk8s dbctl [-h] [--debug] {restore,backup} ...\n\nbackup and restore the Kubernetes datastore.\n');
  return rest[0] === 'restore' ? 2 : 0;
}
