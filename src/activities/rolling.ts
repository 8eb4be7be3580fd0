// Nodes already in the cluster, upgraded and rebooted one at a time: kubectl drain before the reboot, then
// Ready, uncordon and the datastore voters back, all through another manager (`control`).
import * as m from './commands/microk8s';
import { commandFailed, run, waitFor, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

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

    /** Cordons and evicts the node's pods; returns the datastore voters as they are before it goes down. */
    async drainNode(control: SshTarget, name: string, timeoutMs: number): Promise<{ changed: boolean; voters: string[] }> {
      const voters = (await status(control)).datastoreMasters;
      await run(deps, control, m.drainNode(name, Math.ceil(timeoutMs / 1000)), { timeoutMs: timeoutMs + 60_000 });
      return { changed: true, voters };
    },

    async waitNodeReady(control: SshTarget, name: string, timeoutMs: number): Promise<{ changed: boolean }> {
      await waitFor(deps, `${name} Ready`, timeoutMs, async () => {
        const n = m.parseKubeNodes((await run(deps, control, m.getNodes())).stdout).find((x) => x.name === name);
        return n && n.status.split(',')[0] === 'Ready' ? { done: true } : { seen: n ? `${name} is ${n.status}` : `${name} not listed` };
      });
      return { changed: false };
    },

    async uncordonNode(control: SshTarget, name: string): Promise<{ changed: boolean }> {
      const r = await run(deps, control, m.uncordonNode(name));
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
