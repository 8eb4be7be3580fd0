// replaceNode, workflow id replace-node/<site>/<old>: a node gone for good is replaced by a new machine that the
// spec already lists in its place (same position, so the same role). The dead node leaves Kubernetes and dqlite
// first (a dead member left in dqlite blocks or breaks the next join: microk8s#2212, #3694), then the new node is
// prepared, introduced to every /etc/hosts and joined in the role, the voters and Ready nodes are complete again,
// the dead node's cStor pool is moved to the new node's block device (openebs-archive/cstor-operators#416) and the
// chart is healthy. Every phase is the install's own, or checks before it acts: a re-run changes nothing.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { FailureType } from '../activities/failures';
import type { SiteSpec } from '../site/schema';
import type { InstallStatus } from './api';
import { chooseBlockDevice, STORAGE_STEPS } from './configure-storage';
import { joinNodes } from './form-cluster';
import { firstContact, requirePinnedHostKeys } from './host-keys';
import type { Phase } from './phase';
import { preflightPhase } from './preflight';
import { introduceNodes, prepareNodesNamed } from './prepare-nodes';
import { firstManager, managers, runStep, targetOf, type SiteContext } from './site-context';
import { checkedNodeName } from './site-input';
import { replaceProblem } from './replace-node-input';
import { openSite, runSite } from './site-run';
import { defineStep, SKIPPED } from './steps';

export interface ReplaceNodeInput {
  spec: SiteSpec;
  /** The dead node: no longer in spec.nodes. */
  node: string;
  /** The new machine: in spec.nodes where the dead one was. */
  with: string;
}

const REMOVE_NODE = defineStep({ id: 'remove-node', title: 'microk8s remove-node --force: the dead node out of Kubernetes and the datastore', plan: { notInInstall: 'the replace-node workflow' } });
const CLUSTER_WHOLE = defineStep({ id: 'cluster-whole', title: 'every node Ready and the datastore voters complete', plan: { notInInstall: 'the replace-node workflow' } });
const POOL_MOVE = defineStep({ id: 'cstor-pool-move', title: 'the dead node\'s pool in the CStorPoolCluster moved to the new node', plan: { notInInstall: 'the replace-node workflow' } });
const LOST_REPLICAS = defineStep({ id: 'lost-replicas', title: 'cStor volume replicas left on the dead node\'s pool', plan: { notInInstall: 'the replace-node workflow' } });
const LOST_POOL_OUT = defineStep({ id: 'lost-pool-out-of-volumes', title: 'the dead node\'s pool taken out of every cStor volume, its replicas released', plan: { notInInstall: 'the replace-node workflow' } });
const MOVE_REPLICAS = defineStep({ id: 'move-volume-replicas', title: 'cStor volume replicas put on the new node\'s pool and rebuilt Healthy', plan: { notInInstall: 'the replace-node workflow' } });
const CHART_HEALTHY = defineStep({ id: 'chart-healthy', title: 'the chart deployed and every pod Ready', plan: { notInInstall: 'the replace-node workflow' } });

const removeDead = (old: string): Phase => ({
  name: 'form-cluster',
  title: `remove ${old} from Kubernetes and the datastore`,
  hosts: (ctx) => [firstManager(ctx)],
  async run(ctx, [control]) {
    const keep = ctx.nodes.map((n) => n.address);
    await runStep(ctx, undefined, REMOVE_NODE, (a) => a.steps.removeDeadNode(targetOf(ctx, control), old, keep));
  },
});

const clusterWhole: Phase = {
  name: 'form-cluster',
  title: 'every node Ready, the datastore voters complete',
  hosts: (ctx) => [firstManager(ctx)],
  async run(ctx, [control]) {
    const voters = Math.min(3, managers(ctx).length);
    await runStep(ctx, undefined, CLUSTER_WHOLE, (a) => a.waits(ctx.timeouts.clusterReady)
      .waitClusterWhole(targetOf(ctx, control), ctx.nodes.map((n) => n.name), voters, ctx.timeouts.clusterReady));
  },
};

