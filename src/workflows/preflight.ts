// Phase 1, preflight: every node's facts in parallel, judged against the seed's requirements. Every problem
// of every node goes into one report before anything changes; a person retries after fixing, or aborts.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PreflightResult } from '../activities/preflight';
import { describeFailure, FailureType } from '../activities/failures';
import { lvmSizeBytes, storageNeed } from '../site/sizes';
import { cloneProblems } from './clones';
import { allNodes, type Phase } from './phase';
import { targetOf, type SiteContext, type SiteNode } from './site-context';
import { InstallAborted } from './steps';

// Facts are read-only and quick: give up sooner than ordinary steps, the report says why.
export const { preflightNode } = proxyActivities<Activities>({
  startToCloseTimeout: '5m', heartbeatTimeout: '20s',
  retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3, nonRetryableErrorTypes: [FailureType.HostKeyMismatch] },
});

/** The step id of preflight's question (`resolve <site> --step cluster:preflight`). */
const PREFLIGHT_STEP = 'cluster:preflight';

/** Every node checked; with `virtualIpInUse` (add-node) the virtual IP answering is expected, not a conflict. */
export function preflightPhase(o: { virtualIpInUse?: boolean } = {}): Phase {
  return {
    name: 'preflight',
    title: 'every node\'s facts against the seed\'s requirements, one report before anything changes',
    hosts: allNodes,
    run: async (ctx, hosts) => { await runPreflight(ctx, hosts, ctx.nodes, o); },
  };
}
export const preflight = preflightPhase();

/** The seed's storage estimate against the spec, node-independent: shared storage comes from the `shared` volume. */
export function storageProblems(spec: SiteContext['spec']): string[] {
  const sharedNeedGb = storageNeed(spec.storage, spec.features).sharedGb;
  const sharedGb = lvmSizeBytes(spec.lvm.sharedVolumeSize) / 1e9;
  return sharedNeedGb > sharedGb
    ? [`storage: the shared volumes ask for ${sharedNeedGb} GB (elasticsearch ${spec.storage.elasticsearch} + streamState ${spec.storage.streamState}) but lvm.sharedVolumeSize ${spec.lvm.sharedVolumeSize} holds ${sharedGb.toFixed(1)} GB: raise lvm.sharedVolumeSize or lower those sizes`]
    : [];
}

/** What preflightNode judges a node against: the seed's requirements and this spec. */
export function preflightInput(spec: SiteContext['spec'], peers: SiteNode[], o: { virtualIpInUse?: boolean } = {}) {
  return {
    peers: peers.map((n) => ({ name: n.name, address: n.address })),
    interfaces: Object.fromEntries(peers.map((n) => [n.name, n.interface])),
    virtualIp: spec.virtualIp,
    volumeGroup: spec.lvm.volumeGroup,
    sharedVolumeSize: spec.lvm.sharedVolumeSize,
    unsharedGb: storageNeed(spec.storage, spec.features).unsharedGb,
    heavy: spec.features.kloudManage && spec.features.kloudInsights,
    ...(o.virtualIpInUse ? { virtualIpInUse: true } : {}),
  };
}

async function runPreflight(
  ctx: SiteContext, nodes: SiteNode[] = ctx.nodes, peers: SiteNode[] = ctx.nodes, o: { virtualIpInUse?: boolean } = {},
): Promise<Map<string, PreflightResult>> {
  const { spec, board } = ctx;
  const input = preflightInput(spec, peers, o);
  for (;;) {
    nodes.forEach((n) => board.setNode(n.name, 'preflight', 'running'));
    const settled = await Promise.allSettled(nodes.map((n) => preflightNode(targetOf(ctx, n), input)));
    const results = new Map<string, PreflightResult>();
    const storage = storageProblems(spec);
    const report: string[] = storage.map((p) => `- ${p}`);
    let count = storage.length;
    const warnings: string[] = [];
    // Grouped by node, every problem: a person fixes one machine at a time.
    const nodeProblems = (name: string, problems: string[]) => {
      count += problems.length;
      if (problems.length) report.push(`${name} (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, ...problems.map((p) => `  - ${p}`));
    };
    // Clones are found only by comparing nodes: the same machine-id or host key on two of them.
    const clones = cloneProblems(settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value.facts] : [])));
    settled.forEach((r, i) => {
      const name = nodes[i].name;
      if (r.status === 'fulfilled') {
        results.set(name, r.value);
        const problems = [...r.value.problems, ...(clones.get(name) ?? [])];
        nodeProblems(name, problems);
        warnings.push(...r.value.warnings.map((w) => `${name}: ${w}`));
        board.setNode(name, 'preflight', problems.length ? 'failed' : 'done');
      } else {
        nodeProblems(name, [`cannot be checked: ${describeFailure(r.reason).message}`]);
        board.setNode(name, 'preflight', 'failed');
      }
    });
    if (warnings.length) board.setSummary('preflight warnings', warnings.join('; '));
    if (count === 0) {
      for (const [name, r] of results) if (!ctx.pins.has(name)) ctx.pins.set(name, r.facts.hostKey);
      return results;
    }
    const action = await ctx.questions.askFailure(PREFLIGHT_STEP, undefined,
      `preflight found ${count} problem${count === 1 ? '' : 's'}; nothing was changed`,
      report.join('\n'));
    if (action === 'abort') throw new InstallAborted(PREFLIGHT_STEP);
    if (action === 'skip') {
      for (const [name, r] of results) if (!ctx.pins.has(name)) ctx.pins.set(name, r.facts.hostKey);
      return results;
    }
  }
}
