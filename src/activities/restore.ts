// restore steps (issue 21): a backup directory on the worker (backup.ts's layout) read and checked against its
// manifest (sizes and SHA-256 digests), its datastore archive put back on the first manager with
// `microk8s dbctl restore` and its values file written in place. Only names, counts and node roles go back to the
// workflow: the archive (Secrets) and the keys stay on the worker's disk.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createClusterChecks } from './checks/cluster';
import { VALUES_FILE } from './commands/chart';
import { readFile as readNodeFile, removeFile, writeFile } from './commands/files';
import { dbctlRestore, parseRestoredEntries } from './commands/microk8s';
import { datastoreKeys, type BackupManifest } from './backup';
import { failure, FailureType, verifyFailed } from './failures';
import type { StepResult } from './node-prep';
import { run, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';
import { readTarGz } from './tar';

export interface BackupSummary {
  site: string; takenAt: string; keys: number; release?: number;
  /** The backed-up site's nodes and their roles (site.json). */
  nodes: { name: string; role: 'manager' | 'worker' }[];
}

const badBackup = (dir: string, why: string) =>
  failure(FailureType.InvalidInput, `${dir} is not a usable backup: ${why}. Fix: give a directory \`backup\` wrote (<dir>/<site>/<time>/)`, { nonRetryable: true });

/** The backup's files, each checked against the manifest's digest. */
async function readBackup(dir: string): Promise<{ manifest: BackupManifest; file: (name: string) => Promise<Buffer> }> {
  const manifest = await readFile(join(dir, 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as BackupManifest, (err: Error) => {
    throw badBackup(dir, `no readable manifest.json (${err.message.slice(0, 120)})`);
  });
  const file = async (name: string) => {
    const entry = manifest.files.find((f) => f.name === name);
    if (!entry) throw badBackup(dir, `the manifest lists no ${name}`);
    const data = await readFile(join(dir, name)).catch(() => { throw badBackup(dir, `${name} is missing`); });
    if (createHash('sha256').update(data).digest('hex') !== entry.sha256) throw badBackup(dir, `${name} does not match its SHA-256 in manifest.json`);
    return data;
  };
  return { manifest, file };
}

/** The archive's one top directory: dbctl restore looks for the keys under the file's name without `.tar.gz`. */
function archiveDirectory(archive: Buffer): string {
  const tops = new Set(readTarGz(archive).map((e) => e.name.split('/')[0]));
  const [top] = tops;
  if (tops.size !== 1 || !/^[A-Za-z0-9._-]{1,100}$/.test(top)) throw new Error('the datastore archive does not hold exactly one plainly named directory');
  return top;
}

export function createRestoreActivities(deps: ActivityDeps) {
  const checks = createClusterChecks(deps);
  return {
    /** What the backup holds: its site, datastore key count, chart revision and the nodes' roles. */
    async describeBackup(dir: string): Promise<BackupSummary> {
      const { manifest, file } = await readBackup(dir);
      const keys = datastoreKeys(await file('datastore.tar.gz'));
      if (keys.length !== manifest.keys) throw badBackup(dir, `its datastore holds ${keys.length} keys, the manifest says ${manifest.keys}`);
      const site = JSON.parse((await file('site.json')).toString('utf8')) as { nodes?: { name: string; role?: string }[] };
      // The schema's rule: the first three are managers unless a role says otherwise.
      const nodes = (site.nodes ?? []).map((n, i) => ({ name: n.name, role: (n.role ?? (i < 3 ? 'manager' : 'worker')) as 'manager' | 'worker' }));
      return { site: manifest.site, takenAt: manifest.takenAt, keys: keys.length, release: manifest.release, nodes };
    },

    /**
     * `microk8s dbctl restore` of the backup's archive on `first`. Done already when the chart's release is there
     * at the backup's revision or later. The archive goes by SFTP (0600, under its own directory's name, which
     * dbctl needs) and is removed after; the migrator must report every key of the archive processed.
     */
    async restoreDatastore(first: SshTarget, dir: string): Promise<StepResult> {
      const { manifest, file } = await readBackup(dir);
      const h = await checks.release(first);
      if (manifest.release && h.exists && (h.revision ?? 0) >= manifest.release) return { changed: false, detail: `release revision ${h.revision} present` };
      const archive = await file('datastore.tar.gz');
      const remote = `/tmp/${archiveDirectory(archive)}.tar.gz`;
      try {
        await deps.pool.upload(first, archive, remote, 0o600);
        const r = await run(deps, first, dbctlRestore(remote), { timeoutMs: 30 * 60_000 });
        const processed = parseRestoredEntries(r.stdout);
        if (processed !== manifest.keys) throw verifyFailed(`on ${first.node}: microk8s dbctl restore processed ${processed} of the backup's ${manifest.keys} keys`);
      } finally {
        await run(deps, first, removeFile(remote)).catch(() => undefined);
      }
      return { changed: true, detail: `${manifest.keys} keys from ${basename(dir)}` };
    },

    /** The backup's values.yaml as /etc/kloudspot/values.yaml on `first` (left alone when it already reads so). */
    async restoreValuesFile(first: SshTarget, dir: string): Promise<StepResult> {
      const { file } = await readBackup(dir);
      const wanted = (await file('values.yaml')).toString('utf8');
      const now = await run(deps, first, readNodeFile(VALUES_FILE));
      if (now.code === 0 && now.stdout === wanted) return { changed: false };
      await run(deps, first, writeFile(VALUES_FILE, wanted, '0644'));
      return { changed: true };
    },
  };
}
