// Steps as values, and the runner of one step: it shows the step in the status and, when the step fails
// after its retries, turns the failure into a question (retry, skip, abort) instead of failing the install.
import { isCancellation } from '@temporalio/workflow';
import { describeFailure } from '../activities/failures';
import type { FailureAction, StepState } from './api';
import { activitiesFor, type StepActivities } from './activities';

export interface StepDef {
  /** The one name of the step: in the status, in questions (`<node>:<id>`) and in resolveFailure answers. */
  id: string;
  /** The seed's words for it: the Web UI's activity summaries and the failure question. */
  title: string;
  /** A prepare-node step that takes minutes: its start is reported to the install (prepare-node.ts). */
  reportToParent?: boolean;
  /**
   * How `plan` shows the step: absent, under its own id; `partOf`, inside another planned step (a wait or a read
   * that belongs to it); `notInInstall`, never (the install never runs it: why).
   */
  plan?: { partOf: string } | { notInInstall: string };
}

const DECLARED = new Map<string, Readonly<StepDef>>();

/** Declares a step once, at module level: plan's coverage test reads every declaration back (declaredSteps). */
export function defineStep(def: StepDef): Readonly<StepDef> {
  if (DECLARED.has(def.id)) throw new Error(`step ${def.id} is declared twice`);
  const frozen = Object.freeze({ ...def });
  DECLARED.set(def.id, frozen);
  return frozen;
}

/** A step made per spec at run time (a hook script): not a declaration. */
export function runtimeStep(def: StepDef): Readonly<StepDef> {
  return Object.freeze({ ...def });
}

/** Every step declared so far (the modules that declare them must be loaded). */
export function declaredSteps(): Readonly<StepDef>[] {
  return [...DECLARED.values()];
}

export const SKIPPED = Symbol('skipped');
export type Skippable<T> = T | typeof SKIPPED;

/** Where a step shows its state and asks its question: the install's status, or a prepare-node child's. */
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

/** Runs `fn` as step `def` of `node` (or of the cluster): a failure becomes a question, `skip` returns SKIPPED. */
export async function step<T>(host: StepHost, node: string | undefined, def: StepDef, fn: (a: StepActivities) => Promise<T>): Promise<Skippable<T>> {
  const stepId = `${node ?? 'cluster'}:${def.id}`;
  const acts = activitiesFor(`${node ?? 'cluster'}: ${def.title}`);
  for (;;) {
    host.setStep(node, def.id, 'running');
    try {
      const result = await fn(acts);
      host.setStep(node, def.id, 'done');
      return result;
    } catch (err) {
      if (isCancellation(err) || err instanceof InstallAborted) throw err;
      const { lastError } = describeFailure(err);
      host.setStep(node, def.id, 'failed');
      const [first, ...rest] = lastError.split('\n');
      const action = await host.askFailure(stepId, node, `${stepId} (${def.title}) failed: ${first}`, rest.join('\n'));
      if (action === 'abort') throw new InstallAborted(stepId);
      if (action === 'skip') {
        host.setStep(node, def.id, 'skipped');
        return SKIPPED;
      }
    }
  }
}
