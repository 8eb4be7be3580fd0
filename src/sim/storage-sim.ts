// OpenEBS as the installer meets it: NDM discovering devices through its path filter (the default
// excludes /dev/dm-, so LVM volumes stay hidden until the filter is fixed and NDM restarted), the
// cStor admission webhook, and pool instances going from "" to ONLINE while claiming their devices.
// Formats: NDM api/v1alpha1/blockdevice_types.go, cstor-operators pkg/webhook/cspc.go (docs/commands.md).
import * as yaml from 'js-yaml';
import { md5hex } from './random';
import type { Cluster } from './cluster-state';
import type { KubeObject } from './kube-store';
import type { SimNode } from './node-state';

/** openebs/charts 3.3.x values.yaml `ndm.filters`, rendered by templates/ndm/cm-node-disk-manager.yaml. */
export const NDM_DEFAULT_EXCLUDE = '/dev/loop,/dev/fd0,/dev/sr0,/dev/ram,/dev/dm-,/dev/md,/dev/rbd,/dev/zd';

export function ndmConfigMap(): KubeObject {
  const config = [
    'probeconfigs:', '  - key: udev-probe', '    name: udev probe', '    state: true', '  - key: seachest-probe',
    '    name: seachest probe', '    state: false', '  - key: smart-probe', '    name: smart probe', '    state: true',
    'filterconfigs:', '  - key: os-disk-exclude-filter', '    name: os disk exclude filter', '    state: true',
    '    exclude: "/,/etc/hosts,/boot"', '  - key: vendor-filter', '    name: vendor filter', '    state: true',
    '    include: ""', '    exclude: "CLOUDBYT,OpenEBS"', '  - key: path-filter', '    name: path filter', '    state: true',
    '    include: ""', `    exclude: "${NDM_DEFAULT_EXCLUDE}"`, '',
  ].join('\n');
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name: 'openebs-ndm-config', namespace: 'openebs',
      labels: { app: 'openebs', chart: 'openebs-3.3.1', component: 'ndm-config', heritage: 'Helm', 'openebs.io/component-name': 'ndm-config', release: 'openebs' },
      annotations: { 'meta.helm.sh/release-name': 'openebs', 'meta.helm.sh/release-namespace': 'openebs' },
    },
    data: { 'node-disk-manager.config': config },
  };
}

/** NDM reads its filters once, at start. A config it cannot parse leaves the pods crash-looping. */
export function startNdm(c: Cluster, at: number): void {
  const cm = c.store.get('ConfigMap', 'openebs', 'openebs-ndm-config');
  let include: string[] = [];
  let exclude: string[] = [];
  let ok = true;
  try {
    const cfg = yaml.load(String((cm?.data as Record<string, string> | undefined)?.['node-disk-manager.config'] ?? '')) as
      { filterconfigs?: { key: string; state?: boolean | string; include?: string; exclude?: string }[] };
    const pf = cfg?.filterconfigs?.find((f) => f.key === 'path-filter');
    if (pf && String(pf.state) !== 'false') {
      // pathfilter.go splits on "," without trimming: an empty entry matches every path.
      include = pf.include ? pf.include.split(',') : [];
      exclude = pf.exclude ? pf.exclude.split(',') : [];
    }
  } catch {
    ok = false;
  }
  c.ndm = { startedAt: at, include, exclude, ok };
}

interface Device {
  node: SimNode; path: string; dmPath?: string; deviceType: 'disk' | 'lvm'; sizeBytes: number; createdAt: number;
  uuidSource: string; fsType?: string; model: string; serial: string; vendor: string; links: { kind: string; links: string[] }[];
}

