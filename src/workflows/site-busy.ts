// One site, one changing workflow at a time: a reset refuses while an install, update, add-node or refresh-certs
// of the site runs, and an install, update or add-node refuses while its reset runs. Temporal is asked by workflow id (describe is
// consistent at once, unlike a visibility list); the refusal names what runs and what to do, before anything acts.
// Only a workflow started before this one counts: two started together (an install, then a reset a moment later)
// must not refuse each other, so the earlier carries on and the later refuses.
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FailureType } from '../activities/failures';
import * as api from './api';
import type { Phase } from './phase';

const { runningWorkflows } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.HostKeyMismatch] },
});

/** A phase that fails the run (nonretryable SiteBusy) while any of `ids` runs; `why`: what would go wrong, `fix`: the way on. */
function refuseWhileRunning(name: api.PhaseName, title: string, ids: (site: string, nodes: string[]) => string[],
  why: string, fix: (site: string) => string): Phase {
  return {
    name, title, hosts: () => [],
    async run(ctx) {
      const me = workflowInfo();
      // Both start times from the server's describe: workflowInfo's runStartTime can be later (a busy worker's
      // first task), which made an install started first refuse a reset started a moment after it.
      // Which entry is this run is told by the ids asked about, not by workflowInfo's id: a replay may run the
      // history under another workflow id.
      const others = ids(ctx.spec.site, ctx.nodes.map((n) => n.name)).filter((id) => id !== me.workflowId);
      const found = await runningWorkflows([...others, me.workflowId]);
      const myStart = found.find((w) => !others.includes(w.id))?.startedAt ?? me.runStartTime.getTime();
      const busy = found
        .filter((w) => others.includes(w.id) && (w.startedAt < myStart || (w.startedAt === myStart && w.id < me.workflowId)))
        .map((w) => w.id);
      if (busy.length) {
        throw ApplicationFailure.create({
          type: FailureType.SiteBusy, nonRetryable: true,
          message: `${busy.join(', ')} ${busy.length === 1 ? 'is' : 'are'} running: ${why}, so nothing was done. Fix: ${fix(ctx.spec.site)}`,
        });
      }
    },
  };
}

/** reset's first phase. */
export const resetRefusedWhileBusy = refuseWhileRunning('reset-survey', 'refuse while an install, update, add-node or refresh-certs of the site runs',
  api.changingWorkflowIds, 'reset would take the site apart under it',
  (site) => `wait for it to finish (\`kloudspot-installer watch ${site}\`), or cancel it in the Web UI, then reset again`);

/** A first phase of install, update or add-node: refuse while the site's reset runs. Behind a patch of each workflow's
 * own (install-refused-during-reset, update-refused-during-reset, add-node-refused-during-reset): older histories start without it. */
export function refusedDuringReset(workflow: api.RefusedDuringReset): Phase {
  const { why, then } = api.REFUSED_DURING_RESET[workflow];
  return refuseWhileRunning('preflight', 'refuse while a reset of the site runs', (site) => [api.resetWorkflowId(site)], why,
    (site) => api.resetRunningFix(site, then));
}
