// What command handlers may reach beyond their own node: the fleet's shared pieces. The Fleet
// implements this; keeping it an interface lets commands, clusters and faults stay free of SSH.
import type { AuditLog } from './audit';
import type { Cluster } from './cluster-state';
import type { FaultController } from './faults';
import type { Latency } from './latency';
import type { SimNode } from './node-state';
import type { Rng } from './random';

export interface World {
  readonly rng: Rng;
  readonly latency: Latency;
  readonly auditLog: AuditLog;
  readonly faultController: FaultController;
  readonly clusters: Set<Cluster>;
  /** Every machine of the fleet. */
  readonly machines: readonly SimNode[];
  /** The MetalLB address of the site (answers ping once MetalLB announces it). */
  readonly virtualIp: string;
  /** The only URL the simulated registry serves (the spec's kloudspot.toolsUrl). */
  readonly toolsUrl: string;
  /** The SSH login user. */
  readonly user: string;
  /** sudo asks for this password (`sim --sudo-password`); undefined: passwordless sudo. */
  readonly sudoPassword?: string;
  /** The nodes reach the internet only through this HTTP proxy (`sim --proxy`): apt, curl and snapd fail without it. */
  readonly proxy?: string;
  nextClusterId(): number;
  nodeByAddress(ip: string): SimNode | undefined;
  /** Power-cycles a node: connections drop, the port refuses, then logins fail, then it is back. */
  reboot(node: SimNode, why: string): void;
  /** Runs shell text on a node later, as a systemd timer would (audited with source `timer`). */
  runDetached(node: SimNode, command: string): Promise<number>;
}
