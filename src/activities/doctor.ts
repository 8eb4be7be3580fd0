// The doctor's reads: what one node shows (SSH, microk8s, certificates, disk, clock) and what the cluster shows
// from one manager (nodes, datastore, virtual IP, pools, pods). Read-only by construction: every command goes
// through run() with read-only deps, which refuses any builder not made with query(). A node that cannot be reached is a fact,
// not a failure: the activity returns it, so one dead node does not hold up the report.
import { parseClock, parseDirectorySize, parseRootSpace, rootSpace, directorySize, clock, DATASTORE_DIR } from './commands/coreutils';
import { certificateEndDate, parseEndDate, MICROK8S_CERTS, MICROK8S_CERTS_DIR } from './commands/openssl';
import * as m from './commands/microk8s';
import { ping } from './commands/basic';
import { listPoolInstances, parsePoolInstances, type PoolInstance } from './commands/openebs';
import { listPods, parsePods, parseTlsCertificate, readTlsCertificate } from './commands/chart';
import { listVolumeReplicas, listVolumes, parseVolumeReplicas, parseVolumes, type VolumeReplica } from './commands/openebs';
import { listMicrok8sSnap, parseRefreshTimes, parseSnapHeld, refreshTimes, type RefreshHold } from './commands/snap';
import { listVolumeGroups, parseVolumeGroups } from './commands/lvm';
import type { RemoteCommand } from './commands/sh';
import { run, type ActivityDeps } from './run';
import type { ExecResult, SshTarget } from './ssh';
import { describeFailure } from './failures';

export interface NodeFacts {
  node: string;
  /** Why it could not be reached (connect, login, host key); absent when it answered. */
  unreachable?: string;
  hostKey?: string;
  /** `microk8s status` says running (managers only; a worker's status only says it is a worker). */
  microk8sRunning?: boolean;
  datastoreVoters?: string[];
  /** Certificate file -> notAfter (epoch ms), or the error reading it. */
  certificates?: Record<string, number | string>;
  root?: { availBytes: number; sizeBytes: number };
  volumeGroup?: { name: string; freeBytes: number; sizeBytes: number };
  datastoreBytes?: number;
  /** Node clock minus the worker's, at the midpoint of the command (ms). */
  clockOffsetMs?: number;
  /** snapd's system-wide refresh hold, and whether microk8s itself is held (`snap list` Notes); or the read's error. */
  refreshHold?: { all: RefreshHold; microk8sHeld: boolean } | string;
}

export interface ClusterFacts {
  from: string;
  kubeNodes?: m.KubeNode[];
  datastoreVoters?: string[];
  virtualIpAnswers?: boolean;
  pools?: PoolInstance[];
  pods?: { name: string; phase: string; ready: boolean }[];
  volumes?: { name: string; phase: string }[];
  replicas?: VolumeReplica[];
  /** The ingress TLS Secret's certificate; null when there is no Secret (the ingress serves its default). */
  ingressCertificate?: { notAfter: number; subject: string } | null;
  /** Reads that failed, by name: shown as the check's value. */
  errors: Record<string, string>;
}

export function createDoctorActivities(deps: ActivityDeps) {
  // run() refuses (NotReadOnly, never retried) any command not built with query().
  const readOnly: ActivityDeps = { ...deps, readOnly: true };
  const runRead = (t: SshTarget, c: RemoteCommand): Promise<ExecResult> => run(readOnly, t, c, { timeoutMs: 60_000 });
  /** One read; its failure becomes a message, so the other reads still happen. */
  const attempt = async <T>(fn: () => Promise<T>): Promise<T | string> => {
    try {
      return await fn();
    } catch (err) {
      return describeFailure(err).message;
    }
  };
  const value = <T>(v: T | string): T | undefined => (typeof v === 'string' ? undefined : v);

  return {
    async doctorNode(t: SshTarget, manager: boolean, volumeGroup: string): Promise<NodeFacts> {
      const facts: NodeFacts = { node: t.node };
      const before = Date.now();
      let first: ExecResult;
      try {
        first = await runRead(t, clock());
      } catch (err) {
        return { ...facts, unreachable: describeFailure(err).message };
      }
      facts.hostKey = first.hostKey;
      facts.clockOffsetMs = parseClock(first.stdout) - Math.round((before + Date.now()) / 2);
      const root = await attempt(async () => parseRootSpace((await runRead(t, rootSpace())).stdout));
      facts.root = value(root);
      const vg = await attempt(async () => parseVolumeGroups((await runRead(t, listVolumeGroups())).stdout).find((g) => g.name === volumeGroup));
      facts.volumeGroup = value(vg);
      facts.refreshHold = await attempt(async () => ({
        all: parseRefreshTimes((await runRead(t, refreshTimes())).stdout),
        microk8sHeld: parseSnapHeld((await runRead(t, listMicrok8sSnap())).stdout),
      }));
      if (!manager) return facts;
      const s = await attempt(async () => m.parseStatus((await runRead(t, m.status())).stdout));
      if (typeof s !== 'string') {
        facts.microk8sRunning = s.running;
        facts.datastoreVoters = s.running ? s.datastoreMasters : undefined;
      } else facts.microk8sRunning = false;
      facts.certificates = {};
      for (const cert of MICROK8S_CERTS) {
        const r = await attempt(() => runRead(t, certificateEndDate(`${MICROK8S_CERTS_DIR}/${cert}`)));
        facts.certificates[cert] = typeof r === 'string' ? r
          : r.code === 0 ? parseEndDate(r.stdout) : (r.stderr.trim().split('\n')[0] || `openssl exited ${r.code}`);
      }
      const du = await attempt(async () => {
        const r = await runRead(t, directorySize(DATASTORE_DIR));
        return r.code === 0 ? parseDirectorySize(r.stdout) : undefined;
      });
      facts.datastoreBytes = value(du);
      return facts;
    },

    async doctorCluster(first: SshTarget, virtualIp: string): Promise<ClusterFacts> {
      const facts: ClusterFacts = { from: first.node, errors: {} };
      const read = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
        const r = await attempt(fn);
        if (typeof r === 'string') { facts.errors[name] = r; return undefined; }
        return r;
      };
      facts.kubeNodes = await read('nodes', async () => {
        const r = await runRead(first, m.getNodes());
        if (r.code !== 0) throw new Error(r.stdout.trim() || r.stderr.trim() || `kubectl get nodes exited ${r.code}`);
        return m.parseKubeNodes(r.stdout);
      });
      facts.datastoreVoters = await read('voters', async () => m.parseStatus((await runRead(first, m.status())).stdout).datastoreMasters);
      facts.virtualIpAnswers = await read('vip', async () => (await runRead(first, ping(virtualIp))).code === 0);
      facts.pools = await read('pools', async () => parsePoolInstances((await runRead(first, listPoolInstances())).stdout));
      facts.volumes = await read('volumes', async () => parseVolumes((await runRead(first, listVolumes())).stdout));
      facts.replicas = await read('replicas', async () => parseVolumeReplicas((await runRead(first, listVolumeReplicas())).stdout));
      facts.ingressCertificate = await read('ingress', async () => {
        const r = await runRead(first, readTlsCertificate());
        if (r.code !== 0 && /NotFound/.test(r.stderr)) return null;
        if (r.code !== 0) throw new Error(r.stderr.trim().split('\n')[0] || `kubectl get secret exited ${r.code}`);
        return parseTlsCertificate(r.stdout);
      });
      facts.pods = await read('pods', async () => parsePods((await runRead(first, listPods())).stdout).map(({ name, phase, ready }) => ({ name, phase, ready })));
      return facts;
    },
  };
}
