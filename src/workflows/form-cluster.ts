// Phase 3, form-cluster: the seed's "Configure The Cluster". Joins run one at a time (a second join
// while the datastore is still taking in the first fails: microk8s#4696), managers first, then workers.
import { step } from './steps';
import { firstManager, targetOf, type SiteContext, type SiteNode } from './site-context';

export async function formCluster(ctx: SiteContext, joiners?: SiteNode[]): Promise<void> {
  const { ctl, spec, timeouts } = ctx;
  ctl.setPhase('form-cluster');
  const first = firstManager(ctx);
  const firstTarget = targetOf(ctx, first);

  await step(ctl, first.name, 'microk8s-ready', (a) => a.waits(timeouts.clusterReady).waitMicroK8sReady(firstTarget, timeouts.clusterReady));
  const order = joiners ?? [
    ...ctx.nodes.filter((n) => n.role === 'manager' && n.name !== first.name),
    ...ctx.nodes.filter((n) => n.role === 'worker'),
  ];
  for (const n of order) {
    const worker = n.role === 'worker';
    await step(ctl, n.name, 'join', (a) => a.steps.joinCluster({ first: firstTarget, joiner: targetOf(ctx, n), joinerName: n.name, worker }));
    await step(ctl, n.name, 'join-wait', (a) => a.waits(timeouts.clusterReady).waitNodeJoined(firstTarget, n.name, n.address, !worker, timeouts.clusterReady));
    ctl.setNode(n.name, 'joined', 'done');
  }
  if (joiners) return;

  await step(ctl, first.name, 'high-availability', (a) => a.waits(timeouts.clusterReady).waitHighAvailability(firstTarget, timeouts.clusterReady));
  for (const addon of ['dns', 'ingress', `metallb:${spec.virtualIp}/32`]) {
    await step(ctl, first.name, `addon-${addon.split(':')[0]}`, (a) => a.steps.enableAddon(firstTarget, addon));
  }
  ctl.setSummary('cluster', `${ctx.nodes.filter((n) => n.role === 'manager').length} managers, ${ctx.nodes.filter((n) => n.role === 'worker').length} workers, high availability, virtual IP ${spec.virtualIp}`);
}
