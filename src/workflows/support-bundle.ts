// supportBundle(input), workflow id support-bundle/<site>/<time>: collects from every node (in parallel) inspect's
// report, the MicroK8s journal and dqlite's files, from one manager the OpenEBS/cStor objects and helm status,
// and the install's history, into one redacted archive on the worker (why a workflow: activities/support-bundle.ts).
// A node that does not answer is noted in the bundle's MANIFEST.txt, not a failure: a bundle is most wanted then.
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { SiteKey, CustomerKey } from '../temporal/search-attributes';
import type { BundlePart, SupportBundleInput, SupportBundleResult } from './api';
import { siteNodes, targetOf } from './site-context';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30m', heartbeatTimeout: '60s', retry: { maximumAttempts: 2, initialInterval: '2s' },
});

export async function supportBundle(input: SupportBundleInput): Promise<SupportBundleResult> {
  const { spec, name } = input;
  upsertSearchAttributes([{ key: SiteKey, value: spec.site }, { key: CustomerKey, value: spec.customer }]);
  const pins = new Map(Object.entries(input.hostKeys ?? {}));
  const nodes = siteNodes(spec);
  const target = (n: (typeof nodes)[number]) => targetOf({ spec, pins }, n);
  const unreachable = (node: string, err: unknown): BundlePart => ({ node, files: [], errors: [`not collected: ${(err as Error).message}`], redactions: 0 });
  const parts = await Promise.all(nodes.map((n) => acts.collectNodeBundle(target(n), n.role === 'manager', name).catch((e) => unreachable(n.name, e))));
  const managers = nodes.filter((n, i) => n.role === 'manager' && parts[i].files.length > 0);
  let cluster: BundlePart = { files: [], errors: ['cluster objects: no manager answered'], redactions: 0 };
  for (const m of managers) {
    cluster = await acts.collectClusterBundle(target(m), name).catch((e) => unreachable(m.name, e));
    if (cluster.files.length) break;
  }
  const history = await acts.exportInstallHistory(spec.site, name);
  return acts.packSupportBundle(spec.site, name, [...parts, cluster, history]);
}
