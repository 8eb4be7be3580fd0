// The fault controls a test (or the chaos run) holds: command faults (transient, hang, disconnect,
// power loss), spontaneous reboots, and machine faults (no AVX, small disk, extra disks, impostor key).
import type { ChaosOptions, FaultController, FaultSpec } from './faults';
import { GiB, type DiskOptions, type SimNode } from './node-state';
import type { RebootTiming } from './runner';
import { ed25519KeyPair, type NodeServer } from './ssh-server';

/** What the fault controls need of the fleet (the Fleet passes itself); declared here so this file does not import fleet.ts. */
export interface FaultTarget {
  readonly faultController: FaultController;
  node(name: string): { name: string; state: SimNode; server: NodeServer };
  reboot(node: SimNode, why: string, timing?: RebootTiming): void;
}

export class FleetFaults {
  private readonly realKeys = new Map<string, string>();

  constructor(private readonly fleet: FaultTarget) {}

  /** Arms a command fault; returns its id. `node` in the spec limits it to one node. */
  add(spec: FaultSpec): number {
    return this.fleet.faultController.add(spec);
  }

  remove(id: number): void {
    this.fleet.faultController.remove(id);
  }

  /** Disarms command faults (of one node, or all, chaos included). */
  clear(node?: string): void {
    this.fleet.faultController.clear(node);
  }

  list(): ReturnType<FaultController['list']> {
    return this.fleet.faultController.list();
  }

  /** What fired so far: node, command, fault. */
  get fired(): FaultController['fired'] {
    return this.fleet.faultController.fired;
  }

  /** Random faults on a share of commands, drawn from a seeded stream (deterministic per seed). */
  chaos(opts: ChaosOptions | null, seed?: number): void {
    this.fleet.faultController.setChaos(opts, seed);
  }

  /** Power-cycles a node now, as if it rebooted by itself. */
  reboot(node: string, timing?: RebootTiming): void {
    this.fleet.reboot(this.fleet.node(node).state, 'injected', timing);
  }

  /** An impostor answers at the node's address: a different host key until switched back. */
  wrongHostKey(node: string, on = true): void {
    const n = this.fleet.node(node);
    if (on) {
      if (!this.realKeys.has(n.name)) this.realKeys.set(n.name, n.server.hostKey);
      n.server.setHostKey(ed25519KeyPair().private);
    } else {
      const real = this.realKeys.get(n.name);
      if (real) n.server.setHostKey(real);
      this.realKeys.delete(n.name);
    }
  }

  /**
   * `node` is a clone of `source` made after installation (the seed clones a configured system): the same
   * /etc/machine-id and the same SSH host key, as a disk copy leaves them.
   */
  cloneOf(node: string, source: string): void {
    const [n, src] = [this.fleet.node(node), this.fleet.node(source)];
    n.state.files.set('/etc/machine-id', { ...src.state.files.get('/etc/machine-id')! });
    if (!this.realKeys.has(n.name)) this.realKeys.set(n.name, n.server.hostKey);
    n.server.setHostKey(src.server.hostKey);
  }

  /** The CPU stops (or starts again) advertising AVX, as QEMU's kvm64 model does. */
  noAvx(node: string, on = true): void {
    this.fleet.node(node).state.avx = !on;
  }

  /** Extra raw disks: each becomes a BlockDevice once OpenEBS runs. */
  addDisks(node: string, disks: DiskOptions[]): void {
    const state = this.fleet.node(node).state;
    for (const d of disks) state.addDisk(d);
  }

  /** Shrinks the volume group so that only `freeGiB` is left (lvcreate then fails as lvm2 does). */
  smallDisk(node: string, freeGiB: number): void {
    const state = this.fleet.node(node).state;
    const used = state.lvs.reduce((n, lv) => n + lv.sizeBytes, 0);
    state.vg.sizeBytes = used + Math.max(0, Math.floor(freeGiB * GiB / (4 * 2 ** 20))) * 4 * 2 ** 20;
  }

  /**
   * MicroK8s stopped on the node (`microk8s stop`, or its services crashed): the API server on it refuses
   * connections, so its kubectl and helm exit 1 with `connection refused` until started again.
   */
  microk8sStopped(node: string, stopped = true): void {
    const m = this.fleet.node(node).state.microk8s;
    m.readyAt = stopped ? Infinity : Date.now();
  }

  /** Sets iscsid enabled+running or disabled+stopped, as if an operator changed it. */
  iscsid(node: string, enabled: boolean): void {
    const u = this.fleet.node(node).state.units.get('iscsid');
    if (u) { u.enabled = enabled ? 'enabled' : 'disabled'; u.active = enabled; }
  }
}
