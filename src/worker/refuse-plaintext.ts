// Activity interceptor: an activity whose input the codec refused (codec/refused.ts) does not run. Anyone who
// can reach Temporal can poll the workflow task queue and schedule activities with plaintext input; without
// this, that input would reach the SSH activities as a value.
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { refusedArgument } from '../codec/refused';

export const refusePlaintextActivities: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const why = refusedArgument(input.args);
      if (why) throw ApplicationFailure.nonRetryable(`activity ${ctx.info.activityType} input refused: ${why}`, 'PlaintextRefused');
      return next(input);
    },
  },
});

/** The workflow interceptor module, bundled with the workflows. */
export const WORKFLOW_INTERCEPTORS_PATH = require.resolve('../workflows/refusals');
