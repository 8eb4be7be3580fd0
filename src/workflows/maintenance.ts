// Later operations on an installed site, as lists of the install's phases:
// updateDeployment (`kloudspot update --update-helm`), uninstall (`kloudspot stop`), addNode (prepare + join as worker).
import { patched } from '@temporalio/workflow';
import type { SiteSpec } from '../site/schema';
import type { InstallStatus } from './api';
import { removeChart, updateChart } from './deploy-chart';
import { joinNodes } from './form-cluster';
import type { Phase } from './phase';
import { preflightPhase } from './preflight';
import { firstContact, requirePinnedHostKeys } from './host-keys';
import { introduceNodes, prepareNodesNamed } from './prepare-nodes';
import { checkedNodeName } from './site-input';
import { refusedDuringReset } from './site-busy';
import { openSite, runSite } from './site-run';

// Added after the first update and add-node histories (test/histories): they refuse while the site's reset runs (issue 19).
const duringReset = (workflow: 'updateDeployment' | 'addNode', patch: string): Phase[] => (patched(patch) ? [refusedDuringReset(workflow)] : []);

export async function updateDeployment(spec: SiteSpec): Promise<InstallStatus> {
  const ctx = openSite(spec);
  return runSite(ctx, [...duringReset('updateDeployment', 'update-refused-during-reset'), requirePinnedHostKeys(), updateChart]);
}

export async function uninstall(spec: SiteSpec): Promise<InstallStatus> {
  return runSite(openSite(spec), [requirePinnedHostKeys(), removeChart]);
}

/** `spec.nodes` must already list the new node (the site file is the source of truth); it joins as a worker. */
export async function addNode(spec: SiteSpec, nodeName: string): Promise<InstallStatus> {
  const ctx = openSite(spec);
  if (patched('validate-site-spec')) checkedNodeName(nodeName);
  const node = ctx.nodes.find((n) => n.name === nodeName);
  if (!node) {
    const missing: Phase = {
      name: 'preflight', title: 'the node is in the spec', hosts: () => [],
      run: async () => { throw new Error(`node ${nodeName} is not in the site spec: add it to nodes[] first`); },
    };
    return runSite(ctx, [missing]);
  }
  node.role = 'worker';
  return runSite(ctx, [
    ...duringReset('addNode', 'add-node-refused-during-reset'), requirePinnedHostKeys([nodeName]), ...firstContact(),
    preflightPhase({ virtualIpInUse: true }),
    prepareNodesNamed([nodeName]), introduceNodes([nodeName]), joinNodes([nodeName]),
  ]);
}
