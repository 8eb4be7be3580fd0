// prepare-node: one child workflow per node (id install/<site>/prepare/<node>), run for all nodes in
// parallel, and reused by addNode. The seed's "Configure Each System", reordered where MicroK8s needs it:
// hostname, hosts file and static address come before the tools script installs MicroK8s (kubelet
// registers under the hostname; dqlite pins the node's address).
import { getExternalWorkflowHandle, log, patched, setHandler } from '@temporalio/workflow';
import { installAborted } from '../activities/failures';
import type { ProxyInput } from '../activities/commands/proxy';
import type { SshTarget } from '../activities/ssh';
import * as api from './api';
import type { NodeReport, Question, StepState } from './api';
import type { StepActivities } from './activities';
import { checkResolveShape, FailureInbox, failureQuestion } from './answers';
import { defineStep, InstallAborted, step, type StepDef, type StepHost } from './steps';

// The steps, in order. `reportToParent`: the steps that take minutes on a real node; only their starts are
// reported to the install. A signal costs events on both sides and a workflow task in each; reporting every
// step start was 40% of an install's history and half its workflow tasks (docs/performance.md).
/** Spec `proxy`: apt and snapd first (the upgrade and the snap install download), containerd once MicroK8s is there. */
const PROXY = defineStep({ id: 'proxy', title: 'proxy for apt and snapd' });
const CONTAINERD_PROXY = defineStep({ id: 'containerd-proxy', title: 'proxy for containerd (containerd-env), restart if changed' });
const APT_UPGRADE = defineStep({ id: 'apt-upgrade', title: 'apt-get update && dist-upgrade (unattended)', reportToParent: true });
const REBOOT = {
  check: defineStep({ id: 'reboot-check', title: 'reboot needed? (/var/run/reboot-required)', plan: { partOf: 'reboot' } }),
  reboot: defineStep({ id: 'reboot', title: 'reboot' }),
  wait: defineStep({ id: 'reboot-wait', title: 'wait for a new boot id', reportToParent: true, plan: { partOf: 'reboot' } }),
};
const HOSTNAME = defineStep({ id: 'hostname', title: 'hostnamectl set-hostname' });
/** A clone with MicroK8s already installed: its kubelet keeps the old name until MicroK8s restarts. */
const KUBELET_NAME = defineStep({ id: 'kubelet-name', title: 'restart MicroK8s if its Node carries an old hostname' });
export const HOSTS_FILE = defineStep({ id: 'hosts-file', title: 'edit /etc/hosts' });
const STATIC_ADDRESS = defineStep({ id: 'static-address', title: 'static address with netplan' });
const KLOUDSPOT_TOOLS = defineStep({ id: 'kloudspot-tools', title: 'install the Kloudspot tools', reportToParent: true });
const SHARED_VOLUME = defineStep({ id: 'shared-volume', title: 'lvcreate the shared volume' });
/** After the tools: their packages can ask for a second reboot. */
const REBOOT_AGAIN = {
  check: defineStep({ id: 'reboot-again-check', title: 'reboot needed? (/var/run/reboot-required)', plan: { partOf: 'reboot-again' } }),
  reboot: defineStep({ id: 'reboot-again', title: 'reboot' }),
  wait: defineStep({ id: 'reboot-again-wait', title: 'wait for a new boot id', reportToParent: true, plan: { partOf: 'reboot-again' } }),
};
/** Around a reboot of a node already in the cluster, through another manager. */
const inClusterSteps = (suffix: string) => ({
  drain: defineStep({ id: `drain${suffix}`, title: 'kubectl drain --ignore-daemonsets --delete-emptydir-data', reportToParent: true }),
  ready: defineStep({ id: `node-ready${suffix}`, title: 'wait until the node is Ready again' }),
  uncordon: defineStep({ id: `uncordon${suffix}`, title: 'kubectl uncordon', reportToParent: true }),
  voters: defineStep({ id: `voters-back${suffix}`, title: 'wait until the datastore voters are back' }),
});
const IN_CLUSTER = { [REBOOT.reboot.id]: inClusterSteps(''), [REBOOT_AGAIN.reboot.id]: inClusterSteps('-again') };
/** The steps as plan reports them (the reboot checks are the reboots' own "already done?"). */
export const PREPARE_NODE_STEPS = [PROXY, APT_UPGRADE, REBOOT.reboot, HOSTNAME, KUBELET_NAME, HOSTS_FILE, STATIC_ADDRESS, KLOUDSPOT_TOOLS, SHARED_VOLUME,
  REBOOT_AGAIN.reboot, ...Object.values(IN_CLUSTER).flatMap((x) => Object.values(x))];
