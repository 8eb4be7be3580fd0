// Sizes the site spec implies: LVM sizes in bytes and the seed's storage estimate. Pure: workflows use them too.

/** LVM sizes as lvcreate takes them (`20G` = 20 GiB in LVM's binary units) in bytes. */
export function lvmSizeBytes(size: string): number {
  const m = /^(\d+)([MGT])$/.exec(size);
  if (!m) throw new Error(`not an LVM size: ${size}`);
  return Number(m[1]) * { M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2] as 'M' | 'G' | 'T'];
}

export interface StorageNeed { sharedGb: number; unsharedGb: number }

/**
 * The seed's estimate: stream-processing volumes (elasticsearch, state) live on shared cStor storage;
 * databases and messaging (insights database, kafka, zookeeper) on each node's LVM ("Required: Shared 20 GB,
 * Unshared 14 GB" for 10/10/10/2/2). Each node needs this much.
 */
export function storageNeed(s: { elasticsearch: number; streamState: number; insightsDatabase: number; kafka: number; zookeeper: number }): StorageNeed {
  return { sharedGb: s.elasticsearch + s.streamState, unsharedGb: s.insightsDatabase + s.kafka + s.zookeeper };
}
