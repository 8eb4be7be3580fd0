// OpenEBS cStor on the `shared` LVM volumes (the seed's "Configure Storage"): commands, manifests, parsers.
// Sources: microk8s-community-addons addons/openebs, openebs/charts 3.3.0, NDM blockdevice_types.go,
// cstor-operators docs/quick.md; see docs/commands.md.
import { BLOCK_DEVICE_NAME, DEVICE_PATH, RFC1123_LABEL } from '../../site/patterns';
import { KUBECTL, type KubeWait } from './kubectl';
import { cmd, query, sh, type RemoteCommand } from './sh';

export const CSPC_NAME = 'cstor-storage';
export const STORAGE_CLASS = 'cstor-csi';

export const readNdmConfig = (): RemoteCommand =>
  query(sh`${KUBECTL} -n openebs get configmap openebs-ndm-config -o json`);
export const restartNdm = (): RemoteCommand => cmd(sh`${KUBECTL} -n openebs rollout restart daemonset openebs-ndm`);
export const readNdmDaemonSet = (): RemoteCommand => query(sh`${KUBECTL} -n openebs get daemonset openebs-ndm -o json`);

/**
 * NDM reads its filters only at start, so the filter change and the restart after it form one step that a
 * crash can cut in two. The ConfigMap change carries, in this annotation, the DaemonSet's restart stamp as
 * it was then (`none` if never restarted): while the stamp is still that value, the restart is owed.
 */
export const NDM_RESTART_MARK = 'kloudspot.io/ndm-restart-before-filter-change';

/** `kubectl rollout restart` stamps the pod template with `kubectl.kubernetes.io/restartedAt`; `none` without one. */
export function ndmRestartStamp(daemonSetJson: string): string {
  const ds = JSON.parse(daemonSetJson) as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
  return ds.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? 'none';
}

