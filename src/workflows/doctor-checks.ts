// The doctor's judgement: facts read from the nodes in, checks out (ok, warn or fail, the measured value, what
// to do). Pure, so the workflow runs it and the unit tests feed it facts directly. Thresholds are named here.
import type { ClusterFacts, NodeFacts } from '../activities/doctor';
import type { BackupFacts } from '../activities/doctor-schedule';
import type { HealthCheck, HealthLevel } from './api';

const DAY = 86_400_000;
const GiB = 2 ** 30;
export const THRESHOLDS = {
  /** Issue 20: warn 60 days before a certificate expires, fail at 14 (refresh-certs needs a window). */
  certWarnDays: 60, certFailDays: 14,
  /** Root filesystem: kubelet starts evicting pods at 10% free (imagefs.available); warn well before. */
  rootWarnPercent: 20, rootFailPercent: 10,
  /** Room left in the volume group for snapshots and growing `shared`. */
  vgWarnBytes: 5 * GiB,
  /** dqlite's directory: a few hundred MB is normal; GBs mean snapshots are not being trimmed. */
  datastoreWarnBytes: 2 * GiB, datastoreFailBytes: 8 * GiB,
  /** Between nodes: TLS and raft tolerate a little; seconds break token and certificate checks. */
  clockWarnMs: 1000, clockFailMs: 10_000,
  /** A refresh hold with an end: warn when it runs out within this many days (snapd then refreshes on its timer). */
  holdWarnDays: 14,
  /** A scheduled backup is late once its newest is this many intervals old (one missed run, with slack). */
  backupLateIntervals: 1.5,
};

export interface DoctorFacts {
  nodes: { name: string; role: 'manager' | 'worker'; pinnedHostKey?: string; facts: NodeFacts }[];
  cluster?: ClusterFacts;
  virtualIp: string;
  /** spec tls.mode: with `self-signed` no ingress Secret is expected. */
  tlsMode: 'upload' | 'self-signed';
  /** spec microk8s.refreshHold (default on): the install holds snap refreshes, so the doctor expects it. */
  refreshHold: boolean;
  /** The site's backup Schedule and newest backup (null: no Schedule; undefined: not read, runs from before). */
  backup?: BackupFacts | null;
  now: number;
}

const gib = (b: number) => `${(b / GiB).toFixed(1)} GiB`;

function certCheck(node: string, certs: Record<string, number | string>, now: number): HealthCheck {
  const parts: string[] = [];
  let level: HealthLevel = 'ok';
  let soonest: { file: string; days: number } | undefined;
  for (const [file, v] of Object.entries(certs)) {
    if (typeof v === 'string') { level = 'fail'; parts.push(`${file}: ${v}`); continue; }
    const days = Math.floor((v - now) / DAY);
    parts.push(`${file} ${days < 0 ? `expired ${-days} days ago` : `expires in ${days} days`} (${new Date(v).toISOString().slice(0, 10)})`);
    if (!soonest || days < soonest.days) soonest = { file, days };
  }
  if (soonest && soonest.days < THRESHOLDS.certFailDays) level = 'fail';
  else if (soonest && soonest.days < THRESHOLDS.certWarnDays && level === 'ok') level = 'warn';
  return {
    check: 'certificates', node, level, value: parts.join('; '),
    action: level === 'ok' ? undefined : `renew them: kloudspot-installer refresh-certs <site> (node by node, keeps quorum)`,
  };
}

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function refreshHoldCheck(node: string, hold: NodeFacts['refreshHold'], now: number): HealthCheck {
  const check = 'refresh-hold';
  const action = 'hold snap refreshes on the node: sudo snap refresh --hold (a refresh restarts MicroK8s on its own schedule, node after node)';
  if (typeof hold === 'string' || !hold) return { check, node, level: 'warn', value: hold ?? 'not read', action };
  if (hold.all.kind === 'forever') return { check, node, level: 'ok', value: 'auto-refresh held forever' };
  if (hold.all.kind === 'until') {
    const days = Math.floor((hold.all.at - now) / DAY);
    const short = days < THRESHOLDS.holdWarnDays && !hold.microk8sHeld;
    return { check, node, level: short ? 'warn' : 'ok', value: `auto-refresh held until ${dateOf(hold.all.at)} (${days} days)`, action: short ? action : undefined };
  }
  if (hold.microk8sHeld) return { check, node, level: 'ok', value: 'microk8s held (snap list: held)' };
  return { check, node, level: 'warn', value: 'no refresh hold: snap refresh --time shows no hold line, snap list does not show microk8s held', action };
}

