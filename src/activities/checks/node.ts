// Checks of the prepare-node steps on one node: only query() builders, so they run in read-only activities too.
import { parseAptSummary, aptSimulateUpgrade } from '../commands/apt';
import { parseInterfaceAddresses, parseStaticAddresses, showInterfaceAddresses } from '../commands/basic';
import { fileMissing, HOSTS_BEGIN, HOSTS_END, HOSTS_FILE, readFile, rebootRequired, renderHostsFile } from '../commands/files';
import { listLogicalVolumes, listVolumeGroups, parseLogicalVolumes, parseVolumeGroups, SHARED_LV } from '../commands/lvm';
import { listNetplanDir, NETPLAN_DIR, NETPLAN_FILE, parseNetplanDir, plannedWrites, renderNetplan, type NetplanFile } from '../commands/netplan';
import type { RemoteCommand } from '../commands/sh';
import { readStaticHostname } from '../commands/systemd';
import { toolsInstalled } from '../commands/tools';
import { commandFailed, run, runLookup, type ActivityDeps } from '../run';
import type { SshTarget } from '../ssh';
import { done, GBs, todo, type Check } from './check';

export interface StaticAddressInput { interface: string; address: string; prefixLength: number; gateway: string; nameservers: string[] }

/** The .yaml files `list` names in `dir`, with their content (the netplan directory, or the originals kept for reset). */
export async function readNetplanFiles(deps: ActivityDeps, t: SshTarget, dir: string, list: RemoteCommand): Promise<NetplanFile[]> {
  const files: NetplanFile[] = [];
  for (const name of parseNetplanDir((await run(deps, t, list)).stdout)) {
    const r = await run(deps, t, readFile(`${dir}/${name}`));
    if (r.code === 0) files.push({ name, content: r.stdout });
  }
  return files;
}

export function createNodeChecks(deps: ActivityDeps) {
  const read = async (t: SshTarget, c: RemoteCommand) => (await run(deps, t, c)).stdout;

  return {
    /** Upgrades pending as of the node's package lists (`apt-get -s`; the install refreshes the lists first). */
    async packages(t: SshTarget): Promise<Check> {
      const p = parseAptSummary(await read(t, aptSimulateUpgrade()));
      const n = p.upgraded + p.newlyInstalled;
      return n === 0 ? done('no upgrades pending') : todo(`apt dist-upgrade: ${n} package${n === 1 ? '' : 's'}`);
    },

    async reboot(t: SshTarget): Promise<Check> {
      return (await run(deps, t, rebootRequired())).code === 0 ? todo('reboot (/var/run/reboot-required exists)') : done('no reboot required');
    },

    async hostname(t: SshTarget, name: string): Promise<Check> {
      const now = (await read(t, readStaticHostname())).trim();
      return now === name ? done(name) : todo(`hostname ${now || '(none)'} -> ${name}`);
    },

    /** Also returns the file as it is and as it should be, for the step that writes it. */
    async hostsFile(t: SshTarget, self: string, nodes: { name: string; address: string }[]): Promise<Check & { current: string; wanted: string }> {
      // A missing /etc/hosts is rebuilt; one that could not be read (sudo refused) fails here, not overwritten.
      const current = (await runLookup(deps, t, readFile(HOSTS_FILE), fileMissing))?.stdout ?? '';
      const wanted = renderHostsFile(current, self, nodes);
      if (current === wanted) return { ...done(`${nodes.length} entries`), current, wanted };
      const block = (text: string) => {
        const lines = text.split('\n');
        const [a, b] = [lines.indexOf(HOSTS_BEGIN), lines.indexOf(HOSTS_END)];
        return a >= 0 && b > a ? lines.slice(a + 1, b) : [];
      };
      const have = new Set(block(current));
      const add = block(wanted).filter((l) => !have.has(l)).length;
      return { ...todo(`/etc/hosts: ${add ? `add ${add} entr${add === 1 ? 'y' : 'ies'}` : 'rewrite the cluster block'}${current.includes(`127.0.1.1 ${self}`) ? '' : `, 127.0.1.1 ${self}`}`), current, wanted };
    },

    /**
     * Static, not merely present (the DHCP lease usually has the same address until netplan applies), and alone:
     * a stanza for the interface left in another file would add its addresses and routes to ours.
     * Also returns the files as they are and the writes that would make them right, for the step.
     */
    async staticAddress(t: SshTarget, a: StaticAddressInput): Promise<Check & { files: NetplanFile[]; writes: NetplanFile[]; alone: boolean }> {
      const wanted = renderNetplan(a.interface, a.address, a.prefixLength, a.gateway, a.nameservers);
      const cidr = `${a.address}/${a.prefixLength}`;
      const files = await readNetplanFiles(deps, t, NETPLAN_DIR, listNetplanDir());
      const writes = plannedWrites(files, wanted, a.interface);
      const addresses = (await run(deps, t, showInterfaceAddresses(a.interface))).stdout;
      const now = parseInterfaceAddresses(addresses);
      const alone = parseStaticAddresses(addresses).includes(cidr) && now.length === 1;
      if (writes.length === 0 && alone) return { ...done(`${cidr} static on ${a.interface}`), files, writes, alone };
      const was = now.length === 0 ? 'no address' : now.length === 1 && now[0] === cidr ? 'DHCP' : `now ${now.join(', ')}`;
      const moved = writes.map((w) => w.name).filter((n) => `${NETPLAN_DIR}/${n}` !== NETPLAN_FILE);
      return { ...todo(`netplan: ${cidr} static on ${a.interface} (${was})${moved.length ? `; its stanza moved out of ${moved.join(', ')}` : ''}`), files, writes, alone };
    },

    async tools(t: SshTarget): Promise<Check> {
      return (await run(deps, t, toolsInstalled())).code === 0 ? done('kloudspot on PATH') : todo('install the Kloudspot tools (and MicroK8s with them)');
    },

    async sharedVolume(t: SshTarget, vg: string, size: string): Promise<Check> {
      const r = await run(deps, t, listLogicalVolumes(vg));
      if (r.code !== 0) throw commandFailed(t, r, `volume group ${vg} not found`);
      if (parseLogicalVolumes(r.stdout).some((lv) => lv.name === SHARED_LV)) return done(`${vg}/${SHARED_LV} exists`);
      const free = parseVolumeGroups(await read(t, listVolumeGroups())).find((v) => v.name === vg)?.freeBytes;
      return todo(`lvcreate ${SHARED_LV} ${size} on ${vg}${free === undefined ? '' : ` (${GBs(free)} free)`}`);
    },
  };
}

export type NodeChecks = ReturnType<typeof createNodeChecks>;
