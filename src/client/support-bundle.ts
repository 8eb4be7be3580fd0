// Client side of `support-bundle`: start support-bundle/<site>/<time> with the site as installed, wait for it,
// and copy the archive the worker wrote to the file the user named (new file, 0600). The worker and the CLI share
// a disk in the dev stack and the worker's container; elsewhere the CLI says where the archive is on the worker.
import { copyFileSync, constants, existsSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import * as api from '../workflows/api';
import { installedSite } from './doctor';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from './errors';

export async function runSupportBundle(client: Client, site: string, now = new Date()): Promise<api.SupportBundleResult> {
  const input = await installedSite(client, site);
  return client.workflow.execute('supportBundle', {
    taskQueue: process.env.KLOUDSPOT_TASK_QUEUE || api.TASK_QUEUE, workflowId: api.supportBundleWorkflowId(site, now),
    args: [{ ...input, name: api.supportBundleName(site, now) } satisfies api.SupportBundleInput],
  }) as Promise<api.SupportBundleResult>;
}

export function copyBundle(r: api.SupportBundleResult, output: string): void {
  if (!existsSync(r.path)) {
    throw new UserError(`The bundle was written on the worker's machine at ${r.path}, which this machine cannot read. Fix: copy it from there ` +
      `(e.g. scp <worker-host>:${r.path} ${output}), or run support-bundle where the worker runs.`, EXIT_FAILED);
  }
  try {
    copyFileSync(r.path, output, constants.COPYFILE_EXCL);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UserError(`${output} already exists: give a new file name (support-bundle never overwrites a file).`, EXIT_BAD_INPUT);
    throw new UserError(`Cannot write ${output}: ${code ?? (err as Error).message}. Give a path in an existing, writable directory.`, EXIT_BAD_INPUT);
  }
}

export function renderSupportBundle(r: api.SupportBundleResult, output: string): string {
  return [`Wrote ${output} (${(r.bytes / 1024).toFixed(0)} KiB, ${r.files.length} files, ${r.redactions} secrets redacted) for ${r.site}.`,
    ...(r.errors.length ? ['Not collected (see MANIFEST.txt):', ...r.errors.map((e) => `  ${e}`)] : [])].join('\n');
}
