// refresh-certs steps: renew one node's certificate when it is near its end (idempotent: a fresh one is left
// alone, so a retried or re-run step changes nothing), and the gate between nodes: the node Ready and every
// datastore voter present, read from another manager while this one's API restarts.
import { certificateEndDate, parseEndDate, MICROK8S_CERTS_DIR } from './commands/openssl';
import * as m from './commands/microk8s';
import { run, waitFor, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

const DAY = 86_400_000;
export type RenewableCert = 'server.crt' | 'front-proxy-client.crt';

export function createRefreshCertsActivities(deps: ActivityDeps) {
  const endDate = async (t: SshTarget, cert: string) => parseEndDate((await run(deps, t, certificateEndDate(`${MICROK8S_CERTS_DIR}/${cert}`))).stdout);

  return {
    /** Renews `cert` on the node unless it has more than `renewBelowDays` left; returns the end dates before and after. */
    async renewCertificate(t: SshTarget, cert: RenewableCert, renewBelowDays: number): Promise<{ before: string; after: string; changed: boolean }> {
      const before = await endDate(t, cert);
      if (before - Date.now() > renewBelowDays * DAY) return { before: new Date(before).toISOString(), after: new Date(before).toISOString(), changed: false };
      await run(deps, t, m.refreshCertificate(cert), { timeoutMs: 5 * 60_000 });
      const after = await endDate(t, cert);
      return { before: new Date(before).toISOString(), after: new Date(after).toISOString(), changed: true };
    },

    /**
     * Waits, from `from`, until `name` is Ready and the datastore lists `voters` voters, including `address` unless
     * `member` is false (a worker). A cordoned node (`Ready,SchedulingDisabled`) is Ready.
     */
    async waitNodeHealthy(from: SshTarget, name: string, address: string, voters: number, timeoutMs: number, member = true): Promise<string> {
      return waitFor<string>(deps, `${name} Ready and ${voters} datastore voters${member ? ` including ${address}:19001` : ''}`, timeoutMs, async () => {
        const n = m.parseKubeNodes((await run(deps, from, m.getNodes())).stdout).find((x) => x.name === name);
        if (!n || !m.isReady(n)) return { seen: n ? `${name} is ${n.status}` : `${name} not in kubectl get nodes` };
        const s = m.parseStatus((await run(deps, from, m.status())).stdout);
        const ok = s.datastoreMasters.length >= voters && (!member || s.datastoreMasters.includes(`${address}:19001`));
        return ok ? { done: s.datastoreMasters.join(' ') as string } : { seen: `datastore master nodes: ${s.datastoreMasters.join(' ') || 'none'}` };
      });
    },
  };
}
