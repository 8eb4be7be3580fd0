// plan's activities: the install's own checks (checks/*.ts), run alone on read-only deps (run() refuses any
// command not built with query()), in the install's step order. Nothing here can change a node.
import type { ChartValuesInput } from './commands/chart';
import type { Check } from './checks/check';
import { createClusterChecks } from './checks/cluster';
import { createKloudspotInitChecks } from './checks/kloudspot-init';
import type { KloudspotInitInput } from './commands/kloudspot-init';
import { createFieldChecks } from './checks/field';
import { createNodeChecks, type StaticAddressInput } from './checks/node';
import type { ProxyInput } from './commands/proxy';
import type { ActivityDeps } from './run';
import type { SshTarget } from './ssh';
import * as yaml from 'js-yaml';
import { listOpenebsRelease, OPENEBS_CHART_VERSION, parseOpenebsChartVersion, versionBelow } from './commands/cstor-volume';
import { SHARED_LV } from './commands/lvm';
import { mapperPath, ndmConfigForSharedVolume, readNdmConfig } from './commands/openebs';
import { run } from './run';

/** `unknown`: cannot be judged before an earlier step has run (say, the cStor pool before OpenEBS). */
export interface PlannedStep { node?: string; step: string; state: 'change' | 'done' | 'unknown'; detail: string }

export interface NodePlanInput {
  name: string;
  allNodes: { name: string; address: string }[];
  address: StaticAddressInput;
  volumeGroup: string;
  sharedVolumeSize: string;
  /** Spec `proxy` (absent: no proxy steps) and `microk8s.refreshHold` (absent or off: no hold step). */
  proxy?: ProxyInput;
  refreshHold?: string;
}

/** The in-cluster steps around a reboot (prepare-node.ts inClusterSteps), by reboot step. */
const ROLLING = ['drain', 'node-ready', 'uncordon', 'voters-back'];
/** A rolling re-run drains a node through another manager only where it is in the cluster and reboots. */
function rollingSteps(suffix: string, reboot: PlannedStep, inCluster: boolean): PlannedStep[] {
  return ROLLING.map((id) => `${id}${suffix}`).map((step) => {
    if (!inCluster) return { step, state: 'done' as const, detail: 'not in a cluster yet: a reboot needs no drain' };
    if (reboot.state === 'done') return { step, state: 'done' as const, detail: 'no reboot due' };
    return { step, state: reboot.state, detail: 'one node at a time: drained through another manager, uncordoned once Ready' };
  });
}

export interface ClusterPlanInput {
  first: SshTarget;
  /** In join order, each with its target. */
  joiners: { name: string; target: SshTarget; worker: boolean }[];
  nodes: { name: string; target: SshTarget }[];
  addons: { step: string; addon: string }[];
  storageAddons: { step: string; addon: string }[];
  values: ChartValuesInput;
  /** deploy.mode kloudspot-init: the values file is judged by what `kloudspot init` should have written. */
  init?: KloudspotInitInput;
  tlsUpload: boolean;
  volumeGroup: string;
  /** Spec `hooks`: the hook files (checked once), and each hook step, run on every node. */
  hooks: { files: number; steps: { step: string; when: string; phase: string; file: string }[] };
}

const judged = (step: string, c: Check): PlannedStep => ({ step, state: c.done ? 'done' : 'change', detail: c.detail });
const unknown = (step: string, why: string): PlannedStep => ({ step, state: 'unknown', detail: why });
const AFTER_TOOLS = 'judged after the Kloudspot tools install MicroK8s';

/** Hook scripts run at every install: each is a change on every node. */
function hookSteps(i: ClusterPlanInput): PlannedStep[] {
  if (i.hooks.files === 0) return [];
  return [
    { step: 'hook-files', state: 'change', detail: `check ${i.hooks.files} hook file(s) on the worker` },
    ...i.hooks.steps.flatMap((h) => i.nodes.map((n) => ({ node: n.name, step: h.step, state: 'change' as const, detail: `run ${h.file} ${h.when} ${h.phase}` }))),
  ];
}

