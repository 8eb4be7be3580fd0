// The "already undone?" half of every reset step: only query() builders, so the reset's survey (the one
// question listing what will be removed) runs them read-only, and each acting step asks them again before it acts.
// done: nothing left to remove; else `detail` says what the step would remove.
import { readFile as readFileCmd, HOSTS_BEGIN, HOSTS_FILE } from '../commands/files';
import { VALUES_FILE } from '../commands/chart';
import { listLogicalVolumes, parseLogicalVolumes, SHARED_LV } from '../commands/lvm';
import * as m from '../commands/microk8s';
import * as np from '../commands/netplan';
import { poolClusterPresent, storageClassPresent, CSPC_NAME, STORAGE_CLASS } from '../commands/openebs';
import { listSnap } from '../commands/snap';
import { iscsidActive, iscsidState } from '../commands/systemd';
import { KLOUDSPOT_CLI_PATH, toolsPath } from '../commands/tools';
import { run, type ActivityDeps } from '../run';
import type { SshTarget } from '../ssh';
import { done, todo, type Check } from './check';
import { createClusterChecks } from './cluster';
import { readNetplanFiles } from './node';

/**
 * The proxy settings the `proxy` spec key writes (branch `field`: APT_PROXY_FILE and PROXY_MARKERS of its
 * commands/proxy.ts; switch to those once merged). Only a file carrying our marker is ours to remove. The
 * containerd-env block and the refresh hold live in the snap and go with `snap remove --purge`.
 */
export const APT_PROXY_FILE = '/etc/apt/apt.conf.d/95kloudspot-proxy';
export const PROXY_BEGIN = '# BEGIN kloudspot-installer proxy';