export const PROXY_STEPS = { PROXY, CONTAINERD_PROXY };
const REPORTED = new Set([APT_UPGRADE, REBOOT.wait, KLOUDSPOT_TOOLS, REBOOT_AGAIN.wait, ...Object.values(IN_CLUSTER).flatMap((x) => [x.drain, x.uncordon])]
  .map((d) => d.id));

export interface PrepareNodeInput {
  site: string;
  node: { name: string; address: string; interface: string; role: 'manager' | 'worker' };
  target: SshTarget;
  allNodes: { name: string; address: string }[];
  network: { prefixLength: number; gateway: string; nameservers: string[] };
  lvm: { volumeGroup: string; sharedVolumeSize: string };
  toolsUrl: string;
  /** kloudspot.toolsSha256: the script runs only when its SHA-256 is this (absent in runs from before the pin). */
  toolsSha256?: string;
  rebootTimeoutMs: number;
  /**
   * The node is in the cluster already (a re-run): its reboots are drained and waited for through `control`
   * (another manager), and the parent runs such nodes one at a time. Absent in runs from before.
   */
  inCluster?: { control: SshTarget; clusterReadyMs: number };
  /** In the cluster already and the site chose `upgrades.clusterNodes: skip`: no apt upgrade, no reboot. */
  skipUpgrade?: boolean;
  parentId: string;
  /** Carried by every nodeReport: the parent accepts reports only with it (absent in runs before it existed). */
  reportKey?: string;
  /** Spec `proxy` with what NO_PROXY must cover; absent: no proxy (and in runs from before it). */
  proxy?: ProxyInput;
}

export interface PrepareNodeResult { node: string; changed: string[]; skipped: string[] }

export async function prepareNode(input: PrepareNodeInput): Promise<PrepareNodeResult> {
  try {
    return await prepareNodeSteps(input);
  } catch (err) {
    // The parent turns this type into the install's abort.
    if (err instanceof InstallAborted) throw installAborted(err.message);
    throw err;
  }
}

