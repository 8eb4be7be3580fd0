// Workflow interceptor (bundled with the workflows, registered in worker/worker.ts): a start, signal, update or
// query whose payload the codec refused (not encrypted with the installer's key, codec/refused.ts) never
// reaches workflow code. A start fails the workflow at once with the reason, before anything acts; an update
// or query is rejected with it; a signal (which cannot be refused) is dropped with a warning in the worker's
// log and a line in the status summary.
import { ApplicationFailure, log, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { FailureType } from '../activities/failures';
import { refusedArgument } from '../codec/refused';

const PLAINTEXT_REFUSED = FailureType.PlaintextRefused;

/** Set by the site workflows (site-run.ts): where a refused signal is noted for the operator. */
let noteRefusedSignal: ((text: string) => void) | undefined;
export function onRefusedSignal(note: (text: string) => void): void { noteRefusedSignal = note; }

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [{
    async execute(input, next) {
      const why = refusedArgument(input.args);
      if (why) throw ApplicationFailure.nonRetryable(`workflow input refused: ${why}`, PLAINTEXT_REFUSED);
      return next(input);
    },
    async handleSignal(input, next) {
      const why = refusedArgument(input.args);
      if (!why) return next(input);
      log.warn('signal refused', { signal: input.signalName, reason: why });
      noteRefusedSignal?.(`signal ${input.signalName} refused: ${why}`);
    },
    validateUpdate(input, next) {
      const why = refusedArgument(input.args);
      if (why) throw new Error(`update ${input.name} refused: ${why}`);
      next(input);
    },
    async handleUpdate(input, next) {
      const why = refusedArgument(input.args);
      if (why) throw ApplicationFailure.nonRetryable(`update ${input.name} refused: ${why}`, PLAINTEXT_REFUSED);
      return next(input);
    },
    async handleQuery(input, next) {
      const why = refusedArgument(input.args);
      if (why) throw new Error(`query ${input.queryName} refused: ${why}`);
      return next(input);
    },
  }],
});
