// plan's activities: the install's own checks (checks/*.ts), run alone on read-only deps (run() refuses any
// command not built with query()), in the install's step order. Nothing here can change a node.
import type { ChartValuesInput } from './commands/chart';
import type { Check } from './checks/check';
import { createClusterChecks } from './checks/cluster';
import { createFieldChecks } from './checks/field';
import { createNodeChecks, type StaticAddressInput } from './checks/node';
import type { ProxyInput } from './commands/proxy';
import type { ActivityDeps } from './run';
import type { SshTarget } from './ssh';

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

export interface ClusterPlanInput {
  first: SshTarget;
  /** In join order, each with its target. */
  joiners: { name: string; target: SshTarget; worker: boolean }[];
  nodes: { name: string; target: SshTarget }[];
  addons: { step: string; addon: string }[];
  storageAddons: { step: string; addon: string }[];
  values: ChartValuesInput;
  tlsUpload: boolean;
}

const judged = (step: string, c: Check): PlannedStep => ({ step, state: c.done ? 'done' : 'change', detail: c.detail });
const unknown = (step: string, why: string): PlannedStep => ({ step, state: 'unknown', detail: why });
const AFTER_TOOLS = 'judged after the Kloudspot tools install MicroK8s';

export function createPlanActivities(deps: ActivityDeps) {
  const readOnly = { ...deps, readOnly: true };
  const node = createNodeChecks(readOnly);
  const cluster = createClusterChecks(readOnly);
  const field = createFieldChecks(readOnly);
  const hasMicroK8s = async (t: SshTarget) => (await node.tools(t)).done;

  return {
    /** Every prepare-node step of one node, and its iscsid, as the install would find them now. */
    async planNode(t: SshTarget, i: NodePlanInput): Promise<PlannedStep[]> {
      const tools = await node.tools(t);
      const steps = [
        ...(i.proxy ? [judged('proxy', await field.hostProxy(t, i.proxy))] : []),
        judged('apt-upgrade', await node.packages(t)),
        judged('reboot', await node.reboot(t)),
        judged('hostname', await node.hostname(t, i.name)),
        judged('hosts-file', await node.hostsFile(t, i.name, i.allNodes)),
        judged('static-address', await node.staticAddress(t, i.address)),
        judged('kloudspot-tools', tools),
        ...(i.proxy ? [tools.done ? judged('containerd-proxy', await field.containerdProxy(t, i.proxy)) : unknown('containerd-proxy', `proxy block in containerd-env (${AFTER_TOOLS})`)] : []),
        judged('shared-volume', await node.sharedVolume(t, i.volumeGroup, i.sharedVolumeSize)),
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
        for (const s of ['high-availability', ...i.addons.map((a) => a.step), ...i.storageAddons.map((a) => a.step), 'cstor-pool', 'values-file', 'chart-start']) {
          out.push(unknown(s, AFTER_TOOLS));
        }
        return out;
      }
      out.push(judged('high-availability', await cluster.highAvailability(i.first)));
      for (const a of i.addons) out.push(judged(a.step, await cluster.addon(i.first, a.addon)));
      let openebs = true;
      for (const a of i.storageAddons) {
        const c = await cluster.addon(i.first, a.addon);
        if (!c.done) openebs = false;
        out.push(judged(a.step, c));
      }
      out.push(openebs ? judged('cstor-pool', await cluster.pool(i.first, i.nodes.map((n) => n.name)))
        : unknown('cstor-pool', 'a cStor pool on every node: judged after OpenEBS is enabled (a person may choose block devices)'));
      out.push(judged('values-file', await cluster.valuesFile(i.first, i.values)));
      const release = await cluster.release(i.first);
      if (i.tlsUpload && !release.exists) out.push(judged('tls-check', await cluster.tlsSecret(i.first)));
      out.push(judged('chart-start', release));
      return out;
    },
  };
}
