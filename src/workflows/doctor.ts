// doctor(input), workflow id doctor/<site>/<time>: a read-only look at an installed site. Every node is read
// in parallel (a dead node is a finding, not an error), the cluster from the first manager that answers,
// then judged (doctor-checks.ts). The verdict goes to the KloudspotHealth search attribute, which `list` reads.
import { patched, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { HealthKey, SiteKey, CustomerKey } from '../temporal/search-attributes';
import type { DoctorInput, DoctorReport } from './api';
import { evaluate, verdictOf } from './doctor-checks';
import { siteNodes, targetOf } from './site-context';

// Reads only: a couple of quick retries, then the read's failure is the finding.
const reads = proxyActivities<Activities>({
  startToCloseTimeout: '5m', heartbeatTimeout: '30s', retry: { maximumAttempts: 2, initialInterval: '1s' },
});

export async function doctor(input: DoctorInput): Promise<DoctorReport> {
  const { spec } = input;
  upsertSearchAttributes([{ key: SiteKey, value: spec.site }, { key: CustomerKey, value: spec.customer }]);
  const pins = new Map(Object.entries(input.hostKeys ?? {}));
  const nodes = siteNodes(spec);
  const target = (n: (typeof nodes)[number]) => targetOf({ spec, pins }, n);
  const facts = await Promise.all(nodes.map((n) => reads.doctorNode(target(n), n.role === 'manager', spec.lvm.volumeGroup)));
  const first = nodes.find((n, i) => n.role === 'manager' && !facts[i].unreachable && facts[i].microk8sRunning);
  const cluster = first ? await reads.doctorCluster(target(first), spec.virtualIp) : undefined;
  // Runs from before the backup-age check replay without its activity.
  const backup = patched('doctor-backup-age') ? await reads.backupFacts(spec.site) : undefined;
  const now = Date.now();
  const checks = evaluate({
    nodes: nodes.map((n, i) => ({ name: n.name, role: n.role, pinnedHostKey: n.hostKey ?? pins.get(n.name), facts: facts[i] })),
    cluster, virtualIp: spec.virtualIp, tlsMode: spec.tls.mode, now, backup,
    // microk8s.refreshHold (forever by default, a duration, or off) arrives with the install's hold;
    // read loosely until this spec type has it: only `off` (or false) means no hold is expected.
    refreshHold: ![false, 'off'].includes((spec as { microk8s?: { refreshHold?: boolean | string } }).microk8s?.refreshHold ?? true),
  });
  const verdict = verdictOf(checks);
  upsertSearchAttributes([{ key: HealthKey, value: verdict }]);
  return { site: spec.site, verdict, checkedAt: new Date(now).toISOString(), checks };
}
