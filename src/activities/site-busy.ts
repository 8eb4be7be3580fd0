// reset refuses while another workflow changes the site: it asks Temporal (the worker's own connection) for the
// state of each workflow id that can change it. Describe by id is consistent at once, unlike a visibility list.
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { TemporalAccess } from './doctor-schedule';
import { failure, FailureType } from './failures';

export function createSiteBusyActivities(temporal?: TemporalAccess) {
  return {
    /** The running ones among `ids`, with their start times; fails (retried) without a Temporal connection rather than guessing. */
    async runningWorkflows(ids: string[]): Promise<{ id: string; startedAt: number }[]> {
      if (!temporal) throw failure(FailureType.CommandFailed, 'this worker has no Temporal connection for activities: cannot tell whether the site is busy');
      const client = new Client(temporal);
      const running: { id: string; startedAt: number }[] = [];
      for (const id of ids) {
        try {
          const d = await client.workflow.getHandle(id).describe();
          if (d.status.name === 'RUNNING') running.push({ id, startedAt: d.startTime.getTime() });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      return running;
    },
  };
}
