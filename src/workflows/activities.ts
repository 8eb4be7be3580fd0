// Activity stubs with their options. Workflows import only the TYPE of the activities.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE } from '../activities/failures';

// A few quick retries absorb transient faults (a held dpkg lock, a node still booting); after that a
// person decides (resolveFailure). A killed worker's activity is retried elsewhere after the heartbeat timeout.
const retry: ActivityOptions['retry'] = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '15s',
  maximumAttempts: 5,
  nonRetryableErrorTypes: NON_RETRYABLE,
};

/** Ordinary steps: each command has its own timeout inside the activity. */
const stepOptions: ActivityOptions = { startToCloseTimeout: '40m', heartbeatTimeout: '20s', retry };
export const steps = proxyActivities<Activities>(stepOptions);

/** Waits bounded by a site timeout: the activity's own deadline comes first and says what it saw. */
const waitOptions = (timeoutMs: number): ActivityOptions => ({ startToCloseTimeout: timeoutMs + 5 * 60_000, heartbeatTimeout: '20s', retry });
export function waits(timeoutMs: number) {
  return proxyActivities<Activities>(waitOptions(timeoutMs));
}

/** The activities of one step, each call carrying a one-line summary the Web UI's timeline shows. */
export interface StepActivities {
  steps: typeof steps;
  waits: typeof waits;
}

export function activitiesFor(summary: string): StepActivities {
  return {
    steps: proxyActivities<Activities>({ ...stepOptions, summary }),
    waits: (timeoutMs: number) => proxyActivities<Activities>({ ...waitOptions(timeoutMs), summary }),
  };
}