function nodeChecks(n: DoctorFacts['nodes'][number], now: number, expectHold: boolean): HealthCheck[] {
  const f = n.facts;
  if (f.unreachable) {
    return [{ check: 'ssh', node: n.name, level: 'fail', value: f.unreachable,
      action: 'check the machine is powered on and on the network; its other checks are skipped until it answers' }];
  }
  const out: HealthCheck[] = [];
  const keyOk = !n.pinnedHostKey || n.pinnedHostKey === f.hostKey;
  out.push({ check: 'ssh', node: n.name, level: keyOk ? 'ok' : 'fail',
    value: keyOk ? `reachable, host key ${f.hostKey}${n.pinnedHostKey ? ' (pinned)' : ''}` : `host key ${f.hostKey}, pinned ${n.pinnedHostKey}`,
    action: keyOk ? undefined : 'another machine answers at this address, or the node was reinstalled: verify, then update nodes[].hostKey' });
  if (n.role === 'manager') {
    out.push({ check: 'microk8s', node: n.name, level: f.microk8sRunning ? 'ok' : 'fail',
      value: f.microk8sRunning ? 'microk8s is running' : 'microk8s is not running',
      action: f.microk8sRunning ? undefined : 'on the node: sudo microk8s start; then sudo microk8s inspect' });
    if (f.certificates) out.push(certCheck(n.name, f.certificates, now));
    if (f.datastoreBytes !== undefined) {
      const level: HealthLevel = f.datastoreBytes >= THRESHOLDS.datastoreFailBytes ? 'fail' : f.datastoreBytes >= THRESHOLDS.datastoreWarnBytes ? 'warn' : 'ok';
      out.push({ check: 'datastore-size', node: n.name, level, value: gib(f.datastoreBytes),
        action: level === 'ok' ? undefined : 'the dqlite directory grows: check snapshots in /var/snap/microk8s/current/var/kubernetes/backend' });
    }
  }
  if (f.root) {
    const pct = Math.round((f.root.availBytes / f.root.sizeBytes) * 1000) / 10;
    const level: HealthLevel = pct < THRESHOLDS.rootFailPercent ? 'fail' : pct < THRESHOLDS.rootWarnPercent ? 'warn' : 'ok';
    out.push({ check: 'disk-root', node: n.name, level, value: `${gib(f.root.availBytes)} free of ${gib(f.root.sizeBytes)} (${pct}%)`,
      action: level === 'ok' ? undefined : 'free space on / (journal, container images: sudo microk8s ctr images prune) or grow the root LV' });
  }
  if (f.volumeGroup) {
    const level: HealthLevel = f.volumeGroup.freeBytes < THRESHOLDS.vgWarnBytes ? 'warn' : 'ok';
    out.push({ check: 'disk-vg', node: n.name, level, value: `${f.volumeGroup.name}: ${gib(f.volumeGroup.freeBytes)} free of ${gib(f.volumeGroup.sizeBytes)}`,
      action: level === 'ok' ? undefined : 'add a disk to the volume group (vgextend) before growing volumes' });
  }
  if (expectHold) out.push(refreshHoldCheck(n.name, f.refreshHold, now));
  return out;
}

