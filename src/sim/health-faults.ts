// Faults an installed cluster meets in the field (issue 20), each the cause of one doctor finding: a certificate
// near or past its end, a node powered off, a manager gone from the datastore, a cStor pool instance offline,
// a full root disk, a drifting clock, a replica offline, an ingress certificate near its end, no refresh hold,
// a grown datastore, a full volume group, the virtual IP silent, a pod not Ready, another host key, MicroK8s stopped.
// A test (or `sim`) holds one of these per fleet.
import type { Fleet } from './fleet';
import { killAll } from './runner';
import { certNotAfter } from './commands/health-reads';
import { setReplicaPhase } from './volume-sim';
import { podNeverReady } from './chart-sim';
import { makeCertificate } from '../client/certs';

const DAY = 86_400_000;

export class HealthFaults {
  constructor(private readonly fleet: Fleet) {}

  private state(node: string) {
    return this.fleet.node(node).state;
  }

  /** The certificate `file` (ca.crt, server.crt, front-proxy-client.crt) ends `days` from now (negative: expired). */
  certificateEndsIn(node: string, file: string, days: number): void {
    const n = this.state(node);
    certNotAfter(n, file);
    n.health.certNotAfter.set(file, Math.floor((Date.now() + days * DAY) / 1000) * 1000);
  }

  /** The machine loses power: sshd's port closes, its kubelet stops reporting. */
  async powerOff(node: string): Promise<void> {
    const fn = this.fleet.node(node);
    fn.state.phase = 'down';
    killAll(fn.state);
    fn.server.dropAll('KILL');
    await fn.server.close();
  }

  /** Power comes back: sshd listens, MicroK8s and the kubelet are up again at once. */
  async powerOn(node: string): Promise<void> {
    const fn = this.fleet.node(node);
    fn.state.bootId = this.fleet.rng.uuid();
    fn.state.bootedAt = Date.now();
    fn.state.microk8s.readyAt = Date.now();
    fn.state.microk8s.cluster?.registerKubelet(fn.state, 0);
    await fn.server.listen();
    fn.state.phase = 'up';
  }

  /** A voter leaves dqlite (its database lost, or removed by hand) while MicroK8s still runs on it. */
  loseVoter(node: string): void {
    const m = this.state(node).microk8s.cluster?.members.get(node);
    if (!m || m.role !== 'voter') throw new Error(`${node} is not a datastore voter`);
    m.role = 'spare';
  }

  /** The node's cStor pool instance goes OFFLINE (its disk gone, zpool faulted). */
  poolOffline(node: string, phase = 'OFFLINE'): void {
    const c = this.state(node).microk8s.cluster;
    const cspi = c?.store.list('CStorPoolInstance', 'openebs').find((i) => (i.spec as { hostName?: string }).hostName === node);
    if (!cspi) throw new Error(`${node} has no cStor pool instance`);
    cspi.status = { ...(cspi.status as Record<string, unknown>), phase };
  }

  /** Fills / until only `percentFree` of it is left. */
  fillRoot(node: string, percentFree: number): void {
    const n = this.state(node);
    const root = n.lvs.find((lv) => lv.mount === '/');
    const size = Math.floor((root?.sizeBytes ?? 0) * 0.93);
    n.health.rootFilledBytes = 0;
    n.health.rootFilledBytes = Math.max(0, size - 7_512_342_528 - Math.floor(size * percentFree / 100));
  }

  clockOffset(node: string, ms: number): void {
    this.state(node).health.clockOffsetMs = ms;
  }

  /** The node's cStor volume replicas take `phase` (Offline: the pool's disk is gone; Healthy: back). */
  replicaPhase(node: string, phase = 'Offline'): void {
    const c = this.state(node).microk8s.cluster;
    if (!c || setReplicaPhase(c, node, phase).length === 0) throw new Error(`${node} holds no cStor volume replica`);
  }

  /** The ingress TLS Secret (kloudspot-tls) holds a certificate for `host` that ends `days` from now (at least 1). */
  ingressCertificateEndsIn(node: string, host: string, days: number): void {
    const c = this.state(node).microk8s.cluster!;
    const { certificatePem: certPem, privateKeyPem: keyPem } = makeCertificate(host, { days });
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    c.store.put({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'kloudspot-tls', namespace: 'default' },
      data: { 'tls.crt': b64(certPem), 'tls.key': b64(keyPem) } });
  }

  /** snapd's system-wide refresh hold: forever (`snap refresh --hold`), or none (`--unhold`). */
  refreshHold(node: string, held: boolean): void {
    this.state(node).snapHolds.all = held ? Infinity : 0;
  }

  /** dqlite's directory grows to `bytes` (snapshots not trimmed). */
  datastoreBytes(node: string, bytes: number): void {
    this.state(node).health.datastoreBytes = bytes;
  }

  /** MetalLB stops answering for the virtual IP (its address pool gone); `on` puts it back. */
  virtualIpSilent(node: string, silent = true): void {
    const c = this.state(node).microk8s.cluster!;
    if (silent) { this.savedRanges = c.metallbRanges; c.metallbRanges = []; } else c.metallbRanges = this.savedRanges ?? c.metallbRanges;
  }
  private savedRanges?: string[];

  /** One of the chart's pods (name prefix) stops being Ready (its container crash-loops); `false` brings it back. */
  podNotReady(node: string, prefix: string, broken = true): void {
    podNeverReady(this.state(node).microk8s.cluster!, prefix, broken);
  }

  /** MicroK8s' services stop on the node (`microk8s stop`, or a crash), its kubelet with them; `false` starts them. */
  microk8sStopped(node: string, stopped = true): void {
    const n = this.state(node);
    n.microk8s.readyAt = stopped ? Infinity : Date.now();
    n.microk8s.cluster?.registerKubelet(n, stopped ? Infinity : 0);
  }
}
