// cStor volume replicas moved off a lost pool (cstor-operators v3.x, CSI volumes): each volume's
// CStorVolumeConfig lists its pools in spec.policy.replicaPoolInfo and the controller reports the ones it
// serves in status.poolInfo. The admission webhook refuses a pool name replaced in one edit ("volume replica
// migration directly by modifying pool names ... is not yet supported", pkg/webhook/cvc.go), so a move is the
// documented two edits (docs/troubleshooting/migrate_cstor_volume.md): the lost pool taken out (its replica's
// finalizer cleared by hand, its pool manager being dead), then the new pool put in; its replica reconstructs.
import { KUBECTL } from './kubectl';
import { cmd, query, sh, type RemoteCommand } from './sh';

export const listVolumeConfigs = (): RemoteCommand => query(sh`${KUBECTL} -n openebs get cstorvolumeconfigs -o json`);

/** A JSON merge patch: the list replaces the list (RFC 7386), so the edit reads the same on a re-run. */
export const setReplicaPools = (volume: string, pools: string[]): RemoteCommand =>
  cmd(sh`${KUBECTL} -n openebs patch cstorvolumeconfig ${volume} --type=merge ${`--patch=${JSON.stringify({ spec: { policy: { replicaPoolInfo: pools.map((poolName) => ({ poolName })) } } })}`}`);

/** The lost pool's manager cannot clear `cstorvolumereplica.openebs.io/finalizer`: the documented step 2. */
export const releaseLostReplica = (replica: string): RemoteCommand =>
  cmd(sh`${KUBECTL} -n openebs patch cstorvolumereplica ${replica} --type=merge ${'--patch={"metadata":{"finalizers":null}}'}`);

export interface VolumeConfig { name: string; phase: string; replicaCount: number; desired: string[]; current: string[] }

const objectName = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const strictName = (s: unknown, what: string): string => {
  if (typeof s === 'string' && objectName.test(s)) return s;
  throw new Error(`unexpected ${what} in a CStorVolumeConfig: ${JSON.stringify(String(s).slice(0, 80))}`);
};

/** `get cstorvolumeconfigs -o json`: names held to the Kubernetes pattern (they reach a shell in the patches). */
export function parseVolumeConfigs(json: string): VolumeConfig[] {
  type Cvc = {
    metadata: { name: string };
    spec?: { provision?: { replicaCount?: number }; policy?: { replicaPoolInfo?: { poolName?: string }[] } };
    status?: { phase?: string; poolInfo?: string[] };
  };
  return ((JSON.parse(json) as { items?: Cvc[] }).items ?? []).map((c) => ({
    name: strictName(c.metadata.name, 'name'),
    phase: /^[A-Za-z]{0,32}$/.test(c.status?.phase ?? '') ? c.status?.phase ?? '' : '?',
    replicaCount: Number(c.spec?.provision?.replicaCount ?? 0),
    desired: (c.spec?.policy?.replicaPoolInfo ?? []).map((p) => strictName(p.poolName, 'pool name')),
    current: (c.status?.poolInfo ?? []).map((p) => strictName(p, 'pool name')),
  }));
}
