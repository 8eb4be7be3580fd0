// Phase 4, configure-storage: the seed's "Configure Storage" and the block-device part of `kloudspot init`.
import { SKIPPED, step } from './steps';
import { firstManager, targetOf, type SiteContext } from './site-context';

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

export async function configureStorage(ctx: SiteContext): Promise<void> {
  const { ctl, spec, timeouts } = ctx;
  ctl.setPhase('configure-storage');
  const first = firstManager(ctx);
  const firstTarget = targetOf(ctx, first);
  const names = ctx.nodes.map((n) => n.name);
  const shared = spec.storage.elasticsearch + spec.storage.streamState;
  const unshared = spec.storage.insightsDatabase + spec.storage.kafka + spec.storage.zookeeper;
  ctl.setSummary('storage', `Required per node: Shared ${shared} GB, Unshared ${unshared} GB (shared volume ${spec.lvm.sharedVolumeSize} on ${spec.lvm.volumeGroup})`);

  // `microk8s enable openebs` needs iscsid on every node, or it exits 0 having installed nothing.
  await Promise.all(ctx.nodes.map((n) => step(ctl, n.name, 'iscsid', (a) => a.steps.enableIscsid(targetOf(ctx, n)))));
  await step(ctl, first.name, 'addon-community', (a) => a.steps.enableAddon(firstTarget, 'community'));
  await step(ctl, first.name, 'addon-openebs', (a) => a.steps.enableAddon(firstTarget, 'openebs'));

  const existing = await step(ctl, first.name, 'cstor-pool-check', (a) => a.steps.existingPool(firstTarget));
  if (existing !== SKIPPED && names.every((n) => existing.some((p) => p.node === n && p.phase === 'ONLINE'))) {
    ctl.setSummary('pool', `cStor pool already online on ${names.length} nodes`);
    return;
  }

  await step(ctl, first.name, 'ndm-filter', (a) => a.steps.exposeSharedVolumesToNdm(firstTarget));
  const candidates = await step(ctl, first.name, 'block-devices', (a) => a.waits(timeouts.storageReady).listBlockDeviceCandidates(firstTarget, names, timeouts.storageReady));
  if (candidates === SKIPPED) return;
  // One device: use it. Several: a person chooses, every node's question open at once.
  const choices = await Promise.all(ctx.nodes.map(async (n) => {
    const options = candidates[n.name] ?? [];
    if (options.length === 1) return { node: n.name, blockDevice: options[0].name };
    ctl.setNode(n.name, 'choose-block-device', 'waiting');
    const chosen = await ctl.askBlockDevice(n.name, options.map((o) => ({
      name: o.name, label: `${o.name} (${o.path}, ${gb(o.sizeBytes)}${o.links[0] ? `, ${o.links[0]}` : ''})`,
    })));
    ctl.setNode(n.name, 'choose-block-device', 'done');
    return { node: n.name, blockDevice: chosen };
  }));
  const replicas = Math.min(3, ctx.nodes.length);
  await step(ctl, first.name, 'cstor-pool', (a) => a.steps.createCstorPool(firstTarget, choices, replicas));
  await step(ctl, first.name, 'cstor-pool-online', (a) => a.waits(timeouts.storageReady).waitPoolOnline(firstTarget, names, timeouts.storageReady));
  ctl.setSummary('pool', `cStor pool online on ${names.length} nodes: ${choices.map((c) => `${c.node}=${c.blockDevice}`).join(', ')}`);
}
