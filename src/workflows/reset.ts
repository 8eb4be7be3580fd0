// resetSite(spec), workflow id reset/<site>: an install undone in reverse order, after one question listing
// what will be removed on which node. Each step checks whether its effect is still there before it acts, so a
// worker killed or a node rebooted mid-reset changes nothing twice; failures become questions as in an install.
import type { SiteSpec } from '../site/schema';
import type { InstallStatus } from './api';
import { requirePinnedHostKeys } from './host-keys';
import { resetCluster } from './reset-cluster';
import { resetNodes } from './reset-nodes';
import { ResetConfirmation, resetSurvey } from './reset-survey';
import { resetRefusedWhileBusy } from './site-busy';
import { openSite, runSite } from './site-run';

export async function resetSite(spec: SiteSpec): Promise<InstallStatus> {
  const ctx = openSite(spec);
  const confirmation = new ResetConfirmation(ctx);
  return runSite(ctx, [resetRefusedWhileBusy, { ...requirePinnedHostKeys(), name: 'reset-survey' }, resetSurvey(confirmation), resetCluster, resetNodes], 'reset');
}
