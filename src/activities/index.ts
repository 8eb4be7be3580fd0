// Every activity, built around one SSH pool per worker. Workflows import only the type of this object.
import { createChartActivities } from './chart';
import { createClusterActivities } from './cluster';
import { createDoctorActivities } from './doctor';
import { createKnownHostsActivities } from './known-hosts';
import { createNodePrepActivities } from './node-prep';
import { createPlanActivities } from './plan';
import { createPreflightActivities } from './preflight';
import type { ActivityDeps } from './run';
import { createStorageActivities } from './storage';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPreflightActivities(deps),
    ...createKnownHostsActivities(),
    ...createPlanActivities(deps),
    ...createNodePrepActivities(deps),
    ...createClusterActivities(deps),
    ...createStorageActivities(deps),
    ...createChartActivities(deps),
    ...createDoctorActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './run';
export type { SshTarget } from './ssh';
