// prepare-node: one child workflow per node (id install/<site>/prepare/<node>), run for all nodes in
// parallel, and reused by addNode. The seed's "Configure Each System", reordered where MicroK8s needs it:
// hostname, hosts file and static address come before the tools script installs MicroK8s (kubelet
// registers under the hostname; dqlite pins the node's address).
import { ApplicationFailure, condition, getExternalWorkflowHandle, patched, setHandler } from '@temporalio/workflow';
import type { SshTarget } from '../activities/ssh';
import * as api from './api';
import type { FailureAction, NodeReport, Question, StepState } from './api';
import type { StepActivities } from './activities';
import { InstallAborted, step, type StepHost } from './steps';

export interface PrepareNodeInput {
  site: string;
  node: { name: string; address: string; interface: string; role: 'manager' | 'worker' };
  target: SshTarget;
  allNodes: { name: string; address: string }[];
  network: { prefixLength: number; gateway: string; nameservers: string[] };
  lvm: { volumeGroup: string; sharedVolumeSize: string };
  toolsUrl: string;
  rebootTimeoutMs: number;
  parentId: string;
}

export interface PrepareNodeResult { node: string; changed: string[]; skipped: string[] }

/**
 * The steps that take minutes on a real node: only their starts are reported to the parent. A signal costs
 * events on both sides and a workflow task in each; reporting every step start was 40% of an install's
 * history and half its workflow tasks (docs/performance.md), for steps that last a second.
 */
export const REPORTED_STEPS: ReadonlySet<string> = new Set(['apt-upgrade', 'reboot-wait', 'kloudspot-tools', 'reboot-again-wait']);


export async function prepareNode(input: PrepareNodeInput): Promise<PrepareNodeResult> {
  try {
    return await prepareNodeSteps(input);
  } catch (err) {
    // The parent turns this type into the install's abort.
    if (err instanceof InstallAborted) throw ApplicationFailure.create({ type: 'InstallAborted', message: err.message, nonRetryable: true });
    throw err;
  }
}

async function prepareNodeSteps(input: PrepareNodeInput): Promise<PrepareNodeResult> {
  const { node, target } = input;
  const parent = getExternalWorkflowHandle(input.parentId);
  const answers = new Map<string, FailureAction>();
  let seq = 0;
  setHandler(api.resolveFailureSignal, (a) => { answers.set(a.step, a.action); }, {
    description: 'Forwarded by the install workflow: {"step": "...", "action": "retry" | "skip" | "abort"}',
  });
  const report = (r: Omit<NodeReport, 'node'>) => parent.signal(api.nodeReportSignal, { node: node.name, ...r });

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
      const reported = state === 'skipped' || (state === 'running' && (everyStep || REPORTED_STEPS.has(id)));
      if (reported) report({ step: id, state }).catch(() => undefined);
      if (state === 'skipped') skipped.push(id);
    },
    async askFailure(stepId, n, message, lastError) {
      answers.delete(stepId);
      const question: Question = { id: `c${++seq}`, kind: 'failure', node: n, step: stepId, prompt: message, options: ['retry', 'skip', 'abort'], lastError, askedAt: new Date().toISOString() };
      await report({ step: stepId.split(':')[1], state: 'failed', question });
      await condition(() => answers.has(stepId));
      return answers.get(stepId)!;
    },
  };
  const run = async (id: string, fn: (a: StepActivities) => Promise<{ changed: boolean }>) => {
    const r = await step(host, node.name, id, fn);
    if (typeof r === 'object' && r.changed) changed.push(id);
  };

  const rebootIfRequired = async (id: string) => {
    const state = await step(host, node.name, `${id}-check`, (a) => a.steps.readBootState(target));
    if (typeof state !== 'object' || !state.rebootRequired) return;
    await run(id, (a) => a.steps.requestReboot(target, state.bootId));
    await run(`${id}-wait`, (a) => a.waits(input.rebootTimeoutMs).waitForBoot(target, state.bootId, input.rebootTimeoutMs));
  };

  await run('apt-upgrade', (a) => a.steps.upgradePackages(target));
  await rebootIfRequired('reboot');
  await run('hostname', (a) => a.steps.setHostname(target, node.name));
  await run('hosts-file', (a) => a.steps.writeHostsFile(target, node.name, input.allNodes));
  await run('static-address', (a) => a.steps.configureStaticAddress(target, {
    interface: node.interface, address: node.address, prefixLength: input.network.prefixLength,
    gateway: input.network.gateway, nameservers: input.network.nameservers,
  }));
  await run('kloudspot-tools', (a) => a.steps.installTools(target, input.toolsUrl));
  await run('shared-volume', (a) => a.steps.createSharedVolume(target, input.lvm.volumeGroup, input.lvm.sharedVolumeSize));
  await rebootIfRequired('reboot-again');
  await report({ step: 'prepared', state: 'done' });
  return { node: node.name, changed, skipped };
}
