// installCluster(spec), workflow id install/<site>: the whole install as one ordered list of phases.
// Each phase decides from what it finds on the nodes what is left to do, so a re-run changes nothing.
import type { SiteSpec } from '../site/schema';
import type { InstallStatus } from './api';
import { configureStorage } from './configure-storage';
import { deployChart } from './deploy-chart';
import { formCluster } from './form-cluster';
import { preflight } from './preflight';
import { prepareNodes } from './prepare-nodes';
import { openSite, runSite } from './site-run';

export async function installCluster(spec: SiteSpec): Promise<InstallStatus> {
  return runSite(openSite(spec), [preflight, prepareNodes, formCluster, configureStorage, deployChart]);
}
