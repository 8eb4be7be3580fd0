// Phase 2, prepare-nodes: one prepare-node child workflow per node, all at once (prepare-node.ts has the steps).
import { ParentClosePolicy, patched, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { prepareNodeWorkflowId } from './api';
import { ISCSID } from './configure-storage';
import { allNodes, type Phase } from './phase';
import { witnessOf } from './rolling';
import { HOSTS_FILE, prepareNode, type PrepareNodeInput } from './prepare-node';
import { firstManager, managers, proxyInput, runStep, targetOf, type SiteContext, type SiteNode } from './site-context';
import { defineStep, SKIPPED } from './steps';

export const CLUSTER_MEMBERS = defineStep({ id: 'cluster-members', title: 'nodes already in the cluster (kubectl get nodes)', plan: { partOf: 'drain' } });

type Extra = Pick<PrepareNodeInput, 'inCluster' | 'skipUpgrade'>;

async function prepareNodesOf(ctx: SiteContext, nodes: SiteNode[]): Promise<void> {
  // Earlier runs prepared every node at once; a re-run on a formed cluster then rebooted all managers together.
  if (!patched('rolling-upgrades-in-cluster')) return startAndWait(ctx, nodes, () => ({}));
  const first = firstManager(ctx);
  const found = await runStep(ctx, first.name, CLUSTER_MEMBERS,
    (a) => a.steps.clusterMembers(targetOf(ctx, first), nodes.map((n) => n.name)));
  const members = found === SKIPPED ? [] : found;
  const skip = ctx.spec.upgrades.clusterNodes === 'skip';
  const inCluster = (n: SiteNode): Extra => {
    if (skip) return { skipUpgrade: true };
    // Another manager drains it and sees it come back (the rebooting node cannot).
    const control = witnessOf(managers(ctx), n);
    return { inCluster: { control: targetOf(ctx, control), clusterReadyMs: ctx.timeouts.clusterReady } };
  };
  const fresh = nodes.filter((n) => !members.includes(n.name));
  const joined = nodes.filter((n) => members.includes(n.name));
  await Promise.all([
    startAndWait(ctx, fresh, () => ({})),
    // One at a time: at most one member drained or rebooting, so the datastore keeps its quorum. Not rolling.ts's
    // oneNodeAtATime: each child drains and waits for Ready and the voters itself (through `control`), so that gate
    // would only wait twice, and its managers-first order would start children in another order than histories of
    // a spec that lists a worker first recorded.
    (async () => { for (const n of joined) await startAndWait(ctx, [n], inCluster); })(),
  ]);
}

async function startAndWait(ctx: SiteContext, nodes: SiteNode[], extra: (n: SiteNode) => Extra): Promise<void> {
  if (nodes.length === 0) return;
  const { spec } = ctx;
  const allNodes = ctx.nodes.map((n) => ({ name: n.name, address: n.address }));
  // Each child's reports carry a key only it and this run know (its input is encrypted): a nodeReport sent
  // by anyone else (the Web UI's Send a Signal, another workflow) is refused. Earlier runs replay without.
  const keyed = patched('node-report-key');
  const children = await Promise.all(nodes.map((n) => startChild(prepareNode, {
    workflowId: prepareNodeWorkflowId(spec.site, n.name),
    parentClosePolicy: ParentClosePolicy.TERMINATE,
    args: [{
      site: spec.site, node: { name: n.name, address: n.address, interface: n.interface, role: n.role },
      target: targetOf(ctx, n), allNodes, network: spec.network, lvm: spec.lvm,
      toolsUrl: spec.kloudspot.toolsUrl, toolsSha256: spec.kloudspot.toolsSha256, rebootTimeoutMs: ctx.timeouts.nodeReboot, parentId: workflowInfo().workflowId,
      reportKey: ctx.questions.expectReports(n.name, keyed ? uuid4() : undefined),
      ...extra(n),
      proxy: proxyInput(spec),
    }],
  })));
  await Promise.all(children.map((c) => c.result()));
}

export const prepareNodes: Phase = {
  name: 'prepare-nodes',
  title: 'per node: apt upgrade, reboot, hostname, /etc/hosts, static address, Kloudspot tools, shared LV (in parallel; nodes already in the cluster one at a time)',
  hosts: allNodes,
  run: prepareNodesOf,
};

/** add-node: prepare only the named nodes. */
export function prepareNodesNamed(names: string[]): Phase {
  return { ...prepareNodes, hosts: (ctx) => ctx.nodes.filter((n) => names.includes(n.name)) };
}

/** add-node: every other node learns the new names in /etc/hosts; the new nodes get iscsid before they join. */
export function introduceNodes(names: string[]): Phase {
  return {
    name: 'prepare-nodes',
    title: `add ${names.join(', ')} to every /etc/hosts`,
    hosts: (ctx) => ctx.nodes.filter((n) => !names.includes(n.name)),
    async run(ctx, others) {
      const all = ctx.nodes.map((n) => ({ name: n.name, address: n.address }));
      await Promise.all(others.map((n) => runStep(ctx, n.name, HOSTS_FILE, (a) => a.steps.writeHostsFile(targetOf(ctx, n), n.name, all))));
      for (const n of ctx.nodes.filter((x) => names.includes(x.name))) {
        await runStep(ctx, n.name, ISCSID, (a) => a.steps.enableIscsid(targetOf(ctx, n)));
      }
    },
  };
}
