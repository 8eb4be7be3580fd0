// planSite(spec), workflow id plan/<site>: what an install would do, without doing any of it. Preflight, then
// the install's own "already done?" checks of every step (activities/plan.ts, read-only by construction), in
// the install's order with the install's step names. Asks nothing; a node that cannot be reached says so.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeFailure, FailureType } from '../activities/failures';
import type { PlannedStep } from '../activities/plan';
import type { SiteSpec } from '../site/schema';
import { STORAGE_STEPS } from './configure-storage';
import { CHART_STEPS, initInput, valuesInput } from './deploy-chart';
import { FORM_CLUSTER_STEPS } from './form-cluster';
import { preflightInput, preflightNode } from './preflight';
import { PREPARE_NODE_STEPS, PROXY_STEPS } from './prepare-node';
import { firstManager, proxyInput, siteNodes, siteTimeouts, targetOf, type SiteContext } from './site-context';
import { declaredSteps, type StepDef } from './steps';
import { HOOK_FILES, hookFiles, hookSteps } from './hooks';
import { CLUSTER_MEMBERS } from './prepare-nodes';

const { planNode, planCluster } = proxyActivities<Activities>({
  startToCloseTimeout: '5m', heartbeatTimeout: '20s',
  retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3, nonRetryableErrorTypes: [FailureType.HostKeyMismatch, FailureType.NotReadOnly] },
});

export interface SitePlan {
  site: string;
  preflight: { node: string; problems: string[]; warnings: string[] }[];
  steps: (PlannedStep & { title: string })[];
  /** Steps that would act, and steps that cannot be judged yet. */
  changes: number;
  unknown: number;
}

// The imports above declare the install's steps; plan titles every one of them (and the spec's hook steps).
void [PREPARE_NODE_STEPS, PROXY_STEPS, STORAGE_STEPS, FORM_CLUSTER_STEPS, CHART_STEPS, HOOK_FILES, CLUSTER_MEMBERS];
const titles = (spec: SiteSpec) => new Map<string, string>([...declaredSteps(), ...hookSteps(spec).map((h) => h.def)].map((d: StepDef) => [d.id, d.title]));

export async function planSite(spec: SiteSpec): Promise<SitePlan> {
  // Only what the checks need of a context: no status board, no questions.
  const ctx = { spec, nodes: siteNodes(spec), pins: new Map<string, string>(), timeouts: siteTimeouts(spec) } as Omit<SiteContext, 'board' | 'questions'>;
  const input = preflightInput(spec, ctx.nodes);
  const facts = await Promise.allSettled(ctx.nodes.map((n) => preflightNode(targetOf(ctx, n), input)));
  const preflight = facts.map((r, i) => {
    const node = ctx.nodes[i].name;
    if (r.status === 'rejected') return { node, problems: [`cannot be checked: ${describeFailure(r.reason).message}`], warnings: [] };
    if (!ctx.pins.has(node)) ctx.pins.set(node, r.value.facts.hostKey);
    return { node, problems: r.value.problems, warnings: r.value.warnings };
  });
  const reachable = ctx.nodes.filter((_n, i) => facts[i].status === 'fulfilled');

  const perNode = await Promise.all(reachable.map((n) => planNode(targetOf(ctx, n), {
    name: n.name, allNodes: ctx.nodes.map((x) => ({ name: x.name, address: x.address })),
    address: {
      interface: n.interface, address: n.address,
      prefixLength: spec.network.prefixLength, gateway: spec.network.gateway, nameservers: spec.network.nameservers,
    },
    volumeGroup: spec.lvm.volumeGroup, sharedVolumeSize: spec.lvm.sharedVolumeSize,
    proxy: proxyInput(spec), refreshHold: spec.microk8s.refreshHold,
  })));
  const first = firstManager(ctx);
  const clusterSteps = reachable.some((n) => n.name === first.name) ? await planCluster({
    first: targetOf(ctx, first),
    joiners: [...ctx.nodes.filter((n) => n.role === 'manager' && n.name !== first.name), ...ctx.nodes.filter((n) => n.role === 'worker')]
      .filter((n) => reachable.includes(n)).map((n) => ({ name: n.name, target: targetOf(ctx, n), worker: n.role === 'worker' })),
    nodes: ctx.nodes.map((n) => ({ name: n.name, target: targetOf(ctx, n) })),
    addons: FORM_CLUSTER_STEPS.ADDONS.map((a) => ({ step: a.step.id, addon: a.addon === 'metallb' ? `metallb:${spec.virtualIp}/32` : a.addon })),
    storageAddons: [{ step: STORAGE_STEPS.ADDON_COMMUNITY.id, addon: 'community' }, { step: STORAGE_STEPS.ADDON_OPENEBS.id, addon: 'openebs' }],
    values: valuesInput(ctx as SiteContext, spec.tls.mode === 'upload' ? 'uploaded' : 'self-signed'),
    ...(spec.deploy?.mode === 'kloudspot-init' ? { init: initInput(spec) } : {}),
    tlsUpload: spec.tls.mode === 'upload',
    volumeGroup: spec.lvm.volumeGroup,
    hooks: { files: hookFiles(spec).length, steps: hookSteps(spec).map((h) => ({ step: h.def.id, when: h.when, phase: h.phase, file: h.file })) },
  }) : [];

  const TITLES = titles(spec);
  const steps = [...perNode.flat(), ...clusterSteps].map((s) => ({ ...s, title: TITLES.get(s.step) ?? s.step }));
  return {
    site: spec.site, preflight, steps,
    changes: steps.filter((s) => s.state === 'change').length,
    unknown: steps.filter((s) => s.state === 'unknown').length,
  };
}
