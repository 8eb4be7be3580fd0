// backup steps: the datastore (`microk8s dbctl backup`, checked: a tar of go-migrator's key/data files, not
// empty, listing the namespaces and every node of the site), the certificates, the values file and the spec,
// copied off the node into the worker's backup directory (<root>/<site>/<taken at>/, 0700, files 0600), the
// oldest beyond `keep` removed. Only names, sizes and digests go back to the workflow: keys stay on disk.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VALUES_FILE } from './commands/chart';
import { parseBase64, readFileBase64, removeFile } from './commands/files';
import { dbctlBackup, parseBackupFile } from './commands/microk8s';
import { MICROK8S_CERTS_DIR } from './commands/openssl';
import { verifyFailed } from './failures';
import { commandFailed, run, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';
import { readTarGz } from './tar';

/** What MicroK8s needs to come back with the same identity: its CAs, server and front-proxy pairs, the service-account key. */
export const BACKUP_CERT_FILES = ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'front-proxy-ca.crt', 'front-proxy-ca.key',
  'front-proxy-client.crt', 'front-proxy-client.key', 'serviceaccount.key'];
/** A backup's directory name: its time, filesystem-safe (`2026-12-02T19-30-00Z`). */
export const BACKUP_STAMP = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/;
const RELEASE_KEY = /^\/registry\/secrets\/default\/sh\.helm\.release\.v1\.kloudspot\.v(\d+)$/;

export interface BackupFile { name: string; bytes: number; sha256: string }
export interface BackupManifest {
  site: string; takenAt: string; node: string; path: string;
  /** Datastore keys in the archive, and the chart's latest release revision among them. */
  keys: number; release?: number;
  files: BackupFile[];
}
export interface TakeBackup { site: string; stamp: string; nodes: string[]; spec: unknown; dir?: string; keep: number }

/** Where the worker keeps backups: `-o`, else KLOUDSPOT_BACKUP_DIR, else ~/.local/share/kloudspot-installer/backups. */
export function backupRoot(dir?: string): string {
  return dir || process.env.KLOUDSPOT_BACKUP_DIR || join(homedir(), '.local', 'share', 'kloudspot-installer', 'backups');
}

/** The datastore keys of a dbctl archive; throws unless every `<i>.key` has its `<i>.data`. */
export function datastoreKeys(archive: Buffer): string[] {
  const files = new Map(readTarGz(archive).map((e) => [e.name.split('/').slice(1).join('/'), e.data]));
  const keys: string[] = [];
  for (let i = 0; files.has(`${i}.key`); i++) {
    if (!files.has(`${i}.data`)) throw new Error(`the datastore archive has ${i}.key without ${i}.data`);
    keys.push(files.get(`${i}.key`)!.toString('utf8'));
  }
  return keys;
}

/** The newest complete backup (one with its manifest) of `site` under the backup directory, if any. */
export async function newestBackup(site: string, dir?: string): Promise<BackupManifest | null> {
  const siteDir = join(backupRoot(dir), site);
  const names = (await readdir(siteDir).catch(() => [] as string[])).filter((n) => BACKUP_STAMP.test(n)).sort().reverse();
  for (const n of names) {
    const m = await readFile(join(siteDir, n, 'manifest.json'), 'utf8').then((x) => JSON.parse(x) as BackupManifest, () => undefined);
    if (m) return m;
  }
  return null;
}

export function createBackupActivities(deps: ActivityDeps) {
  const fetch = async (t: SshTarget, path: string): Promise<Buffer | undefined> => {
    const r = await run(deps, t, readFileBase64(path, true));
    if (r.code !== 0) {
      if (/No such file or directory/.test(r.stderr)) return undefined;
      throw commandFailed(t, r, `cannot read ${path}`);
    }
    return parseBase64(r.stdout);
  };

  return {
    async takeBackup(t: SshTarget, o: TakeBackup): Promise<BackupManifest> {
      if (!BACKUP_STAMP.test(o.stamp)) throw new Error(`not a backup stamp: ${o.stamp}`);
      const remote = `/var/tmp/kloudspot-backup-${o.stamp}`;
      let archive: Buffer | undefined;
      try {
        const r = await run(deps, t, dbctlBackup(remote), { timeoutMs: 15 * 60_000 });
        const file = parseBackupFile(r.stdout);
        archive = await fetch(t, file);
      } finally {
        await run(deps, t, removeFile(`${remote}.tar.gz`)).catch(() => undefined);
      }
      if (!archive?.length) throw verifyFailed(`on ${t.node}: microk8s dbctl backup left an empty archive`);
      const keys = datastoreKeys(archive);
      const expected = ['/registry/namespaces/default', '/registry/namespaces/kube-system', ...o.nodes.map((n) => `/registry/minions/${n}`)];
      const missing = expected.filter((k) => !keys.includes(k));
      if (keys.length === 0 || missing.length) {
        // dbctl has written empty or partial backups in some releases (microk8s#4308, #4259): never keep one as good.
        throw verifyFailed(`on ${t.node}: the datastore backup holds ${keys.length} keys, missing ${missing.join(', ') || 'everything'}`);
      }
      const release = Math.max(0, ...keys.map((k) => Number(RELEASE_KEY.exec(k)?.[1] ?? 0))) || undefined;

      const content: { name: string; data: Buffer }[] = [{ name: 'datastore.tar.gz', data: archive }];
      for (const f of BACKUP_CERT_FILES) {
        const data = await fetch(t, `${MICROK8S_CERTS_DIR}/${f}`);
        if (!data) throw verifyFailed(`on ${t.node}: ${MICROK8S_CERTS_DIR}/${f} is missing`);
        content.push({ name: `certs/${f}`, data });
      }
      const values = await fetch(t, VALUES_FILE);
      if (values) content.push({ name: 'values.yaml', data: values });
      content.push({ name: 'site.json', data: Buffer.from(JSON.stringify(o.spec, null, 2)) });

      const siteDir = join(backupRoot(o.dir), o.site);
      const partial = join(siteDir, `${o.stamp}.partial`);
      await rm(partial, { recursive: true, force: true });
      await mkdir(join(partial, 'certs'), { recursive: true, mode: 0o700 });
      const files: BackupFile[] = [];
      for (const c of content) {
        await writeFile(join(partial, c.name), c.data, { mode: 0o600 });
        files.push({ name: c.name, bytes: c.data.length, sha256: createHash('sha256').update(c.data).digest('hex') });
      }
      const manifest: BackupManifest = {
        site: o.site, takenAt: new Date().toISOString(), node: t.node, path: join(siteDir, o.stamp), keys: keys.length, release, files,
      };
      await writeFile(join(partial, 'manifest.json'), JSON.stringify(manifest, null, 2), { mode: 0o600 });
      await rm(manifest.path, { recursive: true, force: true });
      await rename(partial, manifest.path);
      await chmod(manifest.path, 0o700);
      // Retention: the newest `keep` stay.
      const all = (await readdir(siteDir)).filter((n) => BACKUP_STAMP.test(n)).sort().reverse();
      for (const old of all.slice(Math.max(1, o.keep))) await rm(join(siteDir, old), { recursive: true, force: true });
      return manifest;
    },

    /** The newest complete backup of `site` on this worker, if any. */
    async latestBackup(site: string, dir?: string): Promise<BackupManifest | null> {
      return newestBackup(site, dir);
    },
  };
}
