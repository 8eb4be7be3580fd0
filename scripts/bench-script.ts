// The plain scripts the benchmark compares the installer with: the same activities (so the same commands,
// checks and polls, in the same order) called in a loop without Temporal, over one SshPool. `sequential`
// does one node after the other, as a person following the seed would; `parallel` runs each per-node
// phase on every node at once and keeps the cluster-wide steps in their order (joins one at a time, then
// add-ons, storage, chart). Forked by scripts/bench.ts in a process of its own, like the worker.
import { createActivities } from '../src/activities';
import { SshPool } from '../src/activities/ssh';
import { parseSiteSpec } from '../src/site/load';
import type { SiteSpec } from '../src/site/schema';
import { valuesInput } from '../src/workflows/deploy-chart';
import { firstManager, siteNodes, siteTimeouts, targetOf, type SiteContext, type SiteNode } from '../src/workflows/site-context';

export type ScriptMode = 'sequential' | 'parallel';
export interface ScriptConfig { mode: ScriptMode; spec: unknown; pollMs: number }
export type FromScript = { type: 'done'; startedAt: number; endedAt: number } | { type: 'error'; message: string };

type Ctx = Pick<SiteContext, 'spec' | 'pins' | 'nodes' | 'timeouts'>;

export async function runScript(spec: SiteSpec, mode: ScriptMode, pollMs: number, pool = new SshPool()): Promise<void> {
  const a = createActivities({ pool, pollMs });
  const ctx: Ctx = { spec, pins: new Map(), nodes: siteNodes(spec), timeouts: siteTimeouts(spec) };
  const t = (n: SiteNode) => targetOf(ctx, n);
  const eachNode = async (fn: (n: SiteNode) => Promise<unknown>) => {
    if (mode === 'parallel') await Promise.all(ctx.nodes.map(fn));
    else for (const n of ctx.nodes) await fn(n);
  };

  // preflight (workflows/preflight.ts)
  const peers = ctx.nodes.map((n) => ({ name: n.name, address: n.address }));
  await eachNode(async (n) => {
    const r = await a.preflightNode(t(n), {
      peers, virtualIp: spec.virtualIp, volumeGroup: spec.lvm.volumeGroup, sharedVolumeSize: spec.lvm.sharedVolumeSize,
      unsharedGb: spec.storage.insightsDatabase + spec.storage.kafka + spec.storage.zookeeper,
      heavy: spec.features.kloudManage && spec.features.kloudInsights,
    });
    if (r.problems.length) throw new Error(`preflight ${n.name}: ${r.problems.join('; ')}`);
    ctx.pins.set(n.name, r.facts.hostKey);
  });

  // prepare-nodes (workflows/prepare-node.ts)
  await eachNode(async (n) => {
    const target = t(n);
    const rebootIfRequired = async () => {
      const s = await a.readBootState(target);
      if (!s.rebootRequired) return;
      await a.requestReboot(target, s.bootId);
      await a.waitForBoot(target, s.bootId, ctx.timeouts.nodeReboot);
    };
    await a.upgradePackages(target);
    await rebootIfRequired();
    await a.setHostname(target, n.name);
    await a.writeHostsFile(target, n.name, peers);
    await a.configureStaticAddress(target, {
      interface: n.interface, address: n.address, prefixLength: spec.network.prefixLength,
      gateway: spec.network.gateway, nameservers: spec.network.nameservers,
    });
    await a.installTools(target, spec.kloudspot.toolsUrl);
    await a.createSharedVolume(target, spec.lvm.volumeGroup, spec.lvm.sharedVolumeSize);
    await rebootIfRequired();
  });

  // form-cluster (workflows/form-cluster.ts): joins one at a time in both scripts.
  const first = firstManager(ctx);
  const ft = t(first);
  await a.waitMicroK8sReady(ft, ctx.timeouts.clusterReady);
  const order = [...ctx.nodes.filter((n) => n.role === 'manager' && n.name !== first.name), ...ctx.nodes.filter((n) => n.role === 'worker')];
  for (const n of order) {
    const worker = n.role === 'worker';
    await a.joinCluster({ first: ft, joiner: t(n), joinerName: n.name, worker });
    await a.waitNodeJoined(ft, n.name, n.address, !worker, ctx.timeouts.clusterReady);
  }
  await a.waitHighAvailability(ft, ctx.timeouts.clusterReady);
  for (const addon of ['dns', 'ingress', `metallb:${spec.virtualIp}/32`]) await a.enableAddon(ft, addon);

  // configure-storage (workflows/configure-storage.ts), one block device per node: no question.
  await eachNode((n) => a.enableIscsid(t(n)));
  await a.enableAddon(ft, 'community');
  await a.enableAddon(ft, 'openebs');
  const upgraded = await a.upgradeOpenebsRelease(ft, ctx.timeouts.storageReady);
  const names = ctx.nodes.map((n) => n.name);
  const existing = await a.existingPool(ft);
  if (!names.every((n) => existing.some((p) => p.node === n && p.phase === 'ONLINE'))) {
    await a.exposeSharedVolumesToNdm(ft, spec.lvm.volumeGroup);
    const candidates = await a.listBlockDeviceCandidates(ft, names, ctx.timeouts.storageReady);
    const choices = names.map((n) => {
      const options = candidates[n] ?? [];
      if (options.length !== 1) throw new Error(`${n}: ${options.length} block devices; the script cannot ask a person`);
      return { node: n, blockDevice: options[0].name };
    });
    await a.createCstorPool(ft, choices, Math.min(3, names.length));
    await a.waitPoolOnline(ft, names, ctx.timeouts.storageReady);
    await a.probeCstorVolume(ft, ctx.timeouts.storageReady);
  } else if (upgraded.changed) {
    await a.probeCstorVolume(ft, ctx.timeouts.storageReady);
  }

  // deploy-chart (workflows/deploy-chart.ts), self-signed TLS.
  if (spec.tls.mode !== 'self-signed') throw new Error('the script installs with tls.mode self-signed only');
  await a.writeValuesFile(ft, valuesInput({ spec } as SiteContext, 'self-signed'));
  await a.startChart(ft);
  await a.waitChartReady(ft, ctx.timeouts.chartReady);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_SCRIPT_CONFIG ?? '') as ScriptConfig;
  const spec = parseSiteSpec(config.spec, 'bench script spec');
  const pool = new SshPool();
  const startedAt = Date.now();
  await runScript(spec, config.mode, config.pollMs, pool);
  const endedAt = Date.now();
  await pool.closeAll();
  process.send?.({ type: 'done', startedAt, endedAt } satisfies FromScript);
  process.exit(0);
}

if (require.main === module) {
  main().catch((err) => {
    process.send?.({ type: 'error', message: (err as Error).stack ?? String(err) } satisfies FromScript);
    process.exit(1);
  });
}

/**
 * Each node's commands in the order they first ran, with what differs between fleets taken out (addresses,
 * tokens, temporary names): two runs that did the same work in the same order give equal lists, however
 * many times their polls went round.
 */
export function commandOrder(audit: { node: string; source: string; command: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of audit) {
    if (e.source !== 'ssh') continue;
    const c = e.command.replace(/127\.0\.\d+\./g, 'A.').replace(/\b[0-9a-f]{16,}\b/g, '<hex>').replace(/\b(sim|bench|fleet)[\w-]*\b/g, '<site>');
    const list = out.get(e.node) ?? [];
    if (!list.includes(c)) list.push(c);
    out.set(e.node, list);
  }
  return out;
}

/** How many positions differ between two runs' command orders, over every node. */
export function orderDifferences(a: Map<string, string[]>, b: Map<string, string[]>): number {
  let diff = 0;
  for (const node of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(node) ?? [];
    const y = b.get(node) ?? [];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) diff++;
  }
  return diff;
}
