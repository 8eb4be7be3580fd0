// Nodes already in the cluster, upgraded and rebooted one at a time: kubectl drain before the reboot, then
// Ready, uncordon and the datastore voters back, all through another manager (`control`). upgrade drains and
// uncordons with the same activities.
import { drainBlockedPods, drainNode, uncordonNode } from './commands/kubectl';
import * as m from './commands/microk8s';
import { commandFailed, run, tail, waitFor, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

export interface DrainOptions { disableEviction?: boolean; budgets?: 'ask' | 'fail' }
export interface DrainResult {
  changed: boolean;
  voters: string[];
  drained: boolean;
  /** `<ns>/<pod>` whose eviction a PodDisruptionBudget refused until the drain's timeout. */
  blocked: string[];
  /** The tail of kubectl's errors, for the question. */
  detail: string;
}

export function createRollingActivities(deps: ActivityDeps) {
  const status = async (t: SshTarget) => m.parseStatus((await run(deps, t, m.status())).stdout);

  return {
    /** The spec's nodes that `kubectl get nodes` already lists; none before MicroK8s is installed. */
    async clusterMembers(first: SshTarget, names: string[]): Promise<string[]> {
      // Bare nodes have no microk8s: under `sudo -n env` its absence is env's exit 127, so ask first.
      if ((await run(deps, first, m.microk8sInstalled())).code !== 0) return [];
      const r = await run(deps, first, m.getNodes());
      if (r.code !== 0) {
        throw commandFailed(first, r, 'cannot list the cluster\'s nodes');
      }
      const listed = new Set(m.parseKubeNodes(r.stdout).map((n) => n.name));
      return names.filter((n) => listed.has(n));
    },

    /**
     * Cordons and evicts the node's pods; returns the datastore voters as they are before it goes down. A drain a
     * PodDisruptionBudget keeps from finishing is an answer when `budgets` is `ask` (the caller asks a person:
     * upgrade), an error otherwise. `disableEviction` deletes the pods instead (a person's choice).
     */
    async drainNode(control: SshTarget, name: string, timeoutMs: number, o: DrainOptions = {}): Promise<DrainResult> {
      const voters = (await status(control)).datastoreMasters;
      const seconds = Math.ceil(timeoutMs / 1000);
      const r = await run(deps, control, drainNode(name, seconds, o.disableEviction), { timeoutMs: timeoutMs + 60_000 });
      if (r.code === 0) return { changed: true, voters, drained: true, blocked: [], detail: '' };
      const blocked = drainBlockedPods(r.stderr);
      if (blocked.length && o.budgets === 'ask') return { changed: true, voters, drained: false, blocked, detail: tail(r.stderr, 1024) };
      throw commandFailed(control, r, `kubectl drain ${name} failed`);
    },

    async waitNodeReady(control: SshTarget, name: string, timeoutMs: number): Promise<{ changed: boolean }> {
      await waitFor(deps, `${name} Ready`, timeoutMs, async () => {
        const n = m.parseKubeNodes((await run(deps, control, m.getNodes())).stdout).find((x) => x.name === name);
        return n && n.status.split(',')[0] === 'Ready' ? { done: true } : { seen: n ? `${name} is ${n.status}` : `${name} not listed` };
      });
      return { changed: false };
    },

    async uncordonNode(control: SshTarget, name: string): Promise<{ changed: boolean }> {
      const r = await run(deps, control, uncordonNode(name));
      return { changed: !/already uncordoned/.test(r.stdout) };
    },

    /** Every voter from before the reboot is a voter again (`datastore master nodes`). */
    async waitVoters(control: SshTarget, voters: string[], timeoutMs: number): Promise<{ changed: boolean }> {
      await waitFor(deps, `datastore voters ${voters.join(' ')}`, timeoutMs, async () => {
        const now = (await status(control)).datastoreMasters;
        const missing = voters.filter((v) => !now.includes(v));
        return missing.length === 0 ? { done: true } : { seen: `voters now: ${now.join(' ') || 'none'}` };
      });
      return { changed: false };
    },
  };
}