/** The restart stamp recorded with our filter change, if we made it. */
export function ndmRestartMark(configMapJson: string): string | undefined {
  return (JSON.parse(configMapJson) as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations?.[NDM_RESTART_MARK];
}
export const listBlockDevices = (): RemoteCommand => query(sh`${KUBECTL} -n openebs get blockdevices -o json`);
/** `kubectl wait` for every pool instance of our pool cluster to report phase ONLINE. */
export const poolInstancesOnline: KubeWait = {
  resource: 'cspi', namespace: 'openebs', for: 'jsonpath={.status.phase}=ONLINE', selector: `openebs.io/cstor-pool-cluster=${CSPC_NAME}`,
};
export const listPoolInstances = (): RemoteCommand =>
  query(sh`${KUBECTL} -n openebs get cspi -l ${`openebs.io/cstor-pool-cluster=${CSPC_NAME}`} -o json`);

/** The NDM config key in the ConfigMap holds YAML; `/dev/dm-` in the path filter hides every LVM volume. */
export const NDM_CONFIG_KEY = 'node-disk-manager.config';

export interface NdmFilter { key: string; name?: string; state?: string; include?: string; exclude?: string }

/**
 * Whole disks NDM's default (empty) include list let through; kept visible once the include list is set, so a
 * node's extra raw disk is still offered beside its `shared` LV (the seed's "which blockdevice" question).
 */
export const WHOLE_DISK_PATHS = ['/dev/sd', '/dev/vd', '/dev/xvd', '/dev/nvme'];

/** `/dev/mapper/ubuntu--vg-shared`: device-mapper doubles each `-` of the VG and LV names (the same on every node). */
export const mapperPath = (vg: string, lv: string): string => `/dev/mapper/${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;

/**
 * Returns the ConfigMap JSON whose path filter lets NDM see the `shared` LV and no other LV, or null when it
 * already does. NDM 2.x (node-disk-manager v2.0.0 cmd/ndm_daemonset/filter/pathfilter.go) passes a device only if
 * it matches the include list (when set) and no exclude entry; both match substrings of the kernel path
 * (/dev/dm-N) and, for LVM devices, of the /dev/mapper path. So `/dev/dm-` leaves the exclude list and the
 * include list names the shared LV's mapper path (plus whole disks): the other LVs stay hidden.
 */
export function ndmConfigForSharedVolume(
  configMapJson: string, sharedPath: string, parseYaml: (t: string) => unknown, dumpYaml: (v: unknown) => string, annotations?: Record<string, string>,
): string | null {
  const cm = JSON.parse(configMapJson) as { data?: Record<string, string>; metadata?: Record<string, unknown> };
  const raw = cm.data?.[NDM_CONFIG_KEY];
  if (!raw) throw new Error(`ConfigMap openebs-ndm-config has no ${NDM_CONFIG_KEY}`);
  const config = parseYaml(raw) as { filterconfigs?: NdmFilter[] };
  const pathFilter = config.filterconfigs?.find((f) => f.key === 'path-filter');
  if (!pathFilter) throw new Error('the NDM config has no path-filter (filterconfigs key path-filter)');
  const list = (v?: string) => (v ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const exclude = list(pathFilter.exclude);
  const include = list(pathFilter.include);
  const wantedInclude = [...new Set([...(include.length ? include : WHOLE_DISK_PATHS), sharedPath])];
  if (!exclude.includes('/dev/dm-') && wantedInclude.length === include.length) return null;
  pathFilter.exclude = exclude.filter((p) => p !== '/dev/dm-').join(',');
  pathFilter.include = wantedInclude.join(',');
  const out = {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'openebs-ndm-config', namespace: 'openebs', ...(annotations ? { annotations } : {}) },
    data: { ...cm.data, [NDM_CONFIG_KEY]: dumpYaml(config) },
  };
  return JSON.stringify(out, null, 2) + '\n';
}

export interface BlockDevice {
  name: string;
  node: string;
  path: string;
  sizeBytes: number;
  claimState: string;
  state: string;
  fsType?: string;
  deviceType?: string;
  links: string[];
}

interface BlockDeviceJson {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    capacity?: { storage?: number };
    details?: { deviceType?: string };
    devlinks?: { kind: string; links: string[] }[];
    filesystem?: { fsType?: string };
    nodeAttributes?: { nodeName?: string };
    path: string;
  };
  status?: { claimState?: string; state?: string };
}

/** `kubectl get blockdevices -o json`: a List whose node is spec.nodeAttributes.nodeName (not spec.nodeName). */
export function parseBlockDevices(json: string): BlockDevice[] {
  const list = JSON.parse(json) as { items?: BlockDeviceJson[] };
  return (list.items ?? []).map((bd) => ({
    name: bd.metadata.name,
    node: bd.spec.nodeAttributes?.nodeName ?? bd.metadata.labels?.['kubernetes.io/hostname'] ?? '',
    path: bd.spec.path,
    sizeBytes: bd.spec.capacity?.storage ?? 0,
    claimState: bd.status?.claimState ?? 'Unknown',
    state: bd.status?.state ?? 'Unknown',
    fsType: bd.spec.filesystem?.fsType || undefined,
    deviceType: bd.spec.details?.deviceType,
    links: (bd.spec.devlinks ?? []).flatMap((d) => d.links),
  }));
}

/**
 * What the cStor webhook accepts in a pool: unclaimed, active, no filesystem, on that node. The name and path
 * come from the node and end up in a question and a printed command: only strictly formed ones are offered.
 */
export function candidateBlockDevices(devices: BlockDevice[], node: string): BlockDevice[] {
  return devices.filter((d) => d.node === node && d.claimState === 'Unclaimed' && d.state === 'Active' && !d.fsType
    && BLOCK_DEVICE_NAME.test(d.name) && DEVICE_PATH.test(d.path) && d.links.every((l) => DEVICE_PATH.test(l)));
}

/** A CStorPoolCluster with one striped pool per node on the chosen device, and its StorageClass. */
export function renderCstorManifests(choices: { node: string; blockDevice: string }[], replicaCount: number, storageClass = STORAGE_CLASS): string {
  const cspc = {
    apiVersion: 'cstor.openebs.io/v1', kind: 'CStorPoolCluster',
    metadata: { name: CSPC_NAME, namespace: 'openebs' },
    spec: {
      pools: choices.map((c) => ({
        nodeSelector: { 'kubernetes.io/hostname': c.node },
        dataRaidGroups: [{ blockDevices: [{ blockDeviceName: c.blockDevice }] }],
        poolConfig: { dataRaidGroupType: 'stripe' },
      })),
    },
  };
  const sc = {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: storageClass },
    provisioner: 'cstor.csi.openebs.io',
    allowVolumeExpansion: true,
    parameters: { 'cas-type': 'cstor', cstorPoolCluster: CSPC_NAME, replicaCount: String(replicaCount) },
  };
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [cspc, sc] }, null, 2) + '\n';
}

export interface PoolInstance { name: string; node: string; phase: string }
export function parsePoolInstances(json: string): PoolInstance[] {
  const list = JSON.parse(json) as { items?: { metadata: { name: string }; spec?: { hostName?: string }; status?: { phase?: string } }[] };
  return (list.items ?? []).map((i) => ({ name: i.metadata.name, node: i.spec?.hostName ?? '', phase: i.status?.phase ?? '' }));
}

// reset: the pool and its StorageClass deleted before OpenEBS is disabled (cStor then releases its block devices).
export const poolClusterPresent = (): RemoteCommand =>
  query(sh`${KUBECTL} -n openebs get cspc ${CSPC_NAME} -o name`, { okCodes: [0, 1] });
export const storageClassPresent = (): RemoteCommand => query(sh`${KUBECTL} get storageclass ${STORAGE_CLASS} -o name`, { okCodes: [0, 1] });
/** `cstorpoolcluster.cstor.openebs.io "cstor-storage" deleted`; nothing and rc 0 when already gone. */
export const deletePoolCluster = (): RemoteCommand => cmd(sh`${KUBECTL} -n openebs delete cspc ${CSPC_NAME} --ignore-not-found`);
export const deleteStorageClass = (): RemoteCommand => cmd(sh`${KUBECTL} delete storageclass ${STORAGE_CLASS} --ignore-not-found`);
/**
 * cStor volumes and their replicas (one CStorVolumeReplica per pool the volume lives on). Phases: CStorVolume
 * Init|Healthy|Degraded|Offline|Error (cstor-operators pkg/controllers/volume-mgmt/start.go), replica
 * Healthy|Offline|Degraded|Rebuilding|Error|... (openebs/api pkg/apis/cstor/v1 CStorVolumeReplicaPhase; "Healthy"
 * is CVRStatusOnline). A replica names its volume and pool in labels (cstor-operators volume_operations.go getCVRLabels).
 */
export const listVolumes = (): RemoteCommand => query(sh`${KUBECTL} -n openebs get cstorvolumes -o json`);
export const listVolumeReplicas = (): RemoteCommand => query(sh`${KUBECTL} -n openebs get cstorvolumereplicas -o json`);

export interface VolumeReplica { name: string; volume: string; node: string; pool: string; phase: string }
const objectName = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** A name from the node, shown in the report: a Kubernetes object name or `?`. */
const checkedName = (s: unknown) => (typeof s === 'string' && objectName.test(s) ? s : '?');
const checkedPhase = (s: unknown) => (typeof s === 'string' && /^[A-Za-z]{0,32}$/.test(s) ? s : '?');

export function parseVolumes(json: string): { name: string; phase: string }[] {
  const list = JSON.parse(json) as { items?: { metadata: { name: string }; status?: { phase?: string } }[] };
  return (list.items ?? []).map((v) => ({ name: checkedName(v.metadata.name), phase: checkedPhase(v.status?.phase ?? '') }));
}

export function parseVolumeReplicas(json: string): VolumeReplica[] {
  const list = JSON.parse(json) as { items?: { metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string } }[] };
  return (list.items ?? []).map((r) => ({
    name: checkedName(r.metadata.name),
    volume: checkedName(r.metadata.labels?.['cstorvolume.openebs.io/name']),
    node: checkedName(r.metadata.labels?.['cstorpoolinstance.openebs.io/hostname']),
    pool: checkedName(r.metadata.labels?.['cstorpoolinstance.openebs.io/name']),
    phase: checkedPhase(r.status?.phase ?? ''),
  }));
}
/** OpenEBS and cStor objects for the support bundle, as YAML (kubectl get -o yaml; the List form). */
export const OPENEBS_RESOURCES = ['blockdevices', 'cstorpoolclusters', 'cstorpoolinstances', 'cstorvolumes', 'cstorvolumereplicas', 'pods'] as const;
export const openebsObjectsYaml = (resource: (typeof OPENEBS_RESOURCES)[number]): RemoteCommand =>
  query(sh`${KUBECTL} -n openebs get ${resource} -o yaml`, { okCodes: [0, 1] });

/** The site's CStorPoolCluster (replace-node moves one pool of it to another node). */
export const readPoolCluster = (): RemoteCommand => query(sh`${KUBECTL} -n openebs get cspc ${CSPC_NAME} -o json`);

/** Its pools as renderCstorManifests wrote them: one device per node; names from the node are checked strictly. */
export function parsePoolCluster(json: string): { node: string; blockDevice: string }[] {
  type Pool = { nodeSelector?: Record<string, string>; dataRaidGroups?: { blockDevices?: { blockDeviceName?: string }[] }[] };
  const cspc = JSON.parse(json) as { spec?: { pools?: Pool[] } };
  return (cspc.spec?.pools ?? []).map((p) => {
    const node = p.nodeSelector?.['kubernetes.io/hostname'] ?? '';
    const blockDevice = p.dataRaidGroups?.[0]?.blockDevices?.[0]?.blockDeviceName ?? '';
    if (!RFC1123_LABEL.test(node) || !BLOCK_DEVICE_NAME.test(blockDevice)) {
      throw new Error(`unexpected pool in cspc ${CSPC_NAME}: node ${JSON.stringify(node.slice(0, 80))}, block device ${JSON.stringify(blockDevice.slice(0, 80))}`);
    }
    return { node, blockDevice };
  });
}
