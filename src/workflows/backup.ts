// backup(input), workflow id backup/<site>/<time>: one verified backup of an installed site, taken on the first
// manager that manages it (the next one when it cannot), kept on the worker (activities/backup.ts).
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CustomerKey, SiteKey } from '../temporal/search-attributes';
import type { BackupInput, BackupManifest } from './api';
import { siteNodes, targetOf } from './site-context';

/** Backups kept per site unless the input says otherwise. */
export const DEFAULT_KEEP = 7;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30m', heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 3, nonRetryableErrorTypes: ['HostKeyMismatch'] },
});

export async function backup(input: BackupInput): Promise<BackupManifest> {
  const { spec } = input;
  upsertSearchAttributes([{ key: SiteKey, value: spec.site }, { key: CustomerKey, value: spec.customer }]);
  const pins = new Map(Object.entries(input.hostKeys ?? {}));
  const nodes = siteNodes(spec);
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  let last: unknown;
  for (const m of nodes.filter((n) => n.role === 'manager')) {
    try {
      return await acts.takeBackup(targetOf({ spec, pins }, m), {
        site: spec.site, stamp, nodes: nodes.map((n) => n.name), spec, dir: input.dir, keep: input.keep ?? DEFAULT_KEEP,
      });
    } catch (err) {
      last = err;
    }
  }
  throw last;
}
