// configure-storage steps: iscsid, the OpenEBS add-on, NDM made to see the `shared` LVM volume,
// block devices listed, the cStor pool created and waited for.
import * as yaml from 'js-yaml';
import * as s from './commands/storage';
import { kubectlWait } from './commands/kube-wait';
import { run, waitFor, type ActivityDeps } from './run';
import type { StepResult } from './node-prep';
import type { SshTarget } from './ssh';

export interface BlockDeviceOption { name: string; path: string; sizeBytes: number; links: string[] }

export function createStorageActivities(deps: ActivityDeps) {
  const poolInstances = async (first: SshTarget, step: string) =>
    s.parsePoolInstances((await run(deps, first, s.listPoolInstances(), step)).stdout);

  return {
    async enableIscsid(t: SshTarget): Promise<StepResult> {
      const step = 'iscsid';
      const enabled = (await run(deps, t, s.iscsidState(), step)).stdout.trim() === 'enabled';
      const active = (await run(deps, t, s.iscsidActive(), step)).stdout.trim() === 'active';
      if (enabled && active) return { changed: false };
      await run(deps, t, s.enableIscsid(), step);
      return { changed: true };
    },

    /** OpenEBS 3.x's NDM excludes /dev/dm-*, which hides every LVM volume (openebs/openebs#3622). */
    async exposeSharedVolumesToNdm(first: SshTarget): Promise<StepResult> {
      const step = 'NDM path filter';
      const cm = await run(deps, first, s.readNdmConfig(), step);
      const before = s.ndmRestartStamp((await run(deps, first, s.readNdmDaemonSet(), step)).stdout);
      const updated = s.ndmConfigWithoutDmExclude(cm.stdout, (t) => yaml.load(t), (v) => yaml.dump(v, { lineWidth: -1 }), { [s.NDM_RESTART_MARK]: before });
      if (updated) {
        await run(deps, first, { ...s.applyManifest(), stdin: updated }, step);
      } else {
        // The filter is already right. If we changed it and NDM has not been restarted since (the attempt
        // that changed it died before the restart), the restart is still owed; otherwise nothing is.
        const mark = s.ndmRestartMark(cm.stdout);
        if (mark === undefined || mark !== before) return { changed: false };
      }
      await run(deps, first, s.restartNdm(), step);
      return { changed: true };
    },

    /** The existing pool, if this site already has one (a re-run): node -> block device. */
    async existingPool(first: SshTarget): Promise<{ node: string; name: string; phase: string }[]> {
      return (await poolInstances(first, 'cStor pool')).map((p) => ({ node: p.node, name: p.name, phase: p.phase }));
    },

    /** Waits until NDM has found at least one usable device on every node, then lists them per node. */
    async listBlockDeviceCandidates(first: SshTarget, nodes: string[], timeoutMs: number): Promise<Record<string, BlockDeviceOption[]>> {
      const step = 'block devices';
      return waitFor<Record<string, BlockDeviceOption[]>>(deps, `a usable block device on each of ${nodes.join(', ')}`, timeoutMs, async () => {
        const all = s.parseBlockDevices((await run(deps, first, s.listBlockDevices(), step)).stdout);
        const byNode: Record<string, BlockDeviceOption[]> = {};
        for (const n of nodes) {
          byNode[n] = s.candidateBlockDevices(all, n).map((d) => ({ name: d.name, path: d.path, sizeBytes: d.sizeBytes, links: d.links }));
        }
        const missing = nodes.filter((n) => byNode[n].length === 0);
        return missing.length === 0 ? { done: byNode } : { seen: `no unclaimed, unformatted device yet on ${missing.join(', ')} (${all.length} block devices in all)` };
      });
    },

    async createCstorPool(first: SshTarget, choices: { node: string; blockDevice: string }[], replicaCount: number): Promise<StepResult> {
      const step = 'cStor pool';
      const r = await run(deps, first, { ...s.applyManifest(), stdin: s.renderCstorManifests(choices, replicaCount) }, step);
      return { changed: !/^\S+ unchanged$/m.test(r.stdout) || /created|configured/.test(r.stdout) };
    },

    async waitPoolOnline(first: SshTarget, nodes: string[], timeoutMs: number): Promise<StepResult> {
      const step = 'cStor pool online';
      await waitFor(deps, `a cStor pool instance ONLINE on each of ${nodes.join(', ')}`, timeoutMs, async () => {
        const pools = await poolInstances(first, step);
        const notOnline = nodes.filter((n) => !pools.some((p) => p.node === n && p.phase === 'ONLINE'));
        return notOnline.length === 0 ? { done: true }
          : { seen: pools.map((p) => `${p.name} on ${p.node}: ${p.phase || 'no phase'}`).join(', ') || 'no pool instances' };
      }, { target: first, step, command: (t) => kubectlWait(s.poolInstancesOnline, t) });
      return { changed: false };
    },
  };
}
