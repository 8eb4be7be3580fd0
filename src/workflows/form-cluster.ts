// Phase 3, form-cluster: the seed's "Configure The Cluster". Joins run one at a time (a second join
// while the datastore is still taking in the first fails: microk8s#4696), managers first, then workers.
import type { Phase } from './phase';
import { firstManager, managers, runStep, targetOf, workers, type SiteContext, type SiteNode } from './site-context';
import { defineStep } from './steps';

const MICROK8S_READY = defineStep({ id: 'microk8s-ready', title: 'microk8s status --wait-ready' });
const JOIN = defineStep({ id: 'join', title: 'microk8s add-node / join' });
const JOIN_WAIT = defineStep({ id: 'join-wait', title: 'wait until the node is Ready' });
const HIGH_AVAILABILITY = defineStep({ id: 'high-availability', title: 'wait for high-availability: yes' });
const ADDONS = [
  { addon: 'dns', step: defineStep({ id: 'addon-dns', title: 'microk8s enable dns' }) },
  { addon: 'ingress', step: defineStep({ id: 'addon-ingress', title: 'microk8s enable ingress' }) },
  { addon: 'metallb', step: defineStep({ id: 'addon-metallb', title: 'microk8s enable metallb' }) },
] as const;

export const FORM_CLUSTER_STEPS = { JOIN, HIGH_AVAILABILITY, ADDONS };

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
    run: joinOneByOne,
  };
}
