// Brings a cluster's time-derived state up to date before it is read: NDM's block devices, cStor pool
// instances, the chart's pods. Apart from cluster-state.ts so that the cluster model does not import the
// storage and chart simulations, which import it.
import type { Cluster } from './cluster-state';
import { syncBlockDevices, syncPoolInstances } from './storage-sim';
import { syncPods } from './chart-sim';
import { syncCstorVolumes } from './cstor-volume-sim';
import { syncVolumeReplicas } from './cvc-sim';
import { syncOpenebsDeployments } from './openebs-deployments';

/** Applies everything that became true since the last look. */
export function refreshCluster(c: Cluster, now = Date.now()): void {
  syncOpenebsDeployments(c, now);
  syncBlockDevices(c, now);
  syncPoolInstances(c, now);
  syncPods(c, now);
  syncCstorVolumes(c, now);
  syncVolumeReplicas(c, now);
}
