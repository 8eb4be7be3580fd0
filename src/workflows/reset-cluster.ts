// reset's second phase: the cluster taken apart in the reverse of the install. The chart goes (`kloudspot stop`),
// then the cStor pool and the add-ons that hold node resources (OpenEBS's iSCSI targets keep the shared volume
// open, so lvremove would fail under them), then the nodes leave one at a time, workers first, then managers,
// each removed on the first manager afterwards. The first manager stays; the next phase removes its snap.
// Ingress, MetalLB and dns live only in the cluster's datastore and go with `snap remove --purge`.
import type { Phase } from './phase';
import { RESET_STEPS as S, RESET_ADDONS } from './reset-steps';
import { firstManager, managers, runStep, targetOf, workers, type SiteContext, type SiteNode } from './site-context';
import { SKIPPED } from './steps';

const ADDON_STEPS = { openebs: S.DISABLE_OPENEBS, community: S.DISABLE_COMMUNITY } as const;

/** The joiners in reverse join order: workers (last joined first), then managers other than the first. */
export function leavingOrder(ctx: Pick<SiteContext, 'nodes'>): SiteNode[] {
  const first = firstManager(ctx);
  return [...workers(ctx).reverse(), ...managers(ctx).filter((n) => n.name !== first.name).reverse()];
}

export const resetCluster: Phase = {
  name: 'reset-cluster',
  title: 'kloudspot stop, the cStor pool, OpenEBS, then workers and managers leave one at a time',
  hosts: leavingOrder,
  async run(ctx, leaving) {
    const first = firstManager(ctx);
    const ft = targetOf(ctx, first);
    await runStep(ctx, first.name, S.STOP_CHART, (a) => a.waits(ctx.timeouts.chartReady).resetChart(ft, ctx.timeouts.chartReady));
    await runStep(ctx, first.name, S.DELETE_POOL, (a) => a.steps.deleteCstorPool(ft));
    for (const addon of RESET_ADDONS) await runStep(ctx, first.name, ADDON_STEPS[addon], (a) => a.steps.disableAddon(ft, addon));
    for (const n of leaving) {
      const left = await runStep(ctx, n.name, S.LEAVE, (a) => a.steps.leaveCluster(ft, targetOf(ctx, n), n.role === 'worker'));
      // A node that could not leave (a person skipped its step: it is gone or broken) is dropped from dqlite too.
      const force = left === SKIPPED;
      await runStep(ctx, n.name, S.REMOVE_NODE, (a) => a.steps.removeClusterNode(ft, n.name, n.address, force));
      ctx.board.setNode(n.name, 'left', 'done');
    }
  },
};
