// Faults an installed cluster meets in the field (issue 20), each the cause of one doctor finding: a certificate
// near or past its end, a node powered off, a manager gone from the datastore, a cStor pool instance offline,
// a full root disk, a drifting clock. A test (or `sim`) holds one of these per fleet.
import type { Fleet } from './fleet';
import { killAll } from './runner';
import { certNotAfter } from './commands/health-reads';
import { evictPod } from './chart-sim';

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

  /** The kubelet evicts one of the chart's Deployment pods (`pod`, or the first one): it lingers as Failed/Evicted beside its replacement. */
  evictChartPod(node: string, pod?: string): { evicted: string; replacement: string } {
    const c = this.state(node).microk8s.cluster;
    if (!c) throw new Error(`${node} has no cluster`);
    const name = pod ?? c.store.list('Pod', 'default').map((p) => p.metadata.name).find((n) => /-[a-z0-9]{10}-[a-z0-9]{5}$/.test(n));
    if (!name) throw new Error('the chart runs no Deployment pod');
    return evictPod(c, name);
  }

  clockOffset(node: string, ms: number): void {
    this.state(node).health.clockOffsetMs = ms;
  }
}
