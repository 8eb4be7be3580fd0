// Later operations on an installed site, reusing the install's phases:
// updateDeployment (`kloudspot update --update-helm`), uninstall (`kloudspot stop`), addNode (prepare + join as worker).
import type { SiteSpec } from '../site/schema';
import type { InstallStatus } from './api';
import { valuesInput } from './deploy-chart';
import { formCluster } from './form-cluster';
import { guarded, openSite, prepareNodes } from './install-cluster';
import { runPreflight } from './preflight';
import { firstManager, targetOf } from './site-context';
import { step } from './steps';

export async function updateDeployment(spec: SiteSpec): Promise<InstallStatus> {
  const ctx = openSite(spec);
  return guarded(ctx, async () => {
    ctx.ctl.setPhase('deploy-chart');
    const first = firstManager(ctx);
    const t = targetOf(ctx, first);
    const tls = (await step(ctx.ctl, first.name, 'tls-check', (a) => a.steps.tlsSecretPresent(t))) === true ? 'uploaded' : 'self-signed';
    await step(ctx.ctl, first.name, 'values-file', (a) => a.steps.writeValuesFile(t, valuesInput(ctx, tls)));
    await step(ctx.ctl, first.name, 'chart-update', (a) => a.steps.updateChart(t));
    await step(ctx.ctl, first.name, 'chart-ready', (a) => a.waits(ctx.timeouts.chartReady).waitChartReady(t, ctx.timeouts.chartReady));
  });
}

export async function uninstall(spec: SiteSpec): Promise<InstallStatus> {
  const ctx = openSite(spec);
  return guarded(ctx, async () => {
    ctx.ctl.setPhase('deploy-chart');
    const first = firstManager(ctx);
    const t = targetOf(ctx, first);
    await step(ctx.ctl, first.name, 'chart-stop', (a) => a.steps.stopChart(t));
    await step(ctx.ctl, first.name, 'chart-gone', (a) => a.waits(ctx.timeouts.chartReady).waitChartGone(t, ctx.timeouts.chartReady));
  });
}

/** `spec.nodes` must already list the new node (the site file is the source of truth); it joins as a worker. */
export async function addNode(spec: SiteSpec, nodeName: string): Promise<InstallStatus> {
  const ctx = openSite(spec);
  const node = ctx.nodes.find((n) => n.name === nodeName);
  return guarded(ctx, async () => {
    if (!node) throw new Error(`node ${nodeName} is not in the site spec: add it to nodes[] first`);
    node.role = 'worker';
    const others = ctx.nodes.filter((n) => n.name !== nodeName);
    await runPreflight(ctx, ctx.nodes, ctx.nodes, { virtualIpInUse: true });
    await prepareNodes(ctx, [node]);
    // Every other node must resolve the new name too.
    const all = ctx.nodes.map((n) => ({ name: n.name, address: n.address }));
    await Promise.all(others.map((n) => step(ctx.ctl, n.name, 'hosts-file', (a) => a.steps.writeHostsFile(targetOf(ctx, n), n.name, all))));
    await step(ctx.ctl, node.name, 'iscsid', (a) => a.steps.enableIscsid(targetOf(ctx, node)));
    await formCluster(ctx, [node]);
  });
}