/** Devices NDM can see on a node: extra disks and LVM volumes; the OS disk and root LV are excluded. */
function devicesOf(node: SimNode): Device[] {
  const out: Device[] = [];
  for (const d of node.disks.slice(1)) {
    out.push({
      node, path: `/dev/${d.name}`, deviceType: 'disk', sizeBytes: d.sizeBytes, createdAt: d.createdAt, uuidSource: d.wwn + d.serial,
      fsType: d.fsType, model: 'QEMU_HARDDISK', serial: d.serial, vendor: 'QEMU',
      links: [{ kind: 'by-id', links: [`/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_${d.serial}`, `/dev/disk/by-id/wwn-${d.wwn}`] },
        { kind: 'by-path', links: [`/dev/disk/by-path/pci-0000:00:05.0-scsi-0:0:${node.disks.indexOf(d)}:0`] }],
    });
  }
  const dmName = (s: string) => s.replace(/-/g, '--');
  for (const lv of node.lvs) {
    if (lv.mount === '/') continue;
    const mapper = `${dmName(node.vg.name)}-${dmName(lv.name)}`;
    const dmUuid = `LVM-${node.vg.uuid}${lv.uuid}`;
    out.push({
      node, path: `/dev/dm-${lv.dm}`, dmPath: `/dev/mapper/${mapper}`, deviceType: 'lvm', sizeBytes: lv.sizeBytes, createdAt: lv.createdAt,
      uuidSource: dmUuid, fsType: lv.fsType, model: '', serial: '', vendor: '',
      links: [{ kind: 'by-id', links: [`/dev/disk/by-id/dm-name-${mapper}`, `/dev/disk/by-id/dm-uuid-${dmUuid}`] }, { kind: 'by-path', links: [] }],
    });
  }
  return out;
}

const matches = (keys: string[], s: string) => keys.some((k) => s.toLowerCase().includes(k.toLowerCase()));

function passesPathFilter(run: { include: string[]; exclude: string[] }, d: Device): boolean {
  if (run.include.length > 0 && !matches(run.include, d.path) && !(d.dmPath && matches(run.include, d.dmPath))) return false;
  if (matches(run.exclude, d.path) || (d.dmPath && matches(run.exclude, d.dmPath))) return false;
  return true;
}

function blockDeviceObject(d: Device, kubeName: string): KubeObject {
  return {
    apiVersion: 'openebs.io/v1alpha1', kind: 'BlockDevice',
    metadata: {
      name: `blockdevice-${md5hex(d.uuidSource)}`, namespace: 'openebs',
      labels: { 'kubernetes.io/hostname': kubeName, 'ndm.io/blockdevice-type': 'blockdevice', 'ndm.io/managed': 'true', nodename: kubeName },
      annotations: { 'internal.openebs.io/uuid-scheme': 'gpt' },
    },
    spec: {
      capacity: { logicalSectorSize: 512, physicalSectorSize: 512, storage: d.sizeBytes },
      details: {
        compliance: '', deviceType: d.deviceType, driveType: 'HDD', firmwareRevision: d.deviceType === 'disk' ? '2.5+' : '',
        hardwareSectorSize: 512, logicalBlockSize: 512, model: d.model, physicalBlockSize: 512, serial: d.serial, vendor: d.vendor,
      },
      devlinks: d.links,
      filesystem: d.fsType ? { fsType: d.fsType } : {},
      nodeAttributes: { nodeName: kubeName },
      partitioned: 'No',
      path: d.path,
    },
    status: { claimState: 'Unclaimed', state: 'Active' },
  };
}

export function syncBlockDevices(c: Cluster, now: number): void {
  const run = c.ndm;
  if (!run || !run.ok || !c.addons.has('openebs')) return;
  const delay = c.world.latency.ms('ndmDiscovery');
  for (const node of c.upNodes()) {
    const kubeName = c.kubeNameOf(node);
    if (!kubeName) continue;
    for (const d of devicesOf(node)) {
      if (!passesPathFilter(run, d) || now < Math.max(run.startedAt, d.createdAt) + delay) continue;
      const obj = blockDeviceObject(d, kubeName);
      if (!c.store.get('BlockDevice', 'openebs', obj.metadata.name)) c.store.put(obj);
    }
  }
}

// --- cStor ----------------------------------------------------------------------------------------
interface PoolSpec {
  nodeSelector?: Record<string, string>;
  dataRaidGroups?: { blockDevices?: { blockDeviceName?: string }[] }[];
  poolConfig?: { dataRaidGroupType?: string };
}
const onlineAt = new WeakMap<KubeObject, number>();
/** Which CSPC's claim holds a block device (the BlockDeviceClaim's label, in the real cluster). */
const claimedBy = new WeakMap<KubeObject, string>();

