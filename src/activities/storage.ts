// configure-storage steps: iscsid, the OpenEBS add-on, NDM made to see the `shared` LVM volume,
// block devices listed, the cStor pool created and waited for.
import * as yaml from 'js-yaml';
import { createClusterChecks } from './checks/cluster';
import { applyManifest, kubectlWait } from './commands/kubectl';
import * as s from './commands/openebs';
import * as systemd from './commands/systemd';
import { run, waitFor, type ActivityDeps } from './run';
import type { StepResult } from './node-prep';
import type { SshTarget } from './ssh';
import { SHARED_LV } from './commands/lvm';
import { aptInstall, packageInstalled, packageStatus } from './commands/apt';

export interface BlockDeviceOption { name: string; path: string; sizeBytes: number; links: string[] }

export function createStorageActivities(deps: ActivityDeps) {
  // The "already done?" half of each step: the same functions plan runs alone.
  const checks = createClusterChecks(deps);
  const poolInstances = async (first: SshTarget) =>
    s.parsePoolInstances((await run(deps, first, s.listPoolInstances())).stdout);

  return {
    async enableIscsid(t: SshTarget): Promise<StepResult> {
      if ((await checks.iscsid(t)).done) return { changed: false };
      // Assumed by the seed, missing on minimal images: without it there is no iscsid to enable.
      if (!packageInstalled((await run(deps, t, packageStatus('open-iscsi'))).stdout)) await run(deps, t, aptInstall('open-iscsi'), { timeoutMs: 30 * 60_000 });
      await run(deps, t, systemd.enableIscsid());
      return { changed: true };
    },

    /**
     * OpenEBS 3.x's NDM excludes /dev/dm-*, which hides every LVM volume (openebs/openebs#3622); dropping that
     * exclude alone would offer every LV. The path filter includes the `shared` LV's /dev/mapper path instead.
     */
    async exposeSharedVolumesToNdm(first: SshTarget, volumeGroup: string): Promise<StepResult> {
      const cm = await run(deps, first, s.readNdmConfig());
      const before = s.ndmRestartStamp((await run(deps, first, s.readNdmDaemonSet())).stdout);
      const updated = s.ndmConfigForSharedVolume(cm.stdout, s.mapperPath(volumeGroup, SHARED_LV),
        (t) => yaml.load(t), (v) => yaml.dump(v, { lineWidth: -1 }), { [s.NDM_RESTART_MARK]: before });
      if (updated) {
        await run(deps, first, { ...applyManifest(), stdin: updated });
      } else {
        // The filter is already right. If we changed it and NDM has not been restarted since (the attempt
        // that changed it died before the restart), the restart is still owed; otherwise nothing is.
        const mark = s.ndmRestartMark(cm.stdout);
        if (mark === undefined || mark !== before) return { changed: false };
      }
      await run(deps, first, s.restartNdm());
      return { changed: true };
    },

    /** The existing pool, if this site already has one (a re-run): node -> block device. */
    async existingPool(first: SshTarget): Promise<{ node: string; name: string; phase: string }[]> {
      return (await poolInstances(first)).map((p) => ({ node: p.node, name: p.name, phase: p.phase }));
    },

    /** Waits until NDM has found at least one usable device on every node, then lists them per node. */
    async listBlockDeviceCandidates(first: SshTarget, nodes: string[], timeoutMs: number): Promise<Record<string, BlockDeviceOption[]>> {
      return waitFor<Record<string, BlockDeviceOption[]>>(deps, `a usable block device on each of ${nodes.join(', ')}`, timeoutMs, async () => {
        const all = s.parseBlockDevices((await run(deps, first, s.listBlockDevices())).stdout);
        const byNode: Record<string, BlockDeviceOption[]> = {};
        for (const n of nodes) {
          byNode[n] = s.candidateBlockDevices(all, n).map((d) => ({ name: d.name, path: d.path, sizeBytes: d.sizeBytes, links: d.links }));
        }
        const missing = nodes.filter((n) => byNode[n].length === 0);
        return missing.length === 0 ? { done: byNode } : { seen: `no unclaimed, unformatted device yet on ${missing.join(', ')} (${all.length} block devices in all)` };
      });
    },

    /** `storageClass`: spec chart.storageClasses.shared (absent in runs from before: cstor-csi). */
    async createCstorPool(
      first: SshTarget, choices: { node: string; blockDevice: string }[], replicaCount: number, storageClass?: string,
    ): Promise<StepResult> {
      const r = await run(deps, first, { ...applyManifest(), stdin: s.renderCstorManifests(choices, replicaCount, storageClass) });
      return { changed: !/^\S+ unchanged$/m.test(r.stdout) || /created|configured/.test(r.stdout) };
    },

    async waitPoolOnline(first: SshTarget, nodes: string[], timeoutMs: number): Promise<StepResult> {
      await waitFor(deps, `a cStor pool instance ONLINE on each of ${nodes.join(', ')}`, timeoutMs, async () => {
        const pools = await poolInstances(first);
        const notOnline = nodes.filter((n) => !pools.some((p) => p.node === n && p.phase === 'ONLINE'));
        return notOnline.length === 0 ? { done: true }
          : { seen: pools.map((p) => `${p.name} on ${p.node}: ${p.phase || 'no phase'}`).join(', ') || 'no pool instances' };
      }, { target: first, command: (t) => kubectlWait(s.poolInstancesOnline, t) });
      return { changed: false };
    },
  };
}
