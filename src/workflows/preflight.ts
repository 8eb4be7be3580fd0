// Phase 1, preflight: every node's facts in parallel, judged against the seed's requirements. Every problem
// of every node goes into one report before anything changes; a person retries after fixing, or aborts.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PreflightResult } from '../activities/preflight';
import { describeFailure, InstallAborted } from './steps';
import { targetOf, type SiteContext, type SiteNode } from './site-context';

// Facts are read-only and quick: give up sooner than ordinary steps, the report says why.
const { preflightNode } = proxyActivities<Activities>({
  startToCloseTimeout: '5m', heartbeatTimeout: '20s',
  retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3, nonRetryableErrorTypes: ['HostKeyMismatch'] },
});

const GIB = 2 ** 30;

/** The seed's storage estimate against the spec, node-independent: shared storage comes from the `shared` volume. */
export function storageProblems(spec: SiteContext['spec']): string[] {
  const sharedNeedGb = spec.storage.elasticsearch + spec.storage.streamState;
  const m = /^(\d+)([MGT])$/.exec(spec.lvm.sharedVolumeSize);
  const sharedBytes = m ? Number(m[1]) * { M: 2 ** 20, G: GIB, T: 2 ** 40 }[m[2] as 'M' | 'G' | 'T'] : 0;
  const sharedGb = sharedBytes / 1e9;
  return sharedNeedGb > sharedGb
    ? [`storage: the shared volumes ask for ${sharedNeedGb} GB (elasticsearch ${spec.storage.elasticsearch} + streamState ${spec.storage.streamState}) but lvm.sharedVolumeSize ${spec.lvm.sharedVolumeSize} holds ${sharedGb.toFixed(1)} GB: raise lvm.sharedVolumeSize or lower those sizes`]
    : [];
}

export async function runPreflight(
  ctx: SiteContext, nodes: SiteNode[] = ctx.nodes, peers: SiteNode[] = ctx.nodes, o: { virtualIpInUse?: boolean } = {},
): Promise<Map<string, PreflightResult>> {
  const { spec, ctl } = ctx;
  const input = {
    peers: peers.map((n) => ({ name: n.name, address: n.address })),
    virtualIp: spec.virtualIp,
    volumeGroup: spec.lvm.volumeGroup,
    sharedVolumeSize: spec.lvm.sharedVolumeSize,
    unsharedGb: spec.storage.insightsDatabase + spec.storage.kafka + spec.storage.zookeeper,
    heavy: spec.features.kloudManage && spec.features.kloudInsights,
    ...(o.virtualIpInUse ? { virtualIpInUse: true } : {}),
  };
  for (;;) {
    ctl.setPhase('preflight');
    nodes.forEach((n) => ctl.setNode(n.name, 'preflight', 'running'));
    const settled = await Promise.allSettled(nodes.map((n) => preflightNode(targetOf(ctx, n), input)));
    const results = new Map<string, PreflightResult>();
    const report: string[] = [...storageProblems(spec)];
    const warnings: string[] = [];
    settled.forEach((r, i) => {
      const name = nodes[i].name;
      if (r.status === 'fulfilled') {
        results.set(name, r.value);
        report.push(...r.value.problems.map((p) => `${name}: ${p}`));
        warnings.push(...r.value.warnings.map((w) => `${name}: ${w}`));
        ctl.setNode(name, 'preflight', r.value.problems.length ? 'failed' : 'done');
      } else {
        report.push(`${name}: cannot be checked: ${describeFailure(r.reason).message}`);
        ctl.setNode(name, 'preflight', 'failed');
      }
    });
    if (warnings.length) ctl.setSummary('preflight warnings', warnings.join('; '));
    if (report.length === 0) {
      for (const [name, r] of results) if (!ctx.pins.has(name)) ctx.pins.set(name, r.facts.hostKey);
      return results;
    }
    const action = await ctl.askFailure('cluster:preflight', undefined,
      `preflight found ${report.length} problem${report.length === 1 ? '' : 's'}; nothing was changed`,
      report.map((l) => `- ${l}`).join('\n'));
    if (action === 'abort') throw new InstallAborted('cluster:preflight');
    if (action === 'skip') {
      for (const [name, r] of results) if (!ctx.pins.has(name)) ctx.pins.set(name, r.facts.hostKey);
      return results;
    }
  }
}
