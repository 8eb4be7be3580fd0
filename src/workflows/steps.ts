// Runs one named step: shows it in the status, and when it fails after its retries turns the failure
// into a question (retry, skip, abort) instead of failing the install.
import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { FailureAction, StepState } from './api';
import { activitiesFor, type StepActivities } from './activities';

/** The seed's words for each step, for activity summaries in the Web UI's timeline. */
const TITLES: Record<string, string> = {
  'apt-upgrade': 'apt-get update && dist-upgrade (unattended)',
  'reboot-check': 'reboot needed? (/var/run/reboot-required)', reboot: 'reboot', 'reboot-wait': 'wait for a new boot id',
  'reboot-again-check': 'reboot needed? (/var/run/reboot-required)', 'reboot-again': 'reboot', 'reboot-again-wait': 'wait for a new boot id',
  hostname: 'hostnamectl set-hostname', 'hosts-file': 'edit /etc/hosts', 'static-address': 'static address with netplan',
  'kloudspot-tools': 'install the Kloudspot tools', 'shared-volume': 'lvcreate the shared volume',
  'microk8s-ready': 'microk8s status --wait-ready', join: 'microk8s add-node / join', 'join-wait': 'wait until the node is Ready',
  'high-availability': 'wait for high-availability: yes', iscsid: 'enable iscsid',
  'ndm-filter': 'let OpenEBS NDM see LVM volumes', 'block-devices': 'list block devices', 'cstor-pool-check': 'existing cStor pool?',
  'cstor-pool': 'create the cStor pool', 'cstor-pool-online': 'wait until every pool instance is ONLINE',
  'tls-check': 'TLS secret present?', 'tls-secret': 'create the TLS secret', 'values-file': 'write /etc/kloudspot/values.yaml',
  'chart-start': 'kloudspot start', 'chart-update': 'kloudspot update --update-helm', 'chart-stop': 'kloudspot stop',
  'chart-ready': 'wait until every pod is Ready', 'chart-gone': 'wait until the pods are gone',
};

export function stepTitle(id: string): string {
  return TITLES[id] ?? (id.startsWith('addon-') ? `microk8s enable ${id.slice(6)}` : id);
}

export const SKIPPED = Symbol('skipped');
export type Skippable<T> = T | typeof SKIPPED;

export interface StepHost {
  setStep(node: string | undefined, step: string, state: StepState): void;
  askFailure(step: string, node: string | undefined, message: string, lastError: string): Promise<FailureAction>;
}

export class InstallAborted extends Error {
  constructor(readonly step: string) {
    super(`aborted at ${step} by a person's answer; nodes are left as they are`);
    this.name = 'InstallAborted';
  }
}

interface FailureDetails { command?: string; exitCode?: number | null; stderrTail?: string }

/** The failure a person reads: the activity's message, and the command, exit code and stderr tail. */
export function describeFailure(err: unknown): { message: string; lastError: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const message = (cause as Error)?.message ?? String(err);
  const d = (cause instanceof ApplicationFailure ? cause.details?.[0] : undefined) as FailureDetails | undefined;
  const lines = [message];
  if (d?.command) lines.push(`command: ${d.command}`);
  if (d?.exitCode !== undefined && d.exitCode !== null) lines.push(`exit code: ${d.exitCode}`);
  if (d?.stderrTail) lines.push(`stderr (tail):\n${d.stderrTail}`);
  return { message, lastError: lines.join('\n') };
}

export async function step<T>(host: StepHost, node: string | undefined, id: string, fn: (a: StepActivities) => Promise<T>): Promise<Skippable<T>> {
  const stepId = `${node ?? 'cluster'}:${id}`;
  const acts = activitiesFor(`${node ?? 'cluster'}: ${stepTitle(id)}`);
  for (;;) {
    host.setStep(node, id, 'running');
    try {
      const result = await fn(acts);
      host.setStep(node, id, 'done');
      return result;
    } catch (err) {
      if (isCancellation(err) || err instanceof InstallAborted) throw err;
      const { message, lastError } = describeFailure(err);
      host.setStep(node, id, 'failed');
      const action = await host.askFailure(stepId, node, `${stepId} failed: ${message.split('\n')[0]}`, lastError);
      if (action === 'abort') throw new InstallAborted(stepId);
      if (action === 'skip') {
        host.setStep(node, id, 'skipped');
        return SKIPPED;
      }
    }
  }
}
