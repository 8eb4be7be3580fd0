// Preflight: read-only facts of one node, judged against the seed's system requirements.
// Nothing here changes a node; every problem is collected, none stops the others from being found.
import { lvmSizeBytes } from '../site/sizes';
import * as f from './commands/basic';
import { GB, listLogicalVolumes, listVolumeGroups, parseLogicalVolumes, parseVolumeGroups, SHARED_LV } from './commands/lvm';
import { addonStatus, parseAddonState } from './commands/microk8s';
import type { RemoteCommand } from './commands/sh';
import { sudoPasswordProblem } from './preflight-sudo';
import { run, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

export interface PreflightInput {
  peers: { name: string; address: string }[];
  virtualIp: string;
  volumeGroup: string;
  sharedVolumeSize: string;
  /** Unshared storage every node needs on its volume group (GB). */
  unsharedGb: number;
  /** Warn below the recommended 16 cores / 64 GB (KloudManage and KloudInsights together). */
  heavy: boolean;
  /** Each node's main interface (nodes[].interface), where arping asks who has the virtual IP. */
  interfaces?: Record<string, string>;
  /** The cluster already announces the virtual IP (adding a node): an answer is expected, not a conflict. */
  virtualIpInUse?: boolean;
}

export interface NodeFacts {
  node: string;
  hostKey: string;
  os: string;
  avx: boolean;
  cores: number;
  memoryBytes: number;
  diskBytes: number;
  volumeGroupFreeBytes?: number;
  sharedVolumeExists: boolean;
  bootId: string;
  /** /etc/machine-id: compared across nodes (clones share it). Absent in histories from before it was read. */
  machineId?: string;
}

export interface PreflightResult { facts: NodeFacts; problems: string[]; warnings: string[] }

// The seed's minimum: 8 cores, 32 GB RAM, 1 TB disk. MemTotal reads a few % under the installed RAM
// (kernel reservations) and disk makers count 1 TB as 10^12 bytes, hence the slack.
export const MIN = { cores: 8, memoryBytes: 32 * 2 ** 30 * 0.9, diskBytes: 0.95e12 };
export const RECOMMENDED = { cores: 16, memoryBytes: 64 * 2 ** 30 * 0.9 };

const gb = (bytes: number) => `${(bytes / GB).toFixed(1)} GB`;

export function createPreflightActivities(deps: ActivityDeps) {
  return {
    async preflightNode(target: SshTarget, input: PreflightInput): Promise<PreflightResult> {
      const problems: string[] = [];
      const warnings: string[] = [];
      const out = async (c: RemoteCommand) => (await run(deps, target, c)).stdout;

      const osResult = await run(deps, target, f.readOsRelease());
      const os = f.parseOsRelease(osResult.stdout);
      if (os.id !== 'ubuntu' || os.versionId !== '22.04') {
        problems.push(`runs ${os.prettyName || os.id + ' ' + os.versionId}, not Ubuntu 22.04: install Ubuntu 22.04 Server`);
      }
      const avx = f.parseCpuFlags(await out(f.readCpuFlags())).includes('avx');
      if (!avx) problems.push('CPU has no AVX flag: on a VM, set the CPU type to host (or one with AVX); see the VM server docs');
      const cores = f.parseInteger(await out(f.countCores()), 'nproc');
      if (cores < MIN.cores) problems.push(`has ${cores} cores, needs at least ${MIN.cores}`);
      else if (input.heavy && cores < RECOMMENDED.cores) warnings.push(`has ${cores} cores; ${RECOMMENDED.cores} are recommended with KloudManage and KloudInsights`);
      const memoryBytes = f.parseMemTotal(await out(f.readMemInfo()));
      if (memoryBytes < MIN.memoryBytes) problems.push(`has ${gb(memoryBytes)} RAM, needs at least 32 GB`);
      else if (input.heavy && memoryBytes < RECOMMENDED.memoryBytes) warnings.push(`has ${gb(memoryBytes)} RAM; 64 GB are recommended with KloudManage and KloudInsights`);
      const diskBytes = f.parseDisks(await out(f.listDisks())).reduce((n, d) => n + d.bytes, 0);
      if (diskBytes < MIN.diskBytes) problems.push(`has ${gb(diskBytes)} of disk, needs at least 1 TB`);

      // Without working sudo the LVM facts cannot be read: report the sudo problem, skip them.
      const sudoProblem = await sudoPasswordProblem(deps, target);
      if (sudoProblem) problems.push(sudoProblem);
      const vgs = sudoProblem ? undefined : parseVolumeGroups(await out(listVolumeGroups()));
      const vg = vgs?.find((v) => v.name === input.volumeGroup);
      const lvs = sudoProblem ? undefined : await run(deps, target, listLogicalVolumes(input.volumeGroup));
      const sharedVolumeExists = lvs?.code === 0 && parseLogicalVolumes(lvs.stdout).some((lv) => lv.name === SHARED_LV);
      if (vgs && !vg) {
        problems.push(`has no LVM volume group ${input.volumeGroup} (found: ${vgs.map((v) => v.name).join(', ') || 'none'}): set lvm.volumeGroup in the spec`);
      } else if (vg) {
        const need = (sharedVolumeExists ? 0 : lvmSizeBytes(input.sharedVolumeSize)) + input.unsharedGb * GB;
        if (vg.freeBytes < need) {
          problems.push(`volume group ${vg.name} has ${gb(vg.freeBytes)} free, needs ${gb(need)} (shared volume ${sharedVolumeExists ? 'exists' : input.sharedVolumeSize} + ${input.unsharedGb} GB unshared storage): extend the volume group or lower storage sizes`);
        }
      }

      for (const peer of input.peers) {
        if (peer.address === target.host) continue;
        const r = await run(deps, target, f.ping(peer.address));
        if (r.code !== 0) problems.push(`cannot reach ${peer.name} (${peer.address}): check cabling, VLANs and firewalls`);
      }
      const vip = input.virtualIpInUse ? undefined : await run(deps, target, f.ping(input.virtualIp));
      // A host that drops ICMP still answers ARP: where arping is installed (and sudo works), ask it too.
      const iface = input.interfaces?.[target.node];
      const arp = vip && vip.code !== 0 && iface && !sudoProblem ? await run(deps, target, f.arpingDad(iface, input.virtualIp)) : undefined;
      if (vip?.code === 0 || arp?.code === 1) {
        // On a re-run the VIP answers because our own MetalLB announces it: that is not a conflict.
        const metallb = sudoProblem ? undefined : await run(deps, target, { ...addonStatus('metallb'), okCodes: [0, 1, 127] });
        // A worker answers for the cluster instead (status.py: "acting as a node in a cluster"): it is joined, so
        // the address is our MetalLB's too.
        const joinedWorker = metallb?.code === 0 && /^This MicroK8s deployment is acting as a node in a cluster\.$/m.test(metallb.stdout);
        const ours = metallb?.code === 0 && (joinedWorker || safeAddonState(metallb.stdout) === 'enabled');
        if (!ours) {
          problems.push(`the virtual IP ${input.virtualIp} already answers ${vip?.code === 0 ? 'ping' : 'ARP (arping -D), though not ping'}: ` +
            'another machine uses it; pick a free address for virtualIp');
        }
      }
      const bootId = (await out(f.readBootId())).trim();
      const machineId = f.parseMachineId((await run(deps, target, f.readMachineId())).stdout);
      if (!machineId) problems.push('has no valid /etc/machine-id: run `sudo systemd-machine-id-setup` on it');
      return {
        facts: { node: target.node, hostKey: osResult.hostKey, os: os.prettyName, avx, cores, memoryBytes, diskBytes,
          volumeGroupFreeBytes: vg?.freeBytes, sharedVolumeExists, bootId, ...(machineId ? { machineId } : {}) },
        problems,
        warnings,
      };
    },
  };
}

function safeAddonState(text: string): string | undefined {
  try {
    return parseAddonState(text);
  } catch {
    return undefined;
  }
}
