// replace-node steps, run through a healthy manager (`control`): the dead node out of Kubernetes and dqlite
// (`microk8s remove-node --force`), the cluster whole again (every node Ready, the voters complete), and the
// CStorPoolCluster's pool of the dead node moved to the new node's block device. Each checks first, so a retry
// after a killed worker finds its work done and does nothing again.
import * as m from './commands/microk8s';
import * as s from './commands/openebs';
import * as v from './commands/cstor-replicas';
import { applyManifest } from './commands/kubectl';
import { commandFailed, run, waitFor, type ActivityDeps } from './run';
import type { RemoteCommand } from './commands/sh';
import { failure, FailureType, verifyFailed } from './failures';
import type { StepResult } from './node-prep';
import type { SshTarget } from './ssh';

export function createReplaceNodeActivities(deps: ActivityDeps) {
  const status = async (t: SshTarget) => m.parseStatus((await run(deps, t, m.status())).stdout);
  const datastore = async (t: SshTarget) => {
    const st = await status(t);
    return [...st.datastoreMasters, ...st.datastoreStandbys].map((ep) => ep.replace(/:\d+$/, ''));
  };
  const readNode = async (t: SshTarget, name: string) => {
    const r = await run(deps, t, m.readNode(name));
    if (r.code === 0) return m.parseNodeJson(r.stdout);
    if (/NotFound/.test(r.stderr)) return undefined;
    throw commandFailed(t, r, `cannot read node ${name}`);
  };

  /** Reads and edits through `control`, keeping the edits that changed something (a re-run's are `(no change)`). */
  const cvcEditor = (control: SshTarget) => {
    const edits: string[] = [];
    const read = async (c: RemoteCommand) => (await run(deps, control, c)).stdout;
    const edit = async (c: RemoteCommand, what: string) => {
      const r = await run(deps, control, c);
      if (r.code !== 0) throw commandFailed(control, r, `cannot ${what}`);
      if (!/\(no change\)/.test(r.stdout)) edits.push(what);
    };
    return { edits, read, edit };
  };
  return {
    /**
     * Removes `name` from the cluster; `keep` are the addresses of the spec's nodes: a datastore member at any
     * other address is the dead node's stale entry (its Node already deleted) and is removed by address.
     */
    async removeDeadNode(control: SshTarget, name: string, keep: string[]): Promise<StepResult> {
      const node = await readNode(control, name);
      if (node?.ready) {
        throw failure(FailureType.VerifyFailed, `${name} is still Ready: replace-node removes only a node that is gone. ` +
          `Power it off (or run \`microk8s leave\` on it), then retry; or abort`, { nonRetryable: true });
      }
      let changed = false;
      if (node) {
        const r = await run(deps, control, m.removeNode(name));
        if (r.code !== 0 && !/does not exist/.test(r.stdout)) throw commandFailed(control, r, `microk8s remove-node ${name} failed`);
        changed = true;
      }
      const stale = (await datastore(control)).filter((a) => !keep.includes(a) && a !== '127.0.0.1');
      for (const address of stale) {
        await run(deps, control, m.removeNode(address));
        changed = true;
      }
      if (await readNode(control, name)) throw verifyFailed(`${name} is still in kubectl get nodes after microk8s remove-node`);
      const left = (await datastore(control)).filter((a) => !keep.includes(a) && a !== '127.0.0.1');
      if (left.length) throw verifyFailed(`dqlite still lists ${left.join(', ')} after microk8s remove-node`);
      return { changed, detail: changed ? `${name} removed from Kubernetes and the datastore` : `${name} already gone` };
    },

    /** Every node of the spec Ready, none other listed, and `voters` datastore voters. */
    async waitClusterWhole(control: SshTarget, names: string[], voters: number, timeoutMs: number): Promise<StepResult> {
      await waitFor(deps, `${names.join(', ')} Ready and ${voters} datastore voters`, timeoutMs, async () => {
        const listed = m.parseKubeNodes((await run(deps, control, m.getNodes())).stdout);
        const notReady = names.filter((n) => listed.find((x) => x.name === n)?.status.split(',')[0] !== 'Ready');
        const extra = listed.filter((x) => !names.includes(x.name)).map((x) => x.name);
        const now = (await status(control)).datastoreMasters;
        if (notReady.length === 0 && extra.length === 0 && now.length === voters) return { done: true };
        return { seen: `not Ready: ${notReady.join(', ') || 'none'}; not in the spec: ${extra.join(', ') || 'none'}; voters: ${now.join(' ') || 'none'}` };
      });
      return { changed: false };
    },

    /** The cStor volumes that kept a replica on `node`'s pool (labels of their CStorVolumeReplicas). */
    async volumesWithReplicaOn(control: SshTarget, node: string): Promise<string[]> {
      const replicas = s.parseVolumeReplicas((await run(deps, control, s.listVolumeReplicas())).stdout);
      return [...new Set(replicas.filter((r) => r.node === node).map((r) => r.volume))].sort();
    },

    /**
     * Steps 1-2 of migrate_cstor_volume.md, before the CStorPoolCluster changes (its webhook refuses to drop a pool
     * that still holds replicas, pkg/webhook/cspc.go ValidateScaledown): `old`'s lost pool out of each volume's
     * replicaPoolInfo, its replica's finalizer cleared; done when no volume lists it and no replica is left on it.
     */
    async takeLostPoolOutOfVolumes(control: SshTarget, old: string, timeoutMs: number): Promise<StepResult> {
      const { edits, read, edit } = cvcEditor(control);
      const volumes = await waitFor(deps, `no cStor volume replica left on ${old}'s lost pool`, timeoutMs, async () => {
        const live = s.parsePoolInstances(await read(s.listPoolInstances())).filter((i) => i.node !== old).map((i) => i.name);
        const configs = v.parseVolumeConfigs(await read(v.listVolumeConfigs())).filter((c) => c.phase === 'Bound' && c.desired.length > 0);
        const replicas = s.parseVolumeReplicas(await read(s.listVolumeReplicas()));
        const waiting: string[] = [];
        for (const c of configs) {
          const lost = c.desired.filter((p) => !live.includes(p));
          const settled = c.current.length === c.desired.length && c.desired.every((p) => c.current.includes(p));
          // One scale-down at a time, and none while another change is under way (pkg/webhook/cvc.go).
          if (lost.length > 0 && settled) await edit(v.setReplicaPools(c.name, c.desired.filter((p) => p !== lost[0])), `take ${lost[0]} out of ${c.name}`);
          const stuck = replicas.filter((x) => x.volume === c.name && x.name !== '?' && !live.includes(x.pool));
          for (const r of stuck.filter((x) => !c.desired.includes(x.pool))) await edit(v.releaseLostReplica(r.name), `release ${r.name}`);
          if (lost.length || stuck.length || c.current.some((p) => !live.includes(p))) {
            waiting.push(`${c.name} (pools ${c.desired.join(' ') || 'none'}; replicas on lost pools: ${stuck.map((x) => x.name).join(', ') || 'none'})`);
          }
        }
        return waiting.length ? { seen: waiting.slice(0, 5).join('; ') } : { done: configs.length };
      });
      return { changed: edits.length > 0, detail: edits.length ? `${edits.length} edits; ${old}'s lost pool out of ${volumes} cStor volumes` : `no cStor volume on ${old}'s lost pool` };
    },

    /**
     * Every cStor volume that had a replica on `old`'s lost pool gets one on `fresh`'s pool instead, in the two
     * edits the webhook allows (lost pool out, its replica's finalizer cleared: done by takeLostPoolOutOfVolumes
     * before the CSPC changed, repeated here for an older run; new pool in), and the wait lasts
     * until every volume has its replicaCount of replicas, all Healthy, on live pools, and every CStorVolume is
     * Healthy. Each look decides the next edit from what the cluster says, so a retry picks up where it was.
     */
    async moveVolumeReplicas(control: SshTarget, old: string, fresh: string, timeoutMs: number): Promise<StepResult> {
      const { edits, read, edit } = cvcEditor(control);
      const volumes = await waitFor(deps, `every cStor volume's replicas Healthy on live pools (${old}'s moved to ${fresh})`, timeoutMs, async () => {
        const instances = s.parsePoolInstances(await read(s.listPoolInstances()));
        const live = instances.filter((i) => i.node !== old).map((i) => i.name);
        const target = instances.find((i) => i.node === fresh && i.phase === 'ONLINE')?.name;
        const configs = v.parseVolumeConfigs(await read(v.listVolumeConfigs())).filter((c) => c.phase === 'Bound' && c.desired.length > 0);
        const replicas = s.parseVolumeReplicas(await read(s.listVolumeReplicas()));
        const phases = new Map(s.parseVolumes(await read(s.listVolumes())).map((x) => [x.name, x.phase]));
        const waiting: string[] = [];
        for (const c of configs) {
          const lost = c.desired.filter((p) => !live.includes(p));
          const settled = c.current.length === c.desired.length && c.desired.every((p) => c.current.includes(p));
          // One scale-down at a time, and none while another change is under way (pkg/webhook/cvc.go).
          if (lost.length > 0 && settled) await edit(v.setReplicaPools(c.name, c.desired.filter((p) => p !== lost[0])), `take ${lost[0]} out of ${c.name}`);
          for (const r of replicas.filter((x) => x.volume === c.name && x.name !== '?' && !live.includes(x.pool) && !c.desired.includes(x.pool))) {
            await edit(v.releaseLostReplica(r.name), `release ${r.name}`);
          }
          if (lost.length === 0 && settled && c.desired.length < c.replicaCount && target && !c.desired.includes(target)) {
            await edit(v.setReplicaPools(c.name, [...c.desired, target]), `put ${target} into ${c.name}`);
          }
          const mine = replicas.filter((x) => x.volume === c.name);
          const notHealthy = mine.filter((x) => x.phase !== 'Healthy' || !live.includes(x.pool)).map((x) => `${x.pool} ${x.phase}`);
          if (lost.length || !settled || c.desired.length < c.replicaCount || mine.length !== c.replicaCount || notHealthy.length || phases.get(c.name) !== 'Healthy') {
            waiting.push(`${c.name} (volume ${phases.get(c.name) ?? 'missing'}; pools ${c.desired.join(' ') || 'none'}; replicas not Healthy: ${notHealthy.join(', ') || 'none'})`);
          }
        }
        if (waiting.length > 0 && !target) waiting.unshift(`no ONLINE pool instance on ${fresh}`);
        return waiting.length ? { seen: waiting.slice(0, 5).join('; ') } : { done: configs.length };
      });
      return { changed: edits.length > 0, detail: edits.length ? `${edits.length} edits; ${volumes} cStor volumes Healthy on live pools` : `${volumes} cStor volumes already Healthy on live pools` };
    },

    /** The dead node's pool in the CStorPoolCluster now names the new node and its device (cstor-operators docs/troubleshooting). */
    async moveCstorPool(control: SshTarget, from: string, to: string, blockDevice: string, replicaCount: number): Promise<StepResult> {
      const pools = s.parsePoolCluster((await run(deps, control, s.readPoolCluster())).stdout);
      if (pools.some((p) => p.node === to) && !pools.some((p) => p.node === from)) return { changed: false, detail: `the pool is already on ${to}` };
      const moved = pools.some((p) => p.node === from)
        ? pools.map((p) => (p.node === from ? { node: to, blockDevice } : p))
        : [...pools.filter((p) => p.node !== to), { node: to, blockDevice }];
      // A refusal (e.g. the webhook's "volume still exists on pool") is said, not waited out as a pool never ONLINE.
      const r = await run(deps, control, { ...applyManifest(), stdin: s.renderCstorManifests(moved, replicaCount) });
      if (r.code !== 0) throw commandFailed(control, r, `cannot move the pool of ${from} to ${to} in the CStorPoolCluster`);
      return { changed: true, detail: `pool of ${from} moved to ${to} (${blockDevice})` };
    },
  };
}
