// The simulator's cluster model behind real nodes: one shadow SimNode per testbed node holds only what
// MicroK8s, OpenEBS and the chart would hold (snap state, cluster membership, block devices); the real node
// holds everything else. Commands are the simulator's own (src/sim/commands), run through its shell.
import { AuditLog } from '../sim/audit';
import type { Cluster } from '../sim/cluster-state';
import { FaultController } from '../sim/faults';
import { Latency, latencyModel } from '../sim/latency';
import { SimNode, type NodeOptions } from '../sim/node-state';
import { StringInput } from '../sim/process';
import { Rng } from '../sim/random';
import { runOnNode } from '../sim/runner';
import type { World } from '../sim/world';
import type { ModelFiles } from './model-files';

export interface ModelNode { name: string; address: string; interface: string; options?: NodeOptions }

export class ModelWorld implements World {
  readonly rng: Rng;
  readonly latency: Latency;
  readonly auditLog = new AuditLog();
  readonly faultController: FaultController;
  readonly clusters = new Set<Cluster>();
  readonly machines: SimNode[] = [];
  private clusterSeq = 0;
  /** The files the model shares with the real nodes (model-files.ts); absent in a model without real nodes. */
  files?: ModelFiles;

  constructor(nodes: ModelNode[], readonly virtualIp: string, readonly toolsUrl: string, readonly user: string,
    opts: { seed?: number; latency?: 'fast' | 'realistic' } = {}) {
    this.rng = new Rng(opts.seed ?? 1);
    this.latency = new Latency(latencyModel(opts.latency ?? 'fast'), this.rng.derive('latency'));
    this.faultController = new FaultController(this.rng.derive('faults'));
    const nodeRng = this.rng.derive('nodes');
    nodes.forEach((n, i) => this.machines.push(new SimNode(i, n.address, 24, { name: n.name, interface: n.interface, ...n.options }, nodeRng.derive(`node-${i}`))));
  }

  nextClusterId(): number {
    return ++this.clusterSeq;
  }

  nodeByAddress(ip: string): SimNode | undefined {
    return this.machines.find((n) => n.address === ip || n.addresses.some((a) => a.cidr.split('/')[0] === ip));
  }

  /** Real nodes reboot for real; the model only hears about MicroK8s, which never asks for a reboot. */
  reboot(node: SimNode, why: string): void {
    this.auditLog.finish(this.auditLog.begin(node.name, 'fault', `(reboot requested of the model: ${why}; ignored)`), 0);
  }

  runDetached(node: SimNode, command: string): Promise<number> {
    const ac = new AbortController();
    return runOnNode(this, node, command, { stdin: new StringInput(''), out: () => undefined, err: () => undefined, signal: ac.signal }, 'timer')
      .catch(() => -1);
  }
}