export function createResetChecks(deps: ActivityDeps) {
  const cluster = createClusterChecks(deps);
  const ok = async (t: SshTarget, c: Parameters<typeof run>[2]) => (await run(deps, t, c)).code === 0;

  const checks = {
    async microk8s(t: SshTarget): Promise<Check> {
      return (await ok(t, listSnap())) ? todo('snap remove --purge microk8s (the snap, its certificates and datastore)') : done('no microk8s snap');
    },

    /** The cluster-wide checks need a running MicroK8s on the first manager: without the snap there is nothing. */
    async chart(first: SshTarget): Promise<Check> {
      if ((await checks.microk8s(first)).done) return done('no MicroK8s, no release');
      const r = await cluster.release(first);
      return r.exists ? todo(`kloudspot stop (release kloudspot ${r.status}, revision ${r.revision})`) : done('no kloudspot release');
    },

    async valuesFile(t: SshTarget): Promise<Check> {
      return (await run(deps, t, readFileCmd(VALUES_FILE))).code === 0 ? todo(`rm ${VALUES_FILE}`) : done(`no ${VALUES_FILE}`);
    },

    async pool(first: SshTarget): Promise<Check> {
      if ((await checks.addon(first, 'openebs')).done) return done('no OpenEBS, no cStor pool');
      const cspc = await ok(first, poolClusterPresent());
      const sc = await ok(first, storageClassPresent());
      const what = [cspc ? `CStorPoolCluster ${CSPC_NAME}` : '', sc ? `StorageClass ${STORAGE_CLASS}` : ''].filter(Boolean);
      return what.length ? todo(`kubectl delete ${what.join(' and ')}`) : done('no cStor pool');
    },

    /** todo while the add-on is enabled: `microk8s disable <addon>`. */
    async addon(first: SshTarget, addon: string): Promise<Check> {
      if ((await checks.microk8s(first)).done) return done(`no MicroK8s, no ${addon}`);
      const enabled = (await cluster.addon(first, addon)).done;
      return enabled ? todo(`microk8s disable ${addon}`) : done(`${addon} not enabled`);
    },

    /** On the departing node: still a member of `first`'s cluster? */
    async member(first: SshTarget, node: SshTarget, worker: boolean): Promise<Check> {
      if ((await checks.microk8s(node)).done) return done('no microk8s snap');
      const joined = (await cluster.joined({ first, joiner: node, joinerName: node.node, worker })).done;
      return joined ? todo(`microk8s leave (a ${worker ? 'worker' : 'manager'} of ${first.node}'s cluster)`) : done('not in a cluster');
    },

    /** On the survivor: the departed node's Kubernetes Node or its datastore entry is still there. */
    async registered(first: SshTarget, name: string, address: string): Promise<Check> {
      if ((await checks.microk8s(first)).done) return done('no cluster left');
      const nodes = m.parseKubeNodes((await run(deps, first, m.getNodes())).stdout).map((n) => n.name);
      const s = m.parseStatus((await run(deps, first, m.status())).stdout);
      const inDatastore = [...s.datastoreMasters, ...s.datastoreStandbys].some((a) => a.startsWith(`${address}:`));
      return nodes.includes(name) || inDatastore ? todo(`microk8s remove-node ${name} on ${first.node}`) : done(`${name} not in the cluster`);
    },

    /** The CLI the tools script put on the PATH, by the path `command -v` gives (checked: node output). */
    async toolsCli(t: SshTarget): Promise<Check & { path?: string }> {
      const r = await run(deps, t, toolsPath());
      const path = r.stdout.trim();
      if (r.code !== 0 || !path) return done('no kloudspot CLI');
      if (!KLOUDSPOT_CLI_PATH.test(path)) return done(`kloudspot at an unexpected path (${JSON.stringify(path.slice(0, 80))}), left alone`);
      return { ...todo(`rm ${path}`), path };
    },

    async sharedVolume(t: SshTarget, vg: string): Promise<Check> {
      const r = await run(deps, t, listLogicalVolumes(vg));
      const lv = r.code === 0 ? parseLogicalVolumes(r.stdout).find((x) => x.name === SHARED_LV) : undefined;
      return lv ? todo(`lvremove ${vg}/${SHARED_LV} (${lv.size}; its data is lost)`) : done(`no ${vg}/${SHARED_LV}`);
    },

    async iscsid(t: SshTarget): Promise<Check> {
      const enabled = (await run(deps, t, iscsidState())).stdout.trim() === 'enabled';
      const active = (await run(deps, t, iscsidActive())).stdout.trim() === 'active';
      return enabled || active ? todo('systemctl disable --now iscsid') : done('iscsid disabled');
    },

    async hostsBlock(t: SshTarget): Promise<Check & { current: string }> {
      const current = (await run(deps, t, readFileCmd(HOSTS_FILE))).stdout;
      return current.split('\n').includes(HOSTS_BEGIN) ? { ...todo('/etc/hosts: remove the cluster block'), current } : { ...done('no cluster block in /etc/hosts'), current };
    },

    async aptProxy(t: SshTarget): Promise<Check> {
      const r = await run(deps, t, readFileCmd(APT_PROXY_FILE));
      if (r.code !== 0) return done('no apt proxy file of ours');
      return r.stdout.split('\n').includes(PROXY_BEGIN) ? todo(`rm ${APT_PROXY_FILE} (the proxy for apt)`) : done(`${APT_PROXY_FILE} is not ours (no marker), left alone`);
    },

    /**
     * Our file, the originals the install kept, or reset's script not yet run to its end (its apply failed).
     * `restore`: the kept originals to put back; `rebuild`: a DHCP stanza when an older install kept none and no
     * other file configures the interface (without it the node would come back with no address).
     */
    async netplan(t: SshTarget, iface: string, cidr: string): Promise<Check & { restore: string[]; rebuild?: np.NetplanFile }> {
      const files = await readNetplanFiles(deps, t, np.NETPLAN_DIR, np.listNetplanDir());
      const originals = (await readNetplanFiles(deps, t, np.NETPLAN_ORIGINALS_DIR, np.listNetplanOriginals()))
        .filter((f) => `${np.NETPLAN_DIR}/${f.name}` !== np.NETPLAN_FILE);
      const ours = files.some((f) => `${np.NETPLAN_DIR}/${f.name}` === np.NETPLAN_FILE);
      const pending = (await run(deps, t, readFileCmd(np.NETPLAN_RESET_SCRIPT))).code === 0;
      const restore = originals.map((f) => f.name);
      if (!ours && !pending && !restore.length) return { ...done(`no ${np.NETPLAN_FILE} (${cidr} is not ours), nothing kept to restore`), restore };
      const rm = `rm ${np.NETPLAN_FILE}, netplan apply`;
      if (restore.length) {
        const back = np.asksDhcp(originals, iface) ? 'DHCP' : 'its configuration from before the install';
        return { ...todo(`${rm} with ${restore.join(', ')} put back as before the install: ${iface} back to ${back} (its address may change)`), restore };
      }
      const rebuild = np.dhcpRebuild(files.filter((f) => `${np.NETPLAN_DIR}/${f.name}` !== np.NETPLAN_FILE), iface);
      if (!rebuild) return { ...todo(`${rm}: ${iface} back to DHCP (its address may change)`), restore };
      return {
        ...todo(`${rm}: ${iface} back to DHCP (its address may change). NOT RESTORED: no copy of the netplan files from before the install ` +
          `was kept (installed by an older version); ${iface}'s stanza is rebuilt as dhcp4: true in ${rebuild.name}, any other setting it had ` +
          '(routes, nameservers, MTU) must be put back by hand'),
        restore, rebuild,
      };
    },
  };
  return checks;
}

export type ResetChecks = ReturnType<typeof createResetChecks>;