async function prepareNodeSteps(input: PrepareNodeInput): Promise<PrepareNodeResult> {
  const { node, target } = input;
  const parent = getExternalWorkflowHandle(input.parentId);
  const answers = new FailureInbox();
  let seq = 0;
  setHandler(api.resolveFailureSignal, (a) => {
    // A signal cannot be refused; a malformed one (sent straight to the child) is dropped with a warning.
    try { checkResolveShape(a); answers.deliver(a); } catch (err) { log.warn('resolveFailure not applied', { reason: (err as Error).message }); }
  }, {
    description: 'Forwarded by the install workflow: {"step": "...", "action": "retry" | "skip" | "abort"}',
  });
  const report = (r: Omit<NodeReport, 'node'>) => parent.signal(api.nodeReportSignal, { node: node.name, ...r, key: input.reportKey });

  // Histories recorded before this change reported every step start; they replay as they were.
  const everyStep = !patched('report-slow-steps-only');
  const changed: string[] = [];
  const skipped: string[] = [];
  let progress: api.NodeProgress = { node: node.name, step: 'pending', state: 'pending' };
  setHandler(api.nodeProgressQuery, () => progress, { description: 'This node\'s current step (the install\'s status shows only the long ones)' });
  const host: StepHost = {
    setStep(_n: string | undefined, id: string, state: StepState) {
      progress = { node: node.name, step: id, state };
      // Only starts of long steps, skips and failures cross to the parent.
      const reported = state === 'skipped' || (state === 'running' && (everyStep || REPORTED.has(id)));
      if (reported) report({ step: id, state }).catch(() => undefined);
      if (state === 'skipped') skipped.push(id);
    },
    async askFailure(stepId, n, message, lastError) {
      answers.forget(stepId);
      const question: Question = { ...failureQuestion(stepId, n, message, lastError), id: `c${++seq}`, askedAt: new Date().toISOString() };
      await report({ step: stepId.split(':')[1], state: 'failed', question });
      return answers.wait(stepId);
    },
  };
  const run = async (def: StepDef, fn: (a: StepActivities) => Promise<{ changed: boolean }>) => {
    const r = await step(host, node.name, def, fn);
    if (typeof r === 'object' && r.changed) changed.push(def.id);
  };

  const rebootIfRequired = async (steps: typeof REBOOT) => {
    if (input.skipUpgrade) return;
    const state = await step(host, node.name, steps.check, (a) => a.steps.readBootState(target));
    if (typeof state !== 'object' || !state.rebootRequired) return;
    const around = input.inCluster && IN_CLUSTER[steps.reboot.id];
    let voters: string[] = [];
    if (input.inCluster && around) {
      const { control, clusterReadyMs } = input.inCluster;
      const drained = await step(host, node.name, around.drain, (a) => a.waits(clusterReadyMs).drainNode(control, node.name, clusterReadyMs));
      if (typeof drained === 'object') voters = drained.voters;
    }
    await run(steps.reboot, (a) => a.steps.requestReboot(target, state.bootId));
    await run(steps.wait, (a) => a.waits(input.rebootTimeoutMs).waitForBoot(target, state.bootId, input.rebootTimeoutMs));
    if (input.inCluster && around) {
      const { control, clusterReadyMs } = input.inCluster;
      await run(around.ready, (a) => a.waits(clusterReadyMs).waitNodeReady(control, node.name, clusterReadyMs));
      await run(around.uncordon, (a) => a.steps.uncordonNode(control, node.name));
      await run(around.voters, (a) => a.waits(clusterReadyMs).waitVoters(control, voters, clusterReadyMs));
    }
  };

  // Only runs with a proxy have these steps, so every history without one replays unchanged.
  const proxy = input.proxy && patched('field-proxy') ? input.proxy : undefined;
  if (proxy) await run(PROXY, (a) => a.steps.configureHostProxy(target, proxy));
  if (!input.skipUpgrade) await run(APT_UPGRADE, (a) => a.steps.upgradePackages(target));
  await rebootIfRequired(REBOOT);
  await run(HOSTNAME, (a) => a.steps.setHostname(target, node.name));
  // Histories from before this step replay without it.
  if (patched('kubelet-name-after-rename')) await run(KUBELET_NAME, (a) => a.steps.restartMicrok8sIfRenamed(target, node.name));
  await run(HOSTS_FILE, (a) => a.steps.writeHostsFile(target, node.name, input.allNodes));
  await run(STATIC_ADDRESS, (a) => a.steps.configureStaticAddress(target, {
    interface: node.interface, address: node.address, prefixLength: input.network.prefixLength,
    gateway: input.network.gateway, nameservers: input.network.nameservers,
  }));
  await run(KLOUDSPOT_TOOLS, (a) => a.steps.installTools(target, input.toolsUrl, input.toolsSha256, proxy));
  if (proxy) await run(CONTAINERD_PROXY, (a) => a.steps.configureContainerdProxy(target, proxy));
  await run(SHARED_VOLUME, (a) => a.steps.createSharedVolume(target, input.lvm.volumeGroup, input.lvm.sharedVolumeSize));
  await rebootIfRequired(REBOOT_AGAIN);
  await report({ step: 'prepared', state: 'done' });
  return { node: node.name, changed, skipped };
}
