// How long simulated work takes. `fast` keeps tests quick; `realistic` makes a 3-node install take about
// half a minute of simulated work (apt, reboots, joins, pods becoming ready over time). Every figure is
// multiplied by `scale`, so `{ ...REALISTIC, scale: 0.5 }` is a realistic install at double speed.
import type { Rng } from './random';

export type LatencyKind =
  | 'command' | 'aptUpdate' | 'aptUpgrade' | 'aptInstall' | 'toolsInstall' | 'rebootDown' | 'rebootAuthFail'
  | 'microk8sStart' | 'join' | 'nodeReady' | 'addonEnable' | 'openebsEnable' | 'ndmDiscovery' | 'cspiOnline'
  | 'podReady' | 'helm' | 'netplanApply' | 'lvcreate' | 'ping' | 'replicaRebuild';

/** A fixed number of milliseconds, or [min, max] drawn from the fleet's seeded generator. */
export type Millis = number | [number, number];

export interface LatencyModel {
  name?: string;
  /** Multiplies every figure; 1 by default. */
  scale?: number;
  /** What one second on a real node (timers, ping -W, --timeout) lasts here, before scaling. */
  secondMs?: number;
  ms: Record<LatencyKind, Millis>;
}

export const FAST: LatencyModel = {
  name: 'fast',
  scale: 1,
  secondMs: 150,
  ms: {
    command: [5, 20], aptUpdate: 20, aptUpgrade: 40, aptInstall: 20, toolsInstall: 30, rebootDown: 150,
    rebootAuthFail: 150, microk8sStart: 60, join: 40, nodeReady: 60, addonEnable: 20, openebsEnable: 40,
    ndmDiscovery: 80, cspiOnline: 250, podReady: [60, 200], helm: 30, netplanApply: 20, lvcreate: 10, ping: 5,
    replicaRebuild: 1500,
  },
};

export const REALISTIC: LatencyModel = {
  name: 'realistic',
  scale: 1,
  secondMs: 1000,
  ms: {
    command: [10, 40], aptUpdate: 1200, aptUpgrade: 3000, aptInstall: 1200, toolsInstall: 2000, rebootDown: 2000,
    rebootAuthFail: 1000, microk8sStart: 2000, join: 2000, nodeReady: 1000, addonEnable: 1200, openebsEnable: 2000,
    ndmDiscovery: 1500, cspiOnline: 2000, podReady: [1000, 5000], helm: 1000, netplanApply: 500, lvcreate: 200, ping: 1,
    replicaRebuild: 10_000,
  },
};

export function latencyModel(spec: 'fast' | 'realistic' | LatencyModel | undefined, scale?: number): LatencyModel {
  const base = spec === 'realistic' ? REALISTIC : spec === 'fast' || spec === undefined ? FAST : spec;
  return { ...base, ms: { ...FAST.ms, ...base.ms }, scale: (scale ?? 1) * (base.scale ?? 1) };
}

export class Latency {
  constructor(readonly model: LatencyModel, private readonly rng: Rng) {}

  ms(kind: LatencyKind): number {
    const v = this.model.ms[kind];
    const raw = typeof v === 'number' ? v : v[0] + this.rng.next() * (v[1] - v[0]);
    return Math.round(raw * (this.model.scale ?? 1));
  }

  /** A duration given in real seconds on a real node (timers, ping -W), scaled like the rest. */
  seconds(s: number): number {
    return Math.round(s * (this.model.secondMs ?? 150) * (this.model.scale ?? 1));
  }
}
