// Checks of the cluster-wide steps (form-cluster, configure-storage, deploy-chart): only query() builders.
import { packageInstalled, packageStatus } from '../commands/apt';
import { renderValues, tlsSecretExists, tlsSecretMissing, VALUES_FILE, type ChartValuesInput } from '../commands/chart';
import { fileMissing, readFile } from '../commands/files';
import { helmStatus, parseHelmStatus, releaseNotFound } from '../commands/helm';
import * as m from '../commands/microk8s';
import { listPoolInstances, parsePoolInstances } from '../commands/openebs';
import { iscsidActive, iscsidState } from '../commands/systemd';
import { run, runLookup, type ActivityDeps } from '../run';
import type { SshTarget } from '../ssh';
import { done, todo, type Check } from './check';

export interface JoinInput { first: SshTarget; joiner: SshTarget; joinerName: string; worker: boolean }

export function createClusterChecks(deps: ActivityDeps) {
  const status = async (t: SshTarget) => m.parseStatus((await run(deps, t, m.status())).stdout);

  return {
    /** Whether `joiner` already belongs to `first`'s cluster, judged on the joiner itself. */
    async joined(i: JoinInput): Promise<Check> {
      const role = i.worker ? 'worker' : 'manager';
      if (i.worker) {
        return (await run(deps, i.joiner, m.workerClusteredLock())).code === 0 ? done(`a ${role}`) : todo(`join as ${role}`);
      }
      const s = await status(i.joiner);
      return [...s.datastoreMasters, ...s.datastoreStandbys].some((a) => a.startsWith(`${i.first.host}:`)) ? done(`a ${role}`) : todo(`join as ${role}`);
    },

    async highAvailability(first: SshTarget): Promise<Check> {
      const s = await status(first);
      return s.highAvailability ? done('high-availability: yes') : todo(`wait for high-availability (datastore: ${s.datastoreMasters.join(' ') || 'none'})`);
    },

    /** `dns`, `metallb:<vip>/32`...: judged by the add-on's name. */
    async addon(first: SshTarget, addon: string): Promise<Check> {
      const name = addon.split(':')[0];
      return m.parseAddonState((await run(deps, first, m.addonStatus(name))).stdout) === 'enabled' ? done(`${name} enabled`) : todo(`microk8s enable ${addon}`);
    },

    async iscsid(t: SshTarget): Promise<Check> {
      if (!packageInstalled((await run(deps, t, packageStatus('open-iscsi'))).stdout)) return todo('apt-get install open-iscsi; systemctl enable --now iscsid');
      const enabled = (await run(deps, t, iscsidState())).stdout.trim() === 'enabled';
      const active = (await run(deps, t, iscsidActive())).stdout.trim() === 'active';
      return enabled && active ? done('iscsid enabled and active') : todo('systemctl enable --now iscsid');
    },

    /** The site's cStor pool: an instance ONLINE on every node. */
    async pool(first: SshTarget, nodes: string[]): Promise<Check & { instances: { node: string; name: string; phase: string }[] }> {
      const instances = parsePoolInstances((await run(deps, first, listPoolInstances())).stdout);
      const missing = nodes.filter((n) => !instances.some((p) => p.node === n && p.phase === 'ONLINE'));
      return { ...(missing.length === 0 ? done(`pool ONLINE on ${nodes.length} nodes`) : todo(`cStor pool on ${missing.join(', ')}`)), instances };
    },

    async valuesFile(first: SshTarget, values: ChartValuesInput): Promise<Check & { content: string }> {
      const content = renderValues(values);
      const current = await runLookup(deps, first, readFile(VALUES_FILE), fileMissing);
      if (current?.stdout === content) return { ...done(`${VALUES_FILE} as the spec says`), content };
      return { ...todo(`${current ? 'rewrite' : 'write'} ${VALUES_FILE}`), content };
    },

    async tlsSecret(first: SshTarget): Promise<Check> {
      return (await runLookup(deps, first, tlsSecretExists(), tlsSecretMissing)) ? done('TLS secret present') : todo('create the TLS secret (asks for the certificate)');
    },

    async release(first: SshTarget): Promise<Check & { exists: boolean; status?: string; revision?: number }> {
      const h = parseHelmStatus((await runLookup(deps, first, helmStatus(), releaseNotFound))?.stdout);
      if (h.exists && h.status === 'deployed') return { ...done(`release deployed (revision ${h.revision})`), ...h };
      return { ...todo(h.exists ? `release is ${h.status}: needs a person` : 'kloudspot start'), ...h };
    },
  };
}

export type ClusterChecks = ReturnType<typeof createClusterChecks>;
