// Simulated nodes for tests, the demo and the chaos run: real SSH servers on loopback addresses that
// answer the installer's commands as Ubuntu 22.04 + MicroK8s 1.32 + OpenEBS 3.3 would (docs/commands.md).
//
//   const fleet = await startFleet({ nodes: 3 });
//   fleet.spec            // a valid site spec pointing at the nodes
//   fleet.faults.add({ kind: 'transient', match: 'dist-upgrade', error: 'dpkg-lock', times: 2 })
//   fleet.effects()       // what changed, per node, to assert exactly-once
//   await fleet.stop()
export { startFleet, Fleet, type FleetOptions, type FleetNode } from './fleet';
export { FleetFaults } from './fleet-faults';
export type { FaultSpec, ChaosOptions, CommandMatch, TransientError } from './faults';
export type { NodeOptions, DiskOptions, SimNode } from './node-state';
export type { AuditEntry, EffectRecord } from './audit';
export { FAST, REALISTIC, type LatencyModel, type LatencyKind } from './latency';
export { knownCommands } from './commands';
export { fingerprintOfKey } from './ssh-server';