const movePool = (old: string, fresh: string): Phase => ({
  name: 'configure-storage',
  title: `move ${old}'s cStor pool to ${fresh}`,
  hosts: (ctx) => [firstManager(ctx)],
  async run(ctx, [control]) {
    const t = targetOf(ctx, control);
    const wait = ctx.timeouts.storageReady;
    const names = ctx.nodes.map((n) => n.name);
    const pools = await runStep(ctx, control.name, STORAGE_STEPS.POOL_CHECK, (a) => a.steps.existingPool(t));
    const moveReplicas = patched('replace-node-move-replicas');
    if (pools === SKIPPED || !pools.some((p) => p.node === fresh)) {
      // The CSPC webhook refuses to drop a pool that still holds replicas (pkg/webhook/cspc.go ValidateScaledown):
      // the lost pool leaves the volumes first (migrate_cstor_volume.md steps 1-2, then the CSPC in step 3).
      if (moveReplicas) await runStep(ctx, undefined, LOST_POOL_OUT, (a) => a.waits(wait).takeLostPoolOutOfVolumes(t, old, wait));
      const candidates = await runStep(ctx, fresh, STORAGE_STEPS.BLOCK_DEVICES, (a) => a.waits(wait).listBlockDeviceCandidates(t, [fresh], wait));
      if (candidates === SKIPPED) return;
      const blockDevice = await chooseBlockDevice(ctx, fresh, candidates[fresh] ?? []);
      await runStep(ctx, fresh, POOL_MOVE, (a) => a.steps.moveCstorPool(t, old, fresh, blockDevice, Math.min(3, ctx.nodes.length)));
    }
    await runStep(ctx, undefined, STORAGE_STEPS.POOL_ONLINE, (a) => a.waits(wait).waitPoolOnline(t, names, wait));
    ctx.board.setSummary('pool', `cStor pool online on ${names.length} nodes (${old}'s moved to ${fresh})`);
    if (moveReplicas) {
      // Each volume gets a replica on the new pool, rebuilt there from the others (migrate_cstor_volume.md).
      const moved = await runStep(ctx, undefined, MOVE_REPLICAS, (a) => a.waits(wait).moveVolumeReplicas(t, old, fresh, wait));
      if (moved !== SKIPPED) ctx.board.setSummary('volume replicas', moved.detail ?? 'every cStor volume Healthy on live pools');
      return;
    }
    // Replicas on the lost pool are not moved yet (cstor-operators docs/troubleshooting/migrate_cstor_volume.md):
    // say which volumes run short of one, so a person knows.
    const short = await runStep(ctx, undefined, LOST_REPLICAS, (a) => a.steps.volumesWithReplicaOn(t, old));
    if (short !== SKIPPED && short.length > 0) {
      ctx.board.setSummary('volume replicas', `${short.length} cStor volumes kept a replica on ${old}'s lost pool (${short.slice(0, 5).join(', ')}): ` +
        `they run on their other replicas until each is moved to ${fresh}'s pool (openebs cstor-operators docs/troubleshooting/migrate_cstor_volume.md)`);
    }
  },
});

const chartHealthy: Phase = {
  name: 'deploy-chart',
  title: 'the chart healthy',
  hosts: (ctx) => [firstManager(ctx)],
  async run(ctx, [control]) {
    const wait = ctx.timeouts.chartReady;
    await runStep(ctx, undefined, CHART_HEALTHY, (a) => a.waits(wait).waitChartReady(targetOf(ctx, control), wait));
  },
};

export async function replaceNode(input: ReplaceNodeInput): Promise<InstallStatus> {
  const ctx: SiteContext = openSite(input.spec);
  const old = checkedNodeName(input.node);
  const fresh = checkedNodeName(input.with);
  const problem = replaceProblem(ctx.spec, old, fresh);
  if (problem) throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `${problem}. Nothing was run on any node.`, nonRetryable: true });
  // The new node last: cluster-wide commands run on the first manager, which must be one in the cluster.
  ctx.nodes = [...ctx.nodes.filter((n) => n.name !== fresh), ...ctx.nodes.filter((n) => n.name === fresh)];
  ctx.board.setSummary('replace', `${old} (gone) -> ${fresh} as ${ctx.nodes[ctx.nodes.length - 1].role}`);
  return runSite(ctx, [
    requirePinnedHostKeys([fresh]), ...firstContact(), preflightPhase({ virtualIpInUse: true }),
    removeDead(old), prepareNodesNamed([fresh]), introduceNodes([fresh]), joinNodes([fresh]),
    clusterWhole, movePool(old, fresh), chartHealthy,
  ]);
}
