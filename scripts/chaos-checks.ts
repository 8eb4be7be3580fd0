// After the chaos: is every site installed as a clean install leaves it, and did any change happen twice?
// Reads the simulated machines and their audit logs directly (the ground truth, not what the installer says).
import yaml from 'js-yaml';
import type { Fleet } from '../src/sim';
import type { AuditEntry } from '../src/sim';
import { CSPC_NAME } from '../src/activities/commands/openebs';
import { TLS_KEY_FILE, VALUES_FILE, TLS_SECRET } from '../src/activities/commands/chart';
import { NETPLAN_FILE } from '../src/activities/commands/netplan';

export interface Duplicate { site: string; node: string; effect: string; count: number }

/** `[boot N]` is when, not what: a reboot or timer requested in two different boots is still asked twice. */
export const normalizeEffect = (e: string): string => e.replace(/ \[boot \d+\]/g, '');

/**
 * Every change that happened more than once on the same node. The sim's own `duplicateEffects()` compares
 * exact keys; this also counts the same change made in two different boots (a second reboot request).
 */
export function duplicatedEffects(site: string, fleet: Fleet): Duplicate[] {
  const counts = new Map<string, Duplicate>();
  for (const r of fleet.effectKeys()) {
    const effect = normalizeEffect(r.effect);
    const key = `${r.node}\0${effect}`;
    const d = counts.get(key) ?? { site, node: r.node, effect, count: 0 };
    d.count++;
    counts.set(key, d);
  }
  const strict = fleet.duplicateEffects();
  const all = [...counts.values()].filter((d) => d.count > 1);
  // The sim's check is the reference: anything it finds must be in ours.
  for (const s of strict) if (!all.some((d) => d.node === s.node && d.effect === normalizeEffect(s.effect))) all.push({ site, ...s });
  return all;
}

/** How commands fared: interrupted ones, and state-changing commands that ran again afterwards. */
export function commandStats(fleet: Fleet): { commands: number; interrupted: number; reranAfterInterruption: number; noOpRepeats: number } {
  const entries = fleet.audit().filter((e) => e.source === 'ssh');
  const interrupted = entries.filter((e) => e.end !== null && e.exitCode === null);
  const byText = new Map<string, AuditEntry[]>();
  for (const e of entries) byText.set(`${e.node}\0${e.command}`, [...(byText.get(`${e.node}\0${e.command}`) ?? []), e]);
  let rerun = 0;
  let noOp = 0;
  for (const list of byText.values()) {
    if (!list.some((e) => e.effect !== null)) continue; // read-only commands repeat by design (polls)
    list.forEach((e, i) => {
      if (i === 0) return;
      if (list.slice(0, i).some((p) => p.exitCode === null)) rerun++;
      if (e.effect === null) noOp++;
    });
  }
  return { commands: entries.length, interrupted: interrupted.length, reranAfterInterruption: rerun, noOpRepeats: noOp };
}

/** What a clean install leaves on the machines; every difference is a problem. */
export function finalStateProblems(fleet: Fleet, chosen: Map<string, string>, certificateUploaded: boolean): string[] {
  const problems: string[] = [];
  const spec = fleet.spec;
  const first = fleet.node(spec.nodes[0].name).state;
  const cluster = first.microk8s.cluster;
  for (const n of spec.nodes) {
    const s = fleet.node(n.name).state;
    const p = (what: string) => problems.push(`${n.name}: ${what}`);
    if (s.phase !== 'up') p(`is ${s.phase}`);
    if (s.hostname !== n.name) p(`hostname is ${s.hostname}`);
    const hosts = s.files.get('/etc/hosts')?.content ?? '';
    for (const o of spec.nodes) if (!hosts.includes(`${o.address} ${o.name}\n`)) p(`/etc/hosts lacks ${o.address} ${o.name}`);
    if (!s.files.has(NETPLAN_FILE)) p(`${NETPLAN_FILE} missing`);
    if (!s.addresses.some((a) => a.cidr === `${n.address}/${spec.network.prefixLength}` && !a.dynamic)) p(`static address not applied (${JSON.stringify(s.addresses)})`);
    if (!s.lvs.some((lv) => lv.name === 'shared')) p(`${spec.lvm.volumeGroup}/shared missing`);
    if (!s.kloudspotTools) p('kloudspot tools not installed');
    if (s.files.has('/var/run/reboot-required')) p('still asks for a reboot');
    if (s.dpkgInterrupted) p('dpkg left interrupted');
    if (s.pending.length > 0) p(`${s.pending.length} upgrades still pending`);
    if (s.units.get('iscsid')?.enabled !== 'enabled' || !s.units.get('iscsid')?.active) p('iscsid not enabled and running');
    if (!cluster || s.microk8s.cluster !== cluster) p('not in the first manager\'s cluster');
  }
  if (!cluster) return problems;
  const release = cluster.releases.get('kloudspot');
  if (!release || release.status !== 'deployed') problems.push(`release kloudspot ${release ? release.status : 'missing'}`);
  else if (release.revision !== 1) problems.push(`release kloudspot at revision ${release.revision} (installed more than once)`);
  const values = first.files.get(VALUES_FILE)?.content ?? '';
  if (!values) problems.push(`${VALUES_FILE} missing`);
  if (first.files.has(TLS_KEY_FILE)) problems.push(`the TLS private key was left on ${first.name} (${TLS_KEY_FILE})`);
  if (certificateUploaded) {
    if (!cluster.store.get('Secret', 'default', TLS_SECRET)) problems.push(`secret ${TLS_SECRET} missing although a certificate was uploaded`);
    // The values file quotes every scalar: read it as YAML, as helm does.
    const ingress = (yaml.load(values) as { ingress?: { tlsSecret?: unknown } } | undefined)?.ingress;
    if (ingress?.tlsSecret !== TLS_SECRET) problems.push('the values file does not use the uploaded certificate (a late "self-signed" won?)');
  }
  const cspc = cluster.store.get('CStorPoolCluster', 'openebs', CSPC_NAME);
  type Pool = { nodeSelector?: Record<string, string>; dataRaidGroups?: { blockDevices?: { blockDeviceName?: string }[] }[] };
  const pools = ((cspc?.spec as { pools?: Pool[] } | undefined)?.pools) ?? [];
  if (!cspc) problems.push(`CStorPoolCluster ${CSPC_NAME} missing`);
  for (const [node, device] of chosen) {
    const pool = pools.find((x) => x.nodeSelector?.['kubernetes.io/hostname'] === node);
    const used = pool?.dataRaidGroups?.[0]?.blockDevices?.[0]?.blockDeviceName;
    if (used !== device) problems.push(`${node}: the pool uses ${used ?? 'nothing'}, not ${device} answered first (a late answer won?)`);
  }
  return problems;
}
