// Phase 2, prepare-nodes: one prepare-node child workflow per node, all at once (prepare-node.ts has the steps).
import { ParentClosePolicy, patched, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { prepareNodeWorkflowId } from './api';
import { ISCSID } from './configure-storage';
import { allNodes, type Phase } from './phase';
import { HOSTS_FILE, prepareNode } from './prepare-node';

import { proxyInput, runStep, targetOf, type SiteContext, type SiteNode } from './site-context';

async function prepareInParallel(ctx: SiteContext, nodes: SiteNode[]): Promise<void> {
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
      proxy: proxyInput(spec),
    }],
  })));
  await Promise.all(children.map((c) => c.result()));
}

export const prepareNodes: Phase = {
  name: 'prepare-nodes',
  title: 'per node in parallel: apt upgrade, reboot, hostname, /etc/hosts, static address, Kloudspot tools, shared LV',
  hosts: allNodes,
  run: prepareInParallel,
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
