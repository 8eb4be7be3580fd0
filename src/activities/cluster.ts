// form-cluster steps: join nodes to the first manager one at a time, wait for HA, enable add-ons.
import { randomBytes } from 'node:crypto';
import { createClusterChecks, type JoinInput } from './checks/cluster';
import { kubectlWait } from './commands/kubectl';
import * as m from './commands/microk8s';
import { failure, FailureType, verifyFailed } from './failures';
import { commandFailed, run, waitFor, type ActivityDeps } from './run';
import type { StepResult } from './node-prep';
import type { SshTarget } from './ssh';

export type { JoinInput } from './checks/cluster';

export function createClusterActivities(deps: ActivityDeps) {
  const status = async (t: SshTarget) => m.parseStatus((await run(deps, t, m.status())).stdout);
  const nodes = async (t: SshTarget) => m.parseKubeNodes((await run(deps, t, m.getNodes())).stdout);

  // The "already done?" half of each step: the same functions plan runs alone.
  const checks = createClusterChecks(deps);
  const alreadyJoined = async (i: JoinInput) => (await checks.joined(i)).done;
  const tokenCount = async (t: SshTarget, token: string) => m.parseTokenCount(await run(deps, t, m.joinTokenCount(token)));
  /** A join that never reached the agent leaves its token valid (no expiry): remove it, then confirm it is gone. */
  const retireJoinToken = async (first: SshTarget, token: string) => {
    if (await tokenCount(first, token) === 0) return;
    await run(deps, first, m.revokeJoinToken(token));
    if (await tokenCount(first, token) !== 0) {
      throw verifyFailed(`a join token is still in ${m.CLUSTER_TOKENS_FILE} on ${first.node} after it was removed`);
    }
  };

  return {
    async waitMicroK8sReady(t: SshTarget, timeoutMs: number): Promise<StepResult> {
      const seconds = Math.max(30, Math.round(timeoutMs / 1000));
      const r = await run(deps, t, m.waitReady(seconds), { timeoutMs: timeoutMs + 30_000 });
      const s = m.parseStatus(r.stdout);
      if (r.code !== 0 || !(s.running || s.workerOnly)) throw commandFailed(t, r, 'microk8s is not running');
      return { changed: false };
    },

    /**
     * One join with a fresh single-use token, in no argv on either node: written into the first manager's token
     * file and handed to join on stdin. Whatever the join did, the token is unusable afterwards: the agent consumed
     * it, or it is removed here, and the file is read again to confirm.
     */
    async joinCluster(i: JoinInput): Promise<StepResult> {
      if (await alreadyJoined(i)) return { changed: false, detail: 'already a member' };
      // A fresh single-use token per attempt, written to the agent's token file from stdin (in no argv, `ps` or
      // sudo log), and the URL's check from the first manager's server.crt, as `microk8s add-node` makes both.
      const token = randomBytes(16).toString('hex');
      const check = m.parseServerCertCheck((await run(deps, i.first, m.serverCertCheck())).stdout);
      await run(deps, i.first, m.issueJoinToken(token));
      const url = m.joinUrl(i.first.host, token, check);
      try {
        const joined = await run(deps, i.joiner, { ...m.join(url, i.worker, [token]), okCodes: [0, 123] }, { timeoutMs: 10 * 60_000 });
        if (joined.code !== 0) {
          // xargs answers 123 for any failure of join (exit 1-125); the text says which.
          // A join that lost its answer can still have gone through: trust the membership check over the exit code.
          if (/already known to dqlite|already part of/.test(joined.stdout + joined.stderr) && await alreadyJoined(i)) return { changed: true };
          throw commandFailed(i.joiner, joined);
        }
        return { changed: true };
      } finally {
        await retireJoinToken(i.first, token);
      }
    },

    /** The gate between joins: the node is Ready and, for a manager, a datastore node on the first manager. */
    async waitNodeJoined(first: SshTarget, name: string, address: string, manager: boolean, timeoutMs: number): Promise<StepResult> {
      await waitFor(deps, `${name} Ready${manager ? ` and ${address}:19001 in the datastore` : ''}`, timeoutMs, async () => {
        const n = (await nodes(first)).find((x) => x.name === name);
        if (!n || n.status !== 'Ready') return { seen: n ? `${name} is ${n.status}` : `${name} not in kubectl get nodes` };
        if (!manager) return { done: true };
        const s = await status(first);
        const voters = [...s.datastoreMasters, ...s.datastoreStandbys];
        return voters.includes(`${address}:19001`) ? { done: true } : { seen: `datastore nodes: ${voters.join(' ') || 'none'}` };
      }, { target: first, command: (t) => kubectlWait({ resource: `node/${name}`, for: 'condition=Ready' }, t) });
      return { changed: false };
    },

    async waitHighAvailability(first: SshTarget, timeoutMs: number): Promise<StepResult> {
      await waitFor(deps, 'high-availability: yes', timeoutMs, async () => {
        const s = await status(first);
        return s.highAvailability ? { done: true } : { seen: `high-availability: no; datastore master nodes: ${s.datastoreMasters.join(' ') || 'none'}` };
      });
      return { changed: false };
    },

    /** `dns`, `ingress`, `metallb:<vip>/32`, `community`, `openebs`: enabled only when not already. */
    async enableAddon(first: SshTarget, addon: string): Promise<StepResult> {
      const name = addon.split(':')[0];
      const enabled = async () => (await checks.addon(first, addon)).done;
      if (await enabled()) return { changed: false };
      const r = await run(deps, first, m.enableAddon(addon), { timeoutMs: 15 * 60_000 });
      if (!(await enabled())) {
        // `microk8s enable openebs` exits 0 without installing when iscsid is off: verify, never trust rc alone.
        throw failure(FailureType.VerifyFailed,
          `microk8s enable ${addon} exited ${r.code} but ${name} is not enabled: ${(r.stdout + r.stderr).trim().split('\n').slice(0, 3).join(' / ')}`,
          { details: { node: first.node, step: 'enableAddon', command: r.command, exitCode: r.code, stderrTail: (r.stdout + r.stderr).slice(-2048) } });
      }
      return { changed: true };
    },
  };
}
