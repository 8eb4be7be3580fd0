// Sizes the site spec implies: LVM sizes in bytes and the seed's storage estimate. Pure: workflows use them too.

/** LVM sizes as lvcreate takes them (`20G` = 20 GiB in LVM's binary units) in bytes. */
export function lvmSizeBytes(size: string): number {
  const m = /^(\d+)([MGT])$/.exec(size);
  if (!m) throw new Error(`not an LVM size: ${size}`);
  return Number(m[1]) * { M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2] as 'M' | 'G' | 'T'];
}

export interface StorageNeed { sharedGb: number; unsharedGb: number }

type Volumes = { elasticsearch: number; streamState: number; insightsDatabase: number; kafka: number; zookeeper: number };

/**
 * The seed's estimate, per node. With KloudInsights, stream processing (elasticsearch, state) lives on shared
 * cStor storage and the database and messaging (insights database, kafka, zookeeper) on each node's LVM:
 * "Required: Shared 20 GB, Unshared 14 GB" for 10/10/10/2/2. Without it (the seed's Kloudhybrid example)
 * `kloudspot init` asks only for elasticsearch and the database and counts both unshared: "Required: Shared
 * 0 GB, Unshared 20 GB" for 10/10. We follow the seed in both; the chart's own rule is not public.
 */
export function storageNeed(s: Volumes, features: { kloudInsights: boolean }): StorageNeed {
  if (!features.kloudInsights) return { sharedGb: 0, unsharedGb: s.elasticsearch + s.insightsDatabase };
  return { sharedGb: s.elasticsearch + s.streamState, unsharedGb: s.insightsDatabase + s.kafka + s.zookeeper };
}
