// The support bundle's collection. Why a workflow and not the CLI: the nodes' SSH keys (and sudo passwords,
// bastions) live on the worker only and never pass through Temporal, so only the worker can reach the nodes;
// as a workflow the collection is durable and visible like doctor's, each node's part retried on its own.
// Files go from the node to the worker through the command channel (`sudo base64 -w 0`, the same sudo path as
// every read, so it works with ssh.sudoPasswordFile and root-only files) into a worker-side directory, are
// redacted before they touch the worker's disk, and are packed there; only paths and counts enter the history.
// Every command is a read (query()) except `microk8s inspect`, which writes its report on the node, and the
// removal of that report once it is copied.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import * as m from './commands/microk8s';
import { readFile, readFileBase64 } from './commands/files';
import { microk8sJournal } from './commands/systemd';
import { OPENEBS_RESOURCES, openebsObjectsYaml } from './commands/openebs';
import { helmStatus } from './commands/helm';
import { DATASTORE_DIR } from './commands/coreutils';
import { run, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';
import { describeFailure } from './failures';
import type { TemporalAccess } from './doctor-schedule';
import { redactFile } from '../bundle/redact';
import { redactValue } from '../codec/redact';
import { packTarGz, type TarEntry } from '../bundle/tar';
import { decodeHistoryPayloads } from '../bundle/history';
import { installWorkflowId, type BundlePart, type SupportBundleResult } from '../workflows/api';

/** Where the worker keeps bundles: KLOUDSPOT_BUNDLE_DIR, else <tmp>/kloudspot-bundles. */
export const bundleRoot = (): string => process.env.KLOUDSPOT_BUNDLE_DIR || join(tmpdir(), 'kloudspot-bundles');
const NAME = /^[a-z0-9][a-z0-9-]{0,62}-\d{8}T\d{6}Z$/;
const JOURNAL_LINES = 5000;
const BIG = 256 * 2 ** 20;

export function createSupportBundleActivities(deps: ActivityDeps, temporal?: TemporalAccess) {
  const readOnly: ActivityDeps = { ...deps, readOnly: true };
  const dirOf = (name: string, ...sub: string[]) => {
    if (!NAME.test(name)) throw new Error(`not a bundle name: ${name}`);
    const d = join(bundleRoot(), name, ...sub);
    mkdirSync(d, { recursive: true, mode: 0o700 });
    return d;
  };
  /** Writes one collected file, redacted first; a file neither text nor tarball is noted, not kept. */
  const keep = (part: BundlePart, dir: string, file: string, data: Buffer) => {
    const safe = redactFile(data);
    if (!safe) { part.errors.push(`${file}: neither text nor a tarball, left out`); return; }
    writeFileSync(join(dir, file), safe.data, { mode: 0o600 });
    part.files.push(file);
    part.redactions += safe.count;
  };
  const collect = async (part: BundlePart, what: string, fn: () => Promise<void>) => {
    try { await fn(); } catch (err) { part.errors.push(`${what}: ${describeFailure(err).message}`); }
  };
  const read = async (t: SshTarget, c: Parameters<typeof run>[2]) => (await run(readOnly, t, c, { timeoutMs: 5 * 60_000, tailBytes: BIG })).stdout;

  return {
    /** inspect's report, the journal of snap.microk8s.*, and on a manager dqlite's cluster.yaml and info.yaml. */
    async collectNodeBundle(t: SshTarget, manager: boolean, name: string): Promise<BundlePart> {
      const part: BundlePart = { node: t.node, files: [], errors: [], redactions: 0 };
      const dir = dirOf(name, 'nodes', t.node);
      await collect(part, 'microk8s inspect', async () => {
        const r = await run(deps, t, m.inspect(), { timeoutMs: 15 * 60_000 });
        const path = m.parseInspectReport(r.stdout);
        const tarball = Buffer.from((await read(t, readFileBase64(path))).trim(), 'base64');
        keep(part, dir, 'inspection-report.tar.gz', tarball);
        await run(deps, t, m.removeInspectReport(path));
      });
      await collect(part, 'journal', async () => keep(part, dir, 'journal-snap.microk8s.log', Buffer.from(await read(t, microk8sJournal(JOURNAL_LINES)))));
      if (manager) {
        for (const f of ['cluster.yaml', 'info.yaml']) {
          await collect(part, f, async () => keep(part, dir, `dqlite-${f}`, Buffer.from(await read(t, readFile(`${DATASTORE_DIR}/${f}`)))));
        }
      }
      return part;
    },

    /** The OpenEBS and cStor objects (YAML) and the chart's `helm status`, from one manager. */
    async collectClusterBundle(t: SshTarget, name: string): Promise<BundlePart> {
      const part: BundlePart = { files: [], errors: [], redactions: 0 };
      const dir = dirOf(name, 'cluster');
      for (const res of OPENEBS_RESOURCES) {
        await collect(part, res, async () => {
          const r = await run(readOnly, t, openebsObjectsYaml(res), { tailBytes: BIG });
          keep(part, dir, `openebs-${res}.yaml`, Buffer.from(r.code === 0 ? r.stdout : `# kubectl exited ${r.code}\n${r.stderr}`));
        });
      }
      await collect(part, 'helm status', async () => {
        const r = await run(readOnly, t, helmStatus(), { tailBytes: BIG });
        keep(part, dir, 'helm-status.json', Buffer.from(r.code === 0 ? r.stdout : `helm exited ${r.code}: ${r.stderr}`));
      });
      return part;
    },

    /** The site's install history, its payloads decoded through the worker's codec (then redacted like every file). */
    async exportInstallHistory(site: string, name: string): Promise<BundlePart> {
      const part: BundlePart = { files: [], errors: [], redactions: 0 };
      const dir = dirOf(name, 'history');
      if (!temporal) { part.errors.push('history: this worker has no Temporal connection for activities'); return part; }
      await collect(part, 'history', async () => {
        const history = await new Client(temporal).workflow.getHandle(installWorkflowId(site)).fetchHistory();
        const json = JSON.parse(historyToJSON(history)) as unknown;
        const decoded = await decodeHistoryPayloads(json, temporal.dataConverter?.payloadCodecs ?? []);
        // Secret fields by name first (as the codec server hides them), then the text scan of every file.
        keep(part, dir, `install-${site}.json`, Buffer.from(JSON.stringify(redactValue(decoded.history), null, 1)));
        if (decoded.undecodable) part.errors.push(`history: ${decoded.undecodable} payloads could not be decoded with this worker's keys (kept encrypted)`);
      });
      return part;
    },

    /** Packs the directory into <name>.tar.gz beside it (0600) with a MANIFEST.txt, and removes the directory. */
    async packSupportBundle(site: string, name: string, parts: BundlePart[]): Promise<SupportBundleResult> {
      const dir = dirOf(name);
      const errors = parts.flatMap((p) => p.errors.map((e) => (p.node ? `${p.node}: ${e}` : e)));
      const files: string[] = [];
      const walk = (d: string): TarEntry[] => readdirSync(d).sort().flatMap((f) => {
        const full = join(d, f);
        const rel = `${name}/${relative(dir, full)}`;
        if (statSync(full).isDirectory()) return [{ name: rel, data: Buffer.alloc(0), dir: true }, ...walk(full)];
        files.push(rel);
        return [{ name: rel, data: readFileSync(full), mode: 0o600 }];
      });
      const entries = walk(dir);
      const manifest = [`Support bundle of ${site}, ${new Date().toISOString()}`, '', ...files.map((f) => `  ${f}`), '',
        errors.length ? `Not collected:\n${errors.map((e) => `  ${e}`).join('\n')}` : 'Everything was collected.',
        `Redacted: ${parts.reduce((n, p) => n + p.redactions, 0)} secrets (private keys, join and bearer tokens, passwords).`, ''].join('\n');
      files.unshift(`${name}/MANIFEST.txt`);
      const archive = packTarGz([{ name, data: Buffer.alloc(0), dir: true }, { name: `${name}/MANIFEST.txt`, data: Buffer.from(manifest), mode: 0o600 }, ...entries]);
      const path = join(bundleRoot(), `${name}.tar.gz`);
      writeFileSync(path, archive, { mode: 0o600 });
      rmSync(dir, { recursive: true, force: true });
      return { site, path, bytes: archive.length, files, errors, redactions: parts.reduce((n, p) => n + p.redactions, 0) };
    },
  };
}
