// refreshCerts(input), workflow id refresh-certs/<site>: renews MicroK8s' server and front-proxy certificates
// one manager at a time. Before and after each node, every datastore voter must be there (read from another
// manager), so the cluster never has more than one voter restarting: with 3 voters it never drops below 2.
// The CA is not renewed here: microk8s then needs every worker to re-join (refresh_certs.py says so).
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CertRenewal, DoctorInput, RefreshCertsResult } from './api';
import { oneNodeAtATime } from './rolling';
import { siteNodes, siteTimeouts, targetOf } from './site-context';

/** Renew when fewer days are left than this: the doctor warns at 60. */
export const RENEW_BELOW_DAYS = 90;
const CERTS = ['server.crt', 'front-proxy-client.crt'] as const;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30m', heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s', maximumAttempts: 5, nonRetryableErrorTypes: ['WaitTimedOut', 'HostKeyMismatch'] },
});

export async function refreshCerts(input: DoctorInput): Promise<RefreshCertsResult> {
  const { spec } = input;
  const pins = new Map(Object.entries(input.hostKeys ?? {}));
  const managers = siteNodes(spec).filter((n) => n.role === 'manager');
  const voters = Math.min(3, managers.length);
  const timeout = siteTimeouts(spec).clusterReady;
  const target = (n: (typeof managers)[number]) => targetOf({ spec, pins }, n);
  const renewals: CertRenewal[] = [];
  await oneNodeAtATime({ nodes: managers, managers, target, timeoutMs: timeout, waitHealthy: acts.waitNodeHealthy }, async (node, _witness, gate) => {
    await gate();
    for (const cert of CERTS) {
      const r = await acts.renewCertificate(target(node), cert, RENEW_BELOW_DAYS);
      renewals.push({ node: node.name, cert, ...r });
    }
    await gate();
  });
  return { site: spec.site, renewals, voters };
}
