// Simulated nodes for tests, the demo, the benchmark and the chaos run: real SSH servers on loopback
// addresses that answer the installer's commands as Ubuntu 22.04 + MicroK8s 1.32 + OpenEBS 3.3 would
// (every format and its source: docs/commands.md).
//
//   const fleet = await startFleet({ nodes: 3, seed: 1, latency: 'fast' });
//   fleet.spec / fleet.specYaml()   a valid site spec pointing at the nodes (key in fleet.keyFile)
//   fleet.nodes[i]                  { name, address, port, interface, hostKeyFingerprint, state, server }
//   fleet.faults.add({ kind: 'transient', match: 'dist-upgrade', error: 'dpkg-lock', times: 2 })
//   fleet.faults.reboot('k8s-vm-2') / wrongHostKey / noAvx / addDisks / smallDisk / chaos
//   fleet.audit() / fleet.effects() / fleet.effectKeys() / fleet.duplicateEffects()
//   await fleet.stop()
export { startFleet, Fleet, type FleetOptions, type FleetNode } from './fleet';
export { FleetFaults } from './fleet-faults';
export type { FaultSpec, ChaosOptions, CommandMatch, TransientError } from './faults';
export type { NodeOptions, DiskOptions, SimNode } from './node-state';
export type { AuditEntry, EffectRecord } from './audit';
export type { RebootTiming } from './runner';
export { FAST, REALISTIC, type LatencyModel, type LatencyKind } from './latency';
export { knownCommands } from './commands';
export { fingerprintOfKey } from './ssh-server';
export { HealthFaults } from './health-faults';
export { LifecycleFaults } from './lifecycle-faults';