/** The admission webhook's answer for a new CSPC: null when allowed, else its message. */
export function validateCspc(c: Cluster, cspc: KubeObject): string | null {
  const pools = ((cspc.spec as { pools?: PoolSpec[] } | undefined)?.pools) ?? [];
  if (pools.length === 0) return 'pools in cspc should have at least one item';
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const p of pools) for (const g of p.dataRaidGroups ?? []) for (const b of g.blockDevices ?? []) {
    const n = b.blockDeviceName ?? '';
    if (seen.has(n)) dup.push(n); else seen.add(n);
  }
  if (dup.length) return `invalid cspc: cspc {${cspc.metadata.name}} has duplicate blockdevices entries [${dup.join(' ')}]`;
  const used = new Set<string>();
  for (const p of pools) {
    const sel = p.nodeSelector ?? {};
    const host = sel['kubernetes.io/hostname'];
    const nodes = [...c.kubeNodes.values()].filter((r) => !r.stale && r.name === host);
    if (nodes.length !== 1) {
      const m = Object.entries(sel).map(([k, v]) => `${k}:${v}`).join(' ');
      return `failed to get node from pool nodeSelector: {map[${m}]} error: {invalid no.of nodes ${nodes.length} from the given node selectors}`;
    }
    if (used.has(host)) return `invalid cspc: duplicate node ${host} entry`;
    used.add(host);
    const type = p.poolConfig?.dataRaidGroupType ?? '';
    if (!type) return 'invalid pool spec: missing dataRaidGroupType';
    if (!['stripe', 'mirror', 'raidz', 'raidz2'].includes(type)) return `invalid pool spec: unsupported dataRaidGroupType '${type}' specified`;
    for (const g of p.dataRaidGroups ?? []) {
      if (!g.blockDevices?.length) return 'invalid pool spec: empty raid group: number of block devices honouring raid type should be specified';
      for (const b of g.blockDevices) {
        const name = b.blockDeviceName ?? '';
        if (!name) return 'invalid pool spec: block device name cannot be empty';
        const bd = c.store.get('BlockDevice', 'openebs', name);
        if (!bd) return `invalid pool spec: failed to get block device: {${name}} details error: blockdevices.openebs.io "${name}" not found`;
        const st = bd.status as { state: string; claimState: string };
        const fs = (bd.spec as { filesystem?: { fsType?: string } }).filesystem?.fsType ?? '';
        if (st.state !== 'Active') return `invalid pool spec: block device "${name}" is in not in active state`;
        if (fs && fs !== 'zfs_member') return `invalid pool spec: block device has file system {${fs}}`;
        const owner = bd.metadata.labels?.['kubernetes.io/hostname'] ?? '';
        if (owner !== host) return `invalid pool spec: block device ${name} doesn't belongs to node ${owner}`;
        if (st.claimState === 'Claimed' && claimedBy.get(bd) !== cspc.metadata.name) return `invalid pool spec: error: can't use claimed blockdevice ${name}`;
      }
    }
  }
  return null;
}

/**
 * The webhook's update check (pkg/webhook/cspc.go ValidateScaledown): a pool spec dropped, or moved to another
 * node (its node selector gone and none of its block devices kept), is refused while its pool instance still
 * holds CStorVolumeReplicas. Null when allowed, else its message.
 */
export function deniedPoolScaledown(c: Cluster, old: KubeObject, next: KubeObject): string | null {
  const poolsOf = (o: KubeObject) => ((o.spec as { pools?: PoolSpec[] } | undefined)?.pools) ?? [];
  const devices = (p: PoolSpec) => (p.dataRaidGroups ?? []).flatMap((g) => (g.blockDevices ?? []).map((b) => b.blockDeviceName ?? ''));
  const host = (p: PoolSpec) => p.nodeSelector?.['kubernetes.io/hostname'] ?? '';
  const kept = new Set(poolsOf(next).flatMap(devices));
  for (const p of poolsOf(old)) {
    if (poolsOf(next).some((n) => JSON.stringify(n.nodeSelector ?? {}) === JSON.stringify(p.nodeSelector ?? {}))) continue;
    if (devices(p).some((d) => kept.has(d))) continue;
    const cspi = c.store.list('CStorPoolInstance', 'openebs', { 'openebs.io/cstor-pool-cluster': old.metadata.name, 'kubernetes.io/hostname': host(p) })[0];
    if (cspi && c.store.list('CStorVolumeReplica', 'openebs', { 'cstorpoolinstance.openebs.io/name': cspi.metadata.name }).length > 0) {
      return `volume still exists on pool ${cspi.metadata.name}`;
    }
  }
  return null;
}

