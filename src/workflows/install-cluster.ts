// installCluster(spec), workflow id install/<site>: the whole install as one ordered list of phases.
// Each phase decides from what it finds on the nodes what is left to do, so a re-run changes nothing.
import { ApplicationFailure, ChildWorkflowFailure, ParentClosePolicy, patched, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SiteSpec } from '../site/schema';
import { CustomerKey, PhaseKey, SiteKey } from '../temporal/search-attributes';
import { prepareNodeWorkflowId, type InstallStatus, type Phase } from './api';
import { configureStorage } from './configure-storage';
import { deployChart } from './deploy-chart';
import { formCluster } from './form-cluster';
import { runPreflight } from './preflight';
import { prepareNode } from './prepare-node';
import { Control } from './questions';
import { siteNodes, siteTimeouts, targetOf, type SiteContext, type SiteNode } from './site-context';
import { InstallAborted } from './steps';

export const UI_HINT = 'Or from a shell: `kloudspot-installer answer|upload-cert|self-signed|resolve <site> ...` (see `kloudspot-installer --help`).';

/** Creates the context and registers every handler: call before the workflow's first await. */
export function openSite(spec: SiteSpec, extraNodes: SiteNode[] = []): SiteContext {
  const nodes = [...siteNodes(spec), ...extraNodes];
  const ctl = new Control(spec.site, nodes, (node) => prepareNodeWorkflowId(spec.site, node), UI_HINT,
    (phase: Phase) => upsertSearchAttributes([{ key: PhaseKey, value: phase }]));
  upsertSearchAttributes([{ key: SiteKey, value: spec.site }, { key: CustomerKey, value: spec.customer }, { key: PhaseKey, value: 'preflight' }]);
  return { spec, ctl, nodes, pins: new Map(), timeouts: siteTimeouts(spec) };
}

/** prepare-nodes: one child workflow per node, all at once. */
export async function prepareNodes(ctx: SiteContext, nodes: SiteNode[] = ctx.nodes): Promise<void> {
  const { spec, ctl } = ctx;
  ctl.setPhase('prepare-nodes');
  const allNodes = ctx.nodes.map((n) => ({ name: n.name, address: n.address }));
  const children = await Promise.all(nodes.map((n) => startChild(prepareNode, {
    workflowId: prepareNodeWorkflowId(spec.site, n.name),
    parentClosePolicy: ParentClosePolicy.TERMINATE,
    args: [{
      site: spec.site, node: { name: n.name, address: n.address, interface: n.interface, role: n.role },
      target: targetOf(ctx, n), allNodes, network: spec.network, lvm: spec.lvm,
      toolsUrl: spec.kloudspot.toolsUrl, rebootTimeoutMs: ctx.timeouts.nodeReboot, parentId: workflowInfo().workflowId,
    }],
  })));
  await Promise.all(children.map((c) => c.result()));
}

/** Ends the run: an abort (a person's answer) fails the install with a clear message; other errors pass. */
export async function guarded(ctx: SiteContext, body: () => Promise<void>): Promise<InstallStatus> {
  try {
    await body();
    // Added after v1 histories were recorded: `list` showed finished installs in their last phase.
    // patched() keeps those histories replaying (they carry no marker, so no extra command there).
    if (patched('phase-done-search-attribute')) upsertSearchAttributes([{ key: PhaseKey, value: 'done' }]);
    return ctx.ctl.finish('completed');
  } catch (err) {
    const aborted = err instanceof InstallAborted ? err
      : err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'InstallAborted' ? err.cause : undefined;
    if (aborted) {
      ctx.ctl.finish('failed', aborted.message);
      throw ApplicationFailure.create({ type: 'InstallAborted', message: `${ctx.spec.site}: install ${aborted.message}`, nonRetryable: true });
    }
    ctx.ctl.finish('failed', (err as Error).message);
    throw err;
  }
}

export async function installCluster(spec: SiteSpec): Promise<InstallStatus> {
  const ctx = openSite(spec);
  return guarded(ctx, async () => {
    await runPreflight(ctx);
    await prepareNodes(ctx);
    await formCluster(ctx);
    await configureStorage(ctx);
    await deployChart(ctx);
  });
}
