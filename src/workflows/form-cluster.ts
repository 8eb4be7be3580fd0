// Phase 3, form-cluster: the seed's "Configure The Cluster". Joins run one at a time (a second join
// while the datastore is still taking in the first fails: microk8s#4696), managers first, then workers.
import { patched } from '@temporalio/workflow';
import { DEFAULT_REFRESH_HOLD } from '../site/field-schema';
import type { SiteSpec } from '../site/schema';
import type { Phase } from './phase';
import { firstManager, managers, runStep, targetOf, workers, type SiteContext, type SiteNode } from './site-context';
import { defineStep, SKIPPED } from './steps';

const MICROK8S_READY = defineStep({ id: 'microk8s-ready', title: 'microk8s status --wait-ready', plan: { partOf: 'high-availability' } });
const JOIN = defineStep({ id: 'join', title: 'microk8s add-node / join' });
const JOIN_WAIT = defineStep({ id: 'join-wait', title: 'wait until the node is Ready', plan: { partOf: 'join' } });
const HIGH_AVAILABILITY = defineStep({ id: 'high-availability', title: 'wait for high-availability: yes' });
/** No surprise upgrades (microk8s#1022): snapd refreshes no MicroK8s on its own once the cluster is formed. */
const REFRESH_HOLD = defineStep({ id: 'refresh-hold', title: 'snap refresh --hold microk8s' });
const ADDONS = [
  { addon: 'dns', step: defineStep({ id: 'addon-dns', title: 'microk8s enable dns' }) },
  { addon: 'ingress', step: defineStep({ id: 'addon-ingress', title: 'microk8s enable ingress' }) },
  { addon: 'metallb', step: defineStep({ id: 'addon-metallb', title: 'microk8s enable metallb' }) },
] as const;

export const FORM_CLUSTER_STEPS = { JOIN, HIGH_AVAILABILITY, REFRESH_HOLD, ADDONS };

/**
 * `snap refresh --hold=<microk8s.refreshHold> microk8s` on `nodes` at once, each verified (`held` in snap list) and
 * shown in the status. Added after the v3 histories: patched() keeps them replaying (they have no such step).
 */
async function holdRefreshes(ctx: SiteContext, nodes: SiteNode[]): Promise<void> {
  // Runs from before the validated input (site-input.ts) carry the spec unparsed, without the key's default.
  const hold = (ctx.spec.microk8s as SiteSpec['microk8s'] | undefined)?.refreshHold ?? DEFAULT_REFRESH_HOLD;
  if (hold === 'off' || !patched('refresh-hold')) return;
  await Promise.all(nodes.map(async (n) => {
    const r = await runStep(ctx, n.name, REFRESH_HOLD, (a) => a.steps.holdMicroK8sRefresh(targetOf(ctx, n), hold));
    ctx.board.setNodeNote(n.name, 'refreshHold', r === SKIPPED ? 'not held (step skipped)' : `held (${hold}), verified`);
  }));
}

/** Waits for MicroK8s on the first manager, then joins `joiners` one at a time, each until it is Ready. */
async function joinOneByOne(ctx: SiteContext, joiners: SiteNode[]): Promise<void> {
  const { timeouts } = ctx;
  const first = firstManager(ctx);
  const firstTarget = targetOf(ctx, first);
  await runStep(ctx, first.name, MICROK8S_READY, (a) => a.waits(timeouts.clusterReady).waitMicroK8sReady(firstTarget, timeouts.clusterReady));
  for (const n of joiners) {
    const worker = n.role === 'worker';
    await runStep(ctx, n.name, JOIN, (a) => a.steps.joinCluster({ first: firstTarget, joiner: targetOf(ctx, n), joinerName: n.name, worker }));
    await runStep(ctx, n.name, JOIN_WAIT, (a) => a.waits(timeouts.clusterReady).waitNodeJoined(firstTarget, n.name, n.address, !worker, timeouts.clusterReady));
    ctx.board.setNode(n.name, 'joined', 'done');
  }
}

export const formCluster: Phase = {
  name: 'form-cluster',
  title: 'join 3 managers and the workers, wait for high availability, enable dns, ingress and metallb',
  hosts: (ctx) => {
    const first = firstManager(ctx);
    return [...managers(ctx).filter((n) => n.name !== first.name), ...workers(ctx)];
  },
  async run(ctx, joiners) {
    const { spec, timeouts } = ctx;
    await joinOneByOne(ctx, joiners);
    const first = firstManager(ctx);
    const firstTarget = targetOf(ctx, first);
    await runStep(ctx, first.name, HIGH_AVAILABILITY, (a) => a.waits(timeouts.clusterReady).waitHighAvailability(firstTarget, timeouts.clusterReady));
    await holdRefreshes(ctx, ctx.nodes);
    for (const { addon, step } of ADDONS) {
      const arg = addon === 'metallb' ? `metallb:${spec.virtualIp}/32` : addon;
      await runStep(ctx, first.name, step, (a) => a.steps.enableAddon(firstTarget, arg));
    }
    ctx.board.setSummary('cluster', `${managers(ctx).length} managers, ${workers(ctx).length} workers, high availability, virtual IP ${spec.virtualIp}`);
  },
};

/** add-node: the named nodes join the running cluster in their roles; nothing else changes. */
export function joinNodes(names: string[]): Phase {
  return {
    name: 'form-cluster',
    title: `join ${names.join(', ')}`,
    hosts: (ctx) => ctx.nodes.filter((n) => names.includes(n.name)),
    async run(ctx, joiners) {
      await joinOneByOne(ctx, joiners);
      await holdRefreshes(ctx, joiners);
    },
  };
}
