// upgrade steps: read the channel a node's microk8s tracks, drain a node (a drain a disruption budget keeps
// from finishing is an answer, not an error: the workflow asks a person), move the snap to the new channel
// (idempotent: a node already tracking it is left alone), and uncordon.
import { drainBlockedPods, drainNode, uncordonNode } from './commands/kubectl';
import { microk8sTracking, snapListMicrok8s, snapRefreshChannel } from './commands/snap';
import { verifyFailed } from './failures';
import type { StepResult } from './node-prep';
import { commandFailed, run, tail, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

export interface DrainResult {
  drained: boolean;
  /** `<ns>/<pod>` whose eviction a PodDisruptionBudget refused until the drain's timeout. */
  blocked: string[];
  /** The tail of kubectl's errors, for the question. */
  detail: string;
}

export function createUpgradeActivities(deps: ActivityDeps) {
  const tracking = async (t: SshTarget) => microk8sTracking((await run(deps, t, snapListMicrok8s())).stdout);

  return {
    /** `snap list microk8s`'s Tracking column: `1.32/stable`. */
    async microk8sChannel(t: SshTarget): Promise<string> {
      return tracking(t);
    },

    /** Drains `node` from `from` (another node's API: this one's restarts during the refresh). */
    async drainNode(from: SshTarget, node: string, timeoutSeconds: number, disableEviction: boolean): Promise<DrainResult> {
      const r = await run(deps, from, drainNode(node, timeoutSeconds, disableEviction), { timeoutMs: (timeoutSeconds + 120) * 1000 });
      if (r.code === 0) return { drained: true, blocked: [], detail: '' };
      const blocked = drainBlockedPods(r.stderr);
      if (blocked.length) return { drained: false, blocked, detail: tail(r.stderr, 1024) };
      throw commandFailed(from, r, `kubectl drain ${node} failed`);
    },

    async refreshMicrok8s(t: SshTarget, channel: string): Promise<StepResult> {
      if (await tracking(t) === channel) return { changed: false, detail: `already tracking ${channel}` };
      await run(deps, t, snapRefreshChannel(channel), { timeoutMs: 30 * 60_000 });
      const now = await tracking(t);
      if (now !== channel) throw verifyFailed(`on ${t.node}: snap refresh microk8s --channel=${channel} ended but the snap tracks ${now}`);
      return { changed: true };
    },

    async uncordonNode(from: SshTarget, node: string): Promise<StepResult> {
      await run(deps, from, uncordonNode(node));
      return { changed: true };
    },
  };
}
