// Every activity, built around one SSH pool per worker. Workflows import only the type of this object.
import { createChartActivities } from './chart';
import { createClusterActivities } from './cluster';
import { createDoctorActivities } from './doctor';
import { createDoctorScheduleActivities, type TemporalAccess } from './doctor-schedule';
import { createRefreshCertsActivities } from './refresh-certs';
import { createUpgradeActivities } from './upgrade';
import { createBackupActivities } from './backup';
import { createRestoreActivities } from './restore';
import { createSupportBundleActivities } from './support-bundle';
import { createKnownHostsActivities } from './known-hosts';
import { createHostKeyScanActivities } from './host-key-scan';
import { createFieldActivities } from './field';
import { createHookActivities } from './hooks';
import { createKubeletNameActivities } from './kubelet-name';
import { createNodePrepActivities } from './node-prep';
import { createPlanActivities } from './plan';
import { createPreflightActivities } from './preflight';
import { createResetActivities } from './reset';
import { createSiteBusyActivities } from './site-busy';
import type { ActivityDeps } from './run';
import { createCstorVolumeActivities } from './cstor-volume';
import { createRollingActivities } from './rolling';
import { createStorageActivities } from './storage';
import { createReplaceNodeActivities } from './replace-node';
import { createKloudspotInitActivities } from './kloudspot-init';

/** `temporal`: the worker's own connection, for the activities that talk to Temporal (the doctor's schedule). */
export function createActivities(deps: ActivityDeps, temporal?: TemporalAccess) {
  return {
    ...createPreflightActivities(deps),
    ...createKnownHostsActivities(),
    ...createHostKeyScanActivities(deps),
    ...createPlanActivities(deps),
    ...createNodePrepActivities(deps),
    ...createKubeletNameActivities(deps),
    ...createClusterActivities(deps),
    ...createRollingActivities(deps),
    ...createCstorVolumeActivities(deps),
    ...createStorageActivities(deps),
    ...createChartActivities(deps),
    ...createKloudspotInitActivities(deps),
    ...createDoctorActivities(deps),
    ...createDoctorScheduleActivities(temporal),
    ...createRefreshCertsActivities(deps),
    ...createUpgradeActivities(deps),
    ...createBackupActivities(deps),
    ...createRestoreActivities(deps),
    ...createResetActivities(deps),
    ...createSiteBusyActivities(temporal),
    ...createSupportBundleActivities(deps, temporal),
    ...createFieldActivities(deps),
    ...createHookActivities(deps),
    ...createReplaceNodeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './run';
export type { SshTarget } from './ssh';