function clockCheck(nodes: DoctorFacts['nodes']): HealthCheck | undefined {
  const offsets = nodes.filter((n) => n.facts.clockOffsetMs !== undefined).map((n) => ({ name: n.name, ms: n.facts.clockOffsetMs! }));
  if (offsets.length < 2) return undefined;
  const lo = offsets.reduce((a, b) => (b.ms < a.ms ? b : a));
  const hi = offsets.reduce((a, b) => (b.ms > a.ms ? b : a));
  const skew = hi.ms - lo.ms;
  const level: HealthLevel = skew > THRESHOLDS.clockFailMs ? 'fail' : skew > THRESHOLDS.clockWarnMs ? 'warn' : 'ok';
  return { check: 'clock-skew', level, value: `${(skew / 1000).toFixed(3)} s between ${hi.name} and ${lo.name}`,
    action: level === 'ok' ? undefined : 'enable time sync on every node: timedatectl set-ntp true (systemd-timesyncd or chrony)' };
}

function clusterChecks(d: DoctorFacts): HealthCheck[] {
  const c = d.cluster;
  if (!c) return [{ check: 'cluster', level: 'fail', value: 'no manager answered', action: 'bring at least one manager back; every cluster check needs one' }];
  const out: HealthCheck[] = [];
  const err = (name: string) => c.errors[name] ?? 'not read';
  if (c.kubeNodes) {
    const bad = d.nodes.map((n) => ({ n: n.name, k: c.kubeNodes!.find((k) => k.name === n.name) })).filter((x) => x.k?.status !== 'Ready');
    out.push({ check: 'nodes-ready', level: bad.length ? 'fail' : 'ok',
      value: bad.length ? bad.map((x) => `${x.n} ${x.k ? x.k.status : 'missing'}`).join(', ') : `${d.nodes.length} of ${d.nodes.length} Ready`,
      action: bad.length ? 'look at the node: kubectl describe node <name>; sudo microk8s inspect on it' : undefined });
  } else out.push({ check: 'nodes-ready', level: 'fail', value: err('nodes'), action: 'the API server does not answer on ' + c.from });
  const managers = d.nodes.filter((n) => n.role === 'manager');
  const expected = Math.min(3, managers.length);
  if (c.datastoreVoters) {
    const views = managers.filter((n) => n.facts.datastoreVoters).map((n) => ({ n: n.name, v: [...n.facts.datastoreVoters!].sort().join(' ') }));
    const differ = new Set(views.map((v) => v.v)).size > 1;
    const short = c.datastoreVoters.length < expected;
    out.push({ check: 'voters', level: short || differ ? 'fail' : 'ok',
      value: differ ? `managers disagree: ${views.map((v) => `${v.n}: ${v.v}`).join('; ')}`
        : `${c.datastoreVoters.length} of ${expected} voters: ${c.datastoreVoters.join(' ') || 'none'}`,
      action: short || differ ? 'a manager left the datastore: check it with microk8s status; one more loss loses quorum' : undefined });
  } else out.push({ check: 'voters', level: 'fail', value: err('voters'), action: 'microk8s status does not answer on ' + c.from });
  out.push({ check: 'virtual-ip', level: c.virtualIpAnswers ? 'ok' : 'fail',
    value: c.virtualIpAnswers === undefined ? err('vip') : `${d.virtualIp} ${c.virtualIpAnswers ? 'answers' : 'does not answer'}`,
    action: c.virtualIpAnswers ? undefined : 'check MetalLB: microk8s kubectl -n metallb-system get pods' });
  if (c.pools) {
    const bad = c.pools.filter((p) => p.phase !== 'ONLINE');
    out.push({ check: 'pools', level: bad.length || !c.pools.length ? 'fail' : 'ok',
      value: !c.pools.length ? 'no cStor pool instances' : bad.length ? bad.map((p) => `${p.name} on ${p.node}: ${p.phase || 'no phase'}`).join(', ') : `${c.pools.length} pool instances ONLINE`,
      action: bad.length || !c.pools.length ? 'kubectl -n openebs describe cspi <name>; check the block device and iscsid on that node' : undefined });
  } else out.push({ check: 'pools', level: 'fail', value: err('pools') });
  out.push(replicaCheck(c), ingressCheck(d));
  if (c.pods) {
    const bad = c.pods.filter((p) => !p.ready && p.phase !== 'Succeeded');
    out.push({ check: 'pods', level: bad.length ? 'fail' : 'ok',
      value: bad.length ? `${bad.length} not Ready: ${bad.slice(0, 5).map((p) => `${p.name} (${p.phase})`).join(', ')}` : `${c.pods.length} pods Ready`,
      action: bad.length ? 'kubectl describe pod <name>; kloudspot status' : undefined });
  } else out.push({ check: 'pods', level: 'fail', value: err('pods') });
  return out;
}

