// The OpenEBS release moved to cStor 3.4, and the pool proved with a throw-away 3-replica volume (commands/cstor-volume.ts).
import * as v from './commands/cstor-volume';
import { applyManifest, kubectlWait } from './commands/kubectl';
import { verifyFailed } from './failures';
import { commandFailed, run, waitFor, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

export function createCstorVolumeActivities(deps: ActivityDeps) {
  const chartVersion = async (t: SshTarget) => v.parseOpenebsChartVersion((await run(deps, t, v.listOpenebsRelease())).stdout);

  /** Until every OpenEBS Deployment is Available: before it the cStor webhook refuses a pool. */
  const untilAvailable = (first: SshTarget, timeoutMs: number) => waitFor(deps, 'every OpenEBS Deployment Available', timeoutMs, async () => {
    const d = v.unavailableDeployments((await run(deps, first, v.listOpenebsDeployments())).stdout);
    if (d.total > 0 && d.unavailable.length === 0) return { done: true };
    return { seen: d.total === 0 ? 'no deployments in namespace openebs' : `not Available: ${d.unavailable.join(', ')}` };
  }, { target: first, command: (t) => kubectlWait(v.openebsDeploymentsAvailable, t) });

  return {
    /** Also waits for the release's Deployments, upgraded or not: the pool comes next and needs the webhook up. */
    async upgradeOpenebsRelease(first: SshTarget, timeoutMs: number): Promise<{ changed: boolean; detail?: string }> {
      const before = await chartVersion(first);
      if (!before) throw verifyFailed(`no openebs release in namespace openebs on ${first.node}: was \`microk8s enable openebs\` run?`);
      if (!v.versionBelow(before, v.OPENEBS_CHART_VERSION)) {
        await untilAvailable(first, timeoutMs);
        return { changed: false, detail: `openebs chart ${before}` };
      }
      const r = await run(deps, first, { ...v.upgradeOpenebs(Math.ceil(timeoutMs / 1000)), okCodes: [0, 1] }, { timeoutMs: timeoutMs + 60_000 });
      if (r.code !== 0) throw commandFailed(first, r);
      const after = await chartVersion(first);
      if (after !== v.OPENEBS_CHART_VERSION) throw verifyFailed(`helm upgrade reported success but the openebs chart is ${after ?? 'gone'} on ${first.node}`);
      await untilAvailable(first, timeoutMs);
      return { changed: true, detail: `openebs chart ${before} -> ${after}` };
    },

    /** Creates the probe claim, waits until its cStor volume is Bound, deletes it; a volume that never binds says why. */
    async probeCstorVolume(first: SshTarget, timeoutMs: number, storageClass?: string): Promise<{ changed: boolean; detail?: string }> {
      await run(deps, first, { ...applyManifest(), stdin: v.renderProbeClaim(storageClass) });
      let volume: string | undefined;
      try {
        await waitFor(deps, `${v.PROBE_PVC}'s cStor volume Bound`, timeoutMs, async () => {
          const claim = await run(deps, first, v.readProbeClaim());
          if (claim.code !== 0) return { seen: 'the claim is not there yet' };
          const c = v.parseClaim(claim.stdout);
          volume = c.volume;
          if (c.phase !== 'Bound' || !volume) return { seen: `claim ${c.phase || 'without a phase'}` };
          const cvc = await run(deps, first, v.readVolumeConfig(volume));
          const phase = cvc.code === 0 ? v.parsePhase(cvc.stdout) : 'not created';
          if (phase === 'Bound') return { done: true };
          const why = v.lastWarning((await run(deps, first, v.readVolumeEvents())).stdout, volume);
          return { seen: `cstorvolumeconfig ${volume} ${phase}${why ? `: ${why}` : ''}` };
        });
      } finally {
        await run(deps, first, v.deleteProbeClaim());
      }
      return { changed: true, detail: `${volume} bound, then deleted` };
    },
  };
}
