// installCluster(spec), workflow id install/<site>: the whole install as one ordered list of phases.
// Each phase decides from what it finds on the nodes what is left to do, so a re-run changes nothing.
import { patched } from '@temporalio/workflow';
import type { SiteSpec } from '../site/schema';
import type { InstallStatus } from './api';
import { configureStorage } from './configure-storage';
import { deployChart } from './deploy-chart';
import { registerDoctorSchedule } from './doctor-schedule';
import { formCluster } from './form-cluster';
import { firstContact } from './host-keys';
import { withHooks } from './hooks';
import { preflight } from './preflight';
import { prepareNodes } from './prepare-nodes';
import { refusedDuringReset } from './site-busy';
import { openSite, runSite } from './site-run';

export async function installCluster(spec: SiteSpec): Promise<InstallStatus> {
  const ctx = openSite(spec);
  // Added after the v3 histories: an install refuses to start while the site's reset runs (issue 19). Outside the
  // hooks: it is no phase of the install's own, and preflight's hooks must run once.
  const refusal = patched('install-refused-during-reset') ? [refusedDuringReset('installCluster')] : [];
  // Added after the v3 histories: first-contact host keys confirmed by a person before any hook or preflight command.
  const status = await runSite(ctx, [...refusal, ...firstContact(), ...withHooks(ctx, [preflight, prepareNodes, formCluster, configureStorage, deployChart])]);
  // Added after the v3 histories: a finished install puts its site under the doctor's schedule (spec doctor.every).
  // patched() keeps the recorded histories replaying (they end without this activity).
  if (patched('doctor-schedule')) await registerDoctorSchedule(ctx);
  return status;
}