function replicaCheck(c: ClusterFacts): HealthCheck {
  const check = 'volume-replicas';
  if (!c.volumes || !c.replicas) return { check, level: 'fail', value: c.errors.volumes ?? c.errors.replicas ?? 'not read' };
  const bad = [...c.volumes.filter((v) => v.phase !== 'Healthy').map((v) => `volume ${v.name} ${v.phase || 'no phase'}`),
    ...c.replicas.filter((r) => r.phase !== 'Healthy').map((r) => `replica ${r.name} on ${r.node}: ${r.phase || 'no phase'}`)];
  return { check, level: bad.length ? 'fail' : 'ok',
    value: bad.length ? bad.slice(0, 6).join(', ') : `${c.volumes.length} volumes Healthy, ${c.replicas.length} replicas Healthy`,
    action: bad.length ? 'kubectl -n openebs describe cvr <name>; a replica on a pool that is back rebuilds by itself; one that stays Offline needs its pool' : undefined };
}

function ingressCheck(d: DoctorFacts): HealthCheck {
  const check = 'ingress-certificate';
  const cert = d.cluster!.ingressCertificate;
  if (cert === undefined) return { check, level: 'fail', value: d.cluster!.errors.ingress ?? 'not read' };
  if (cert === null) {
    const expected = d.tlsMode === 'upload';
    return { check, level: expected ? 'fail' : 'ok', value: expected ? 'no TLS Secret kloudspot-tls (tls.mode upload)' : 'no TLS Secret: the ingress serves its self-signed default (tls.mode self-signed)',
      action: expected ? 'upload the certificate: kloudspot-installer upload-cert <site> --cert F --key F' : undefined };
  }
  const days = Math.floor((cert.notAfter - d.now) / DAY);
  const level: HealthLevel = days < THRESHOLDS.certFailDays ? 'fail' : days < THRESHOLDS.certWarnDays ? 'warn' : 'ok';
  return { check, level, value: `${cert.subject} ${days < 0 ? `expired ${-days} days ago` : `expires in ${days} days`} (${dateOf(cert.notAfter)})`,
    action: level === 'ok' ? undefined : 'get a new certificate for the site\'s dnsHostname and upload it (kloudspot-installer upload-cert)' };
}

const hours = (ms: number) => `${Math.round(ms / 3_600_000 * 10) / 10}h`;

/** With a backup Schedule, the newest backup is at most backupLateIntervals intervals old. No Schedule, no check. */
export function backupAgeCheck(b: BackupFacts, now: number): HealthCheck {
  const check = 'backup-age';
  const action = 'take one now (kloudspot-installer backup <site>) and see why the Schedule backup/<site> did not: its recent runs in the Web UI';
  if (!b.newest) return { check, level: 'warn', value: `a backup every ${hours(b.everyMs)} is scheduled, but there is none`, action };
  const age = now - Date.parse(b.newest.takenAt);
  const value = `newest ${b.newest.takenAt} (${hours(age)} old; a backup every ${hours(b.everyMs)})`;
  return age > b.everyMs * THRESHOLDS.backupLateIntervals ? { check, level: 'warn', value, action } : { check, level: 'ok', value };
}

export function evaluate(d: DoctorFacts): HealthCheck[] {
  const checks = d.nodes.flatMap((n) => nodeChecks(n, d.now, d.refreshHold));
  const clock = clockCheck(d.nodes);
  if (clock) checks.push(clock);
  if (d.backup) checks.push(backupAgeCheck(d.backup, d.now));
  return [...checks, ...clusterChecks(d)];
}

export function verdictOf(checks: HealthCheck[]): HealthLevel {
  return checks.some((c) => c.level === 'fail') ? 'fail' : checks.some((c) => c.level === 'warn') ? 'warn' : 'ok';
}
