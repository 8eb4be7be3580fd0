// Phase 4, configure-storage: the seed's "Configure Storage" and the block-device part of `kloudspot init`.
import { patched } from '@temporalio/workflow';
import type { BlockDeviceOption } from '../activities/storage';
import { storageNeed } from '../site/sizes';
import type { SiteSpec } from '../site/schema';
import { allNodes, type Phase } from './phase';
import { firstManager, runStep, targetOf, type SiteContext } from './site-context';
import { defineStep, SKIPPED } from './steps';

/** Also add-node's: a new node needs iscsid before it joins. */
export const ISCSID = defineStep({ id: 'iscsid', title: 'enable iscsid' });
const ADDON_COMMUNITY = defineStep({ id: 'addon-community', title: 'microk8s enable community' });
const ADDON_OPENEBS = defineStep({ id: 'addon-openebs', title: 'microk8s enable openebs' });
const POOL_CHECK = defineStep({ id: 'cstor-pool-check', title: 'existing cStor pool?', plan: { partOf: 'cstor-pool' } });
const NDM_FILTER = defineStep({ id: 'ndm-filter', title: 'let OpenEBS NDM see LVM volumes' });
const BLOCK_DEVICES = defineStep({ id: 'block-devices', title: 'list block devices', plan: { partOf: 'cstor-pool' } });
const POOL = defineStep({ id: 'cstor-pool', title: 'create the cStor pool' });
const POOL_ONLINE = defineStep({ id: 'cstor-pool-online', title: 'wait until every pool instance is ONLINE', plan: { partOf: 'cstor-pool' } });
const OPENEBS_UPGRADE = defineStep({ id: 'openebs-upgrade', title: 'helm upgrade openebs to a chart with cStor 3.4 (3.3 cannot provision 3-replica volumes on Kubernetes 1.25+)' });
const VOLUME_PROBE = defineStep({ id: 'cstor-volume-probe', title: 'a throw-away 3-replica volume binds, then is deleted' });

export const STORAGE_STEPS = {
  ISCSID, ADDON_COMMUNITY, ADDON_OPENEBS, OPENEBS_UPGRADE, NDM_FILTER, POOL, VOLUME_PROBE, POOL_CHECK, BLOCK_DEVICES, POOL_ONLINE,
};

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

export const configureStorage: Phase = {
  name: 'configure-storage',
  title: 'OpenEBS cStor on the shared LVM volumes, a person choosing the block device where a node has several',
  hosts: allNodes,
  run: (ctx) => configureCstor(ctx),
};

/** The only device, or the one a person chooses (also replace-node's, for the new node). */
export async function chooseBlockDevice(ctx: SiteContext, node: string, options: BlockDeviceOption[]): Promise<string> {
  if (options.length === 1) return options[0].name;
  ctx.board.setNode(node, 'choose-block-device', 'waiting');
  const chosen = await ctx.questions.askBlockDevice(node, options.map((o) => ({
    name: o.name, label: `${o.name} (${o.path}, ${gb(o.sizeBytes)}${o.links[0] ? `, ${o.links[0]}` : ''})`,
  })));
  ctx.board.setNode(node, 'choose-block-device', 'done');
  return chosen;
}

async function configureCstor(ctx: SiteContext): Promise<void> {
  const { spec, timeouts } = ctx;
  const first = firstManager(ctx);
  const firstTarget = targetOf(ctx, first);
  const names = ctx.nodes.map((n) => n.name);
  const { sharedGb: shared, unsharedGb: unshared } = storageNeed(spec.storage, spec.features);
  ctx.board.setSummary('storage', `Required per node: Shared ${shared} GB, Unshared ${unshared} GB (shared volume ${spec.lvm.sharedVolumeSize} on ${spec.lvm.volumeGroup})`);

  // `microk8s enable openebs` needs iscsid on every node, or it exits 0 having installed nothing.
  await Promise.all(ctx.nodes.map((n) => runStep(ctx, n.name, ISCSID, (a) => a.steps.enableIscsid(targetOf(ctx, n)))));
  await runStep(ctx, first.name, ADDON_COMMUNITY, (a) => a.steps.enableAddon(firstTarget, 'community'));
  await runStep(ctx, first.name, ADDON_OPENEBS, (a) => a.steps.enableAddon(firstTarget, 'openebs'));
  // Runs recorded before this change kept the add-on's cStor 3.3 and proved nothing; they replay without.
  const cstor34 = patched('openebs-cstor-3.4');
  const upgraded = cstor34 && await runStep(ctx, first.name, OPENEBS_UPGRADE,
    (a) => a.waits(timeouts.storageReady).upgradeOpenebsRelease(firstTarget, timeouts.storageReady));
  // Specs recorded before `chart` existed: the default class.
  const storageClass = (spec.chart as SiteSpec['chart'] | undefined)?.storageClasses.shared;
  const probe = () => runStep(ctx, first.name, VOLUME_PROBE,
    (a) => a.waits(timeouts.storageReady).probeCstorVolume(firstTarget, timeouts.storageReady, storageClass));

  const existing = await runStep(ctx, first.name, POOL_CHECK, (a) => a.steps.existingPool(firstTarget));
  if (existing !== SKIPPED && names.every((n) => existing.some((p) => p.node === n && p.phase === 'ONLINE'))) {
    // A pool made under cStor 3.3 is proved once, after its upgrade.
    if (typeof upgraded === 'object' && upgraded.changed) await probe();
    ctx.board.setSummary('pool', `cStor pool already online on ${names.length} nodes`);
    return;
  }

  await runStep(ctx, first.name, NDM_FILTER, (a) => a.steps.exposeSharedVolumesToNdm(firstTarget, spec.lvm.volumeGroup));
  const candidates = await runStep(ctx, first.name, BLOCK_DEVICES,
    (a) => a.waits(timeouts.storageReady).listBlockDeviceCandidates(firstTarget, names, timeouts.storageReady));
  if (candidates === SKIPPED) return;
  // One device: use it. Several: a person chooses, every node's question open at once.
  const choices = await Promise.all(ctx.nodes.map(async (n) => ({
    node: n.name, blockDevice: await chooseBlockDevice(ctx, n.name, candidates[n.name] ?? []),
  })));
  const replicas = Math.min(3, ctx.nodes.length);
  await runStep(ctx, first.name, POOL, (a) => a.steps.createCstorPool(firstTarget, choices, replicas, storageClass));
  await runStep(ctx, first.name, POOL_ONLINE, (a) => a.waits(timeouts.storageReady).waitPoolOnline(firstTarget, names, timeouts.storageReady));
  if (cstor34) await probe();
  ctx.board.setSummary('pool', `cStor pool online on ${names.length} nodes: ${choices.map((c) => `${c.node}=${c.blockDevice}`).join(', ')}`);
}
