// upgrade steps: read the channel a node's microk8s tracks and move the snap to the new channel (idempotent: a
// node already tracking it is left alone). Drain and uncordon are rolling.ts's.
import { listSnap, microk8sTracking, snapRefreshChannel } from './commands/snap';
import { verifyFailed } from './failures';
import type { StepResult } from './node-prep';
import { run, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

export function createUpgradeActivities(deps: ActivityDeps) {
  const tracking = async (t: SshTarget) => microk8sTracking((await run(deps, t, listSnap())).stdout);

  return {
    /** `snap list microk8s`'s Tracking column: `1.32/stable`. */
    async microk8sChannel(t: SshTarget): Promise<string> {
      return tracking(t);
    },

    async refreshMicrok8s(t: SshTarget, channel: string): Promise<StepResult> {
      if (await tracking(t) === channel) return { changed: false, detail: `already tracking ${channel}` };
      await run(deps, t, snapRefreshChannel(channel), { timeoutMs: 30 * 60_000 });
      const now = await tracking(t);
      if (now !== channel) throw verifyFailed(`on ${t.node}: snap refresh microk8s --channel=${channel} ended but the snap tracks ${now}`);
      return { changed: true };
    },
  };
}