export function createPlanActivities(deps: ActivityDeps) {
  const readOnly = { ...deps, readOnly: true };
  const node = createNodeChecks(readOnly);
  const cluster = createClusterChecks(readOnly);
  const field = createFieldChecks(readOnly);
  const hasMicroK8s = async (t: SshTarget) => (await node.tools(t)).done;

  /** openebs-upgrade, ndm-filter, cstor-pool and its probe, as configure-storage would find them. */
  async function storageSteps(i: ClusterPlanInput, openebs: boolean): Promise<PlannedStep[]> {
    if (!openebs) {
      const later = 'judged after OpenEBS is enabled';
      return [unknown('openebs-upgrade', `helm upgrade openebs to chart ${OPENEBS_CHART_VERSION} (${later})`), unknown('ndm-filter', later),
        unknown('cstor-pool', `a cStor pool on every node: ${later} (a person may choose block devices)`), unknown('cstor-volume-probe', later)];
    }
    const version = parseOpenebsChartVersion((await run(readOnly, i.first, listOpenebsRelease())).stdout);
    const upgrade = !version || versionBelow(version, OPENEBS_CHART_VERSION);
    const pool = await cluster.pool(i.first, i.nodes.map((n) => n.name));
    const ndm = pool.done ? undefined
      : ndmConfigForSharedVolume((await run(readOnly, i.first, readNdmConfig())).stdout, mapperPath(i.volumeGroup, SHARED_LV),
        (t) => yaml.load(t), (v) => yaml.dump(v));
    return [
      { step: 'openebs-upgrade', state: upgrade ? 'change' : 'done', detail: upgrade ? `openebs chart ${version ?? '?'} -> ${OPENEBS_CHART_VERSION}` : `openebs chart ${version}` },
      { step: 'ndm-filter', state: ndm ? 'change' : 'done',
        detail: pool.done ? 'pool online: NDM not needed' : ndm ? `NDM path filter: include ${mapperPath(i.volumeGroup, SHARED_LV)}` : 'NDM sees the shared LV' },
      judged('cstor-pool', pool),
      upgrade || !pool.done ? { step: 'cstor-volume-probe', state: 'change', detail: 'a throw-away 3-replica volume binds, then is deleted' }
        : { step: 'cstor-volume-probe', state: 'done', detail: 'pool online on cStor 3.4' },
    ];
  }

  return {
    /** Every prepare-node step of one node, and its iscsid, as the install would find them now. */
    async planNode(t: SshTarget, i: NodePlanInput): Promise<PlannedStep[]> {
      const tools = await node.tools(t);
      const hostname = judged('hostname', await node.hostname(t, i.name));
      const reboot = judged('reboot', await node.reboot(t));
      const rebootAgain = tools.done ? judged('reboot-again', await node.reboot(t)) : unknown('reboot-again', `the tools' packages may ask for a reboot (${AFTER_TOOLS})`);
      // A renamed node whose MicroK8s is already there keeps its old Node name until MicroK8s restarts.
      const kubeletName: PlannedStep = !tools.done ? { step: 'kubelet-name', state: 'done', detail: 'MicroK8s comes after the hostname: it registers the new name' }
        : hostname.state === 'change' ? { step: 'kubelet-name', state: 'change', detail: 'restart MicroK8s after the hostname change (its Node carries the old name)' }
          : { step: 'kubelet-name', state: 'done', detail: 'hostname unchanged' };
      const steps = [
        ...(i.proxy ? [judged('proxy', await field.hostProxy(t, i.proxy))] : []),
        judged('apt-upgrade', await node.packages(t)),
        reboot,
        ...rollingSteps('', reboot, tools.done),
        hostname,
        kubeletName,
        judged('hosts-file', await node.hostsFile(t, i.name, i.allNodes)),
        judged('static-address', await node.staticAddress(t, i.address)),
        judged('kloudspot-tools', tools),
        ...(i.proxy ? [tools.done ? judged('containerd-proxy', await field.containerdProxy(t, i.proxy)) : unknown('containerd-proxy', `proxy block in containerd-env (${AFTER_TOOLS})`)] : []),
        judged('shared-volume', await node.sharedVolume(t, i.volumeGroup, i.sharedVolumeSize)),
        rebootAgain,
        ...rollingSteps('-again', rebootAgain, tools.done),
        judged('iscsid', await cluster.iscsid(t)),
        ...(i.refreshHold && i.refreshHold !== 'off'
          ? [tools.done ? judged('refresh-hold', await field.refreshHold(t, i.refreshHold)) : unknown('refresh-hold', `snap refresh --hold=${i.refreshHold} microk8s (${AFTER_TOOLS})`)] : []),
      ];
      return steps.map((x) => ({ ...x, node: i.name }));
    },

    /** The cluster-wide steps, on the first manager; what needs MicroK8s is judged only where it is installed. */
    async planCluster(i: ClusterPlanInput): Promise<PlannedStep[]> {
      const out: PlannedStep[] = [];
      const firstReady = await hasMicroK8s(i.first);
      for (const j of i.joiners) {
        out.push(firstReady && await hasMicroK8s(j.target)
          ? { ...judged('join', await cluster.joined({ first: i.first, joiner: j.target, joinerName: j.name, worker: j.worker })), node: j.name }
          : { ...unknown('join', `join as ${j.worker ? 'worker' : 'manager'} (${AFTER_TOOLS})`), node: j.name });
      }
      if (!firstReady) {
        for (const s of ['high-availability', ...i.addons.map((a) => a.step), ...i.storageAddons.map((a) => a.step), 'openebs-upgrade', 'ndm-filter', 'cstor-pool',
          'cstor-volume-probe', 'values-file', ...(i.tlsUpload ? ['tls-check'] : []), 'chart-start']) {
          out.push(unknown(s, AFTER_TOOLS));
        }
        return [...out, ...hookSteps(i)];
      }
      out.push(judged('high-availability', await cluster.highAvailability(i.first)));
      for (const a of i.addons) out.push(judged(a.step, await cluster.addon(i.first, a.addon)));
      let openebs = true;
      for (const a of i.storageAddons) {
        const c = await cluster.addon(i.first, a.addon);
        if (!c.done) openebs = false;
        out.push(judged(a.step, c));
      }
      out.push(...await storageSteps(i, openebs));
      out.push(judged('values-file', await (i.init ? createKloudspotInitChecks(readOnly).initValues(i.first, i.init) : cluster.valuesFile(i.first, i.values))));
      const release = await cluster.release(i.first);
      if (i.tlsUpload && !release.exists) out.push(judged('tls-check', await cluster.tlsSecret(i.first)));
      out.push(judged('chart-start', release));
      return [...out, ...hookSteps(i)];
    },
  };
}
