// Runs one named step: shows it in the status, and when it fails after its retries turns the failure
// into a question (retry, skip, abort) instead of failing the install.
import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { FailureAction, StepState } from './api';

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

export async function step<T>(host: StepHost, node: string | undefined, id: string, fn: () => Promise<T>): Promise<Skippable<T>> {
  const stepId = `${node ?? 'cluster'}:${id}`;
  for (;;) {
    host.setStep(node, id, 'running');
    try {
      const result = await fn();
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