/** The cspc-operator: one pool instance per pool, claiming its devices at once, ONLINE a little later. */
export function reconcileCspc(c: Cluster, cspc: KubeObject): void {
  const rng = c.world.rng.derive(`cspi-${cspc.metadata.name}`);
  const pools = ((cspc.spec as { pools?: PoolSpec[] }).pools) ?? [];
  const existing = c.store.list('CStorPoolInstance', 'openebs', { 'openebs.io/cstor-pool-cluster': cspc.metadata.name });
  const hosts = pools.map((p) => p.nodeSelector?.['kubernetes.io/hostname'] ?? '');
  for (const cspi of existing) {
    if (!hosts.includes((cspi.spec as { hostName: string }).hostName)) c.store.delete('CStorPoolInstance', 'openebs', cspi.metadata.name);
  }
  for (const p of pools) {
    const host = p.nodeSelector?.['kubernetes.io/hostname'] ?? '';
    if (existing.some((e) => (e.spec as { hostName: string }).hostName === host)) continue;
    const cspi = c.store.put({
      apiVersion: 'cstor.openebs.io/v1', kind: 'CStorPoolInstance',
      metadata: {
        name: `${cspc.metadata.name}-${rng.alnum(4)}`, namespace: 'openebs',
        labels: { 'kubernetes.io/hostname': host, 'openebs.io/cas-type': 'cstor', 'openebs.io/cstor-pool-cluster': cspc.metadata.name, 'openebs.io/version': '3.3.0' },
        ownerReferences: [{ apiVersion: 'cstor.openebs.io/v1', blockOwnerDeletion: true, controller: true, kind: 'CStorPoolCluster', name: cspc.metadata.name, uid: cspc.metadata.uid }],
        finalizers: ['cstorpoolcluster.openebs.io/finalizer', 'openebs.io/pool-protection'],
      },
      spec: { dataRaidGroups: p.dataRaidGroups, hostName: host, nodeSelector: p.nodeSelector, poolConfig: { ...p.poolConfig, roThresholdLimit: 85 } },
      status: { capacity: { free: '0', total: '0', used: '0', zfs: { logicalUsed: '0' } }, healthyReplicas: 0, phase: '', provisionedReplicas: 0, readOnly: false },
      versionDetails: { desired: '3.3.0', status: { current: '3.3.0', dependentsUpgraded: true, lastUpdateTime: null, state: '' } },
    });
    onlineAt.set(cspi, Date.now() + c.world.latency.ms('cspiOnline'));
    for (const g of p.dataRaidGroups ?? []) for (const b of g.blockDevices ?? []) {
      const bd = c.store.get('BlockDevice', 'openebs', b.blockDeviceName ?? '');
      if (!bd) continue;
      claimedBy.set(bd, cspc.metadata.name);
      (bd.spec as Record<string, unknown>).claimRef = { apiVersion: 'openebs.io/v1alpha1', kind: 'BlockDeviceClaim', name: `bdc-${rng.uuid()}`, namespace: 'openebs' };
      bd.status = { claimState: 'Claimed', state: 'Active' };
    }
  }
}

export function syncPoolInstances(c: Cluster, now: number): void {
  for (const cspi of c.store.list('CStorPoolInstance', 'openebs')) {
    const st = cspi.status as { phase: string; capacity: Record<string, unknown> };
    const at = onlineAt.get(cspi);
    if (st.phase !== '' || at === undefined || now < at) continue;
    const host = (cspi.spec as { hostName: string }).hostName;
    const rec = c.kubeNodes.get(host);
    if (!rec || !c.nodeReady(rec, now)) continue;
    const bdName = (cspi.spec as { dataRaidGroups?: { blockDevices?: { blockDeviceName?: string }[] }[] }).dataRaidGroups?.[0]?.blockDevices?.[0]?.blockDeviceName ?? '';
    const bd = c.store.get('BlockDevice', 'openebs', bdName);
    const bytes = Number((bd?.spec as { capacity?: { storage?: number } } | undefined)?.capacity?.storage ?? 0);
    const mb = `${Math.floor((bytes * 0.965) / 1e6)}M`;
    cspi.status = { ...st, phase: 'ONLINE', capacity: { free: mb, total: mb, used: '186k', zfs: { logicalUsed: '41k' } } };
  }
}

/** Pods that need shared storage can start once a StorageClass exists and a pool is ONLINE. */
export function sharedStorageReady(c: Cluster): boolean {
  return !!c.store.get('StorageClass', undefined, 'cstor-csi') &&
    c.store.list('CStorPoolInstance', 'openebs').some((i) => (i.status as { phase: string }).phase === 'ONLINE');
}
