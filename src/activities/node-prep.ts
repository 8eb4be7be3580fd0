// prepare-node steps. Each checks first whether its effect is already there, acts, then verifies,
// so a retry after a crash (ours, the worker's or the node's) is a no-op rather than a second effect.
import { ApplicationFailure } from '@temporalio/activity';
import * as f from './commands/facts';
import * as p from './commands/node-prep';
import { commandFailed, run, waitFor, type ActivityDeps } from './run';
import { SshConnectError, type SshTarget } from './ssh';

export interface StepResult { changed: boolean; detail?: string }
export interface StaticAddressInput { interface: string; address: string; prefixLength: number; gateway: string; nameservers: string[] }

/** apt may wait up to 15 min for the dpkg lock (DPkg::Lock::Timeout=900), then download and unpack. */
const APT_TIMEOUT_MS = 30 * 60_000;

export function createNodePrepActivities(deps: ActivityDeps) {
  const read = async (t: SshTarget, c: ReturnType<typeof f.readBootId>, step: string) => (await run(deps, t, c, step)).stdout;

  return {
    async upgradePackages(t: SshTarget): Promise<StepResult> {
      const step = 'apt upgrade';
      await run(deps, t, p.aptUpdate(), step, { timeoutMs: APT_TIMEOUT_MS });
      const pending = p.parseAptSummary(await read(t, p.aptSimulateUpgrade(), step));
      if (pending.upgraded + pending.newlyInstalled === 0) return { changed: false, detail: 'no upgrades pending' };
      const upgrade = () => run(deps, t, { ...p.aptDistUpgrade(), okCodes: [0, 100] }, step, { timeoutMs: APT_TIMEOUT_MS });
      let r = await upgrade();
      // An earlier attempt cut off mid-unpack (worker killed, node rebooted, connection lost) leaves dpkg
      // half done, and apt refuses until it is finished: finish it, then upgrade what is left.
      if (r.code !== 0 && p.dpkgWasInterrupted(r.stderr)) {
        await run(deps, t, p.dpkgConfigurePending(), step, { timeoutMs: APT_TIMEOUT_MS });
        r = await upgrade();
      }
      if (r.code !== 0) throw commandFailed(t, step, r);
      const done = p.parseAptSummary(r.stdout);
      return { changed: true, detail: `${done.upgraded} upgraded, ${done.newlyInstalled} newly installed` };
    },

    async readBootState(t: SshTarget): Promise<{ bootId: string; rebootRequired: boolean }> {
      const step = 'reboot check';
      const bootId = (await read(t, f.readBootId(), step)).trim();
      const required = (await run(deps, t, p.rebootRequired(), step)).code === 0;
      return { bootId, rebootRequired: required };
    },

    /** Asks for a reboot unless the node already booted since `bootIdBefore`. */
    async requestReboot(t: SshTarget, bootIdBefore: string): Promise<StepResult> {
      const step = 'reboot';
      const now = (await read(t, f.readBootId(), step)).trim();
      if (now !== bootIdBefore) return { changed: false, detail: 'already rebooted' };
      const r = await run(deps, t, p.scheduleReboot(), step);
      if (r.code !== 0 && !/already exists/.test(r.stderr)) throw commandFailed(t, step, r);
      deps.pool.drop(t);
      return { changed: true };
    },

    /** Waits until the node answers with a boot id other than `bootIdBefore` and has finished booting. */
    async waitForBoot(t: SshTarget, bootIdBefore: string, timeoutMs: number): Promise<StepResult> {
      const step = 'wait for reboot';
      const bootId = await waitFor(deps, `${t.node} to come back with a new boot id`, timeoutMs, async () => {
        try {
          const id = (await read(t, f.readBootId(), step)).trim();
          return id !== bootIdBefore ? { done: id } : { seen: 'the old boot id (not yet rebooted)' };
        } catch (err) {
          const cause = (err as ApplicationFailure).cause ?? err;
          if ((err as ApplicationFailure).type === 'SshUnavailable' || cause instanceof SshConnectError) {
            return { seen: `ssh: ${(err as Error).message}` };
          }
          throw err;
        }
      });
      // `--wait` blocks until boot has finished: as long as the reboot may take.
      await run(deps, t, p.systemRunningState(), step, { timeoutMs });
      return { changed: false, detail: `booted ${bootId}` };
    },

    async setHostname(t: SshTarget, name: string): Promise<StepResult> {
      const step = 'hostname';
      if ((await read(t, p.readStaticHostname(), step)).trim() === name) return { changed: false };
      await run(deps, t, p.setHostname(name), step);
      const now = (await read(t, p.readStaticHostname(), step)).trim();
      if (now !== name) throw ApplicationFailure.create({ type: 'VerifyFailed', message: `hostname on ${t.node} is ${now} after setting ${name}` });
      return { changed: true };
    },

    async writeHostsFile(t: SshTarget, self: string, nodes: { name: string; address: string }[]): Promise<StepResult> {
      const step = '/etc/hosts';
      const current = await read(t, p.readFile('/etc/hosts'), step);
      const wanted = p.renderHostsFile(current, self, nodes);
      if (current === wanted) return { changed: false };
      await run(deps, t, p.writeFile('/etc/hosts', wanted, '0644'), step);
      return { changed: true };
    },

    /** The seed's static address, applied without cutting the connection we came in on. */
    async configureStaticAddress(t: SshTarget, a: StaticAddressInput): Promise<StepResult> {
      const step = 'static address';
      const wanted = p.renderNetplan(a.interface, a.address, a.prefixLength, a.gateway, a.nameservers);
      const cidr = `${a.address}/${a.prefixLength}`;
      // Static, not merely present: the DHCP lease usually has the same address until netplan applies.
      const hasAddress = async () => f.parseStaticAddresses((await run(deps, t, f.showInterfaceAddresses(a.interface), step)).stdout).includes(cidr);
      const current = await run(deps, t, p.readFile(p.NETPLAN_FILE), step);
      if (current.code === 0 && current.stdout === wanted && await hasAddress()) return { changed: false };
      if (current.code !== 0 || current.stdout !== wanted) {
        await run(deps, t, p.writeFile(p.NETPLAN_FILE, wanted, '0600'), step);
        await run(deps, t, p.netplanGenerate(), step);
      }
      const apply = await run(deps, t, { ...p.netplanApplyDetached(), okCodes: [0, 1] }, step);
      if (apply.code !== 0 && !/already exists/.test(apply.stderr)) throw commandFailed(t, step, apply);
      await waitFor(deps, `${cidr} on ${a.interface}`, 120_000, async () =>
        (await hasAddress()) ? { done: true } : { seen: 'address not yet static on the interface' });
      return { changed: true };
    },

    async installTools(t: SshTarget, url: string): Promise<StepResult> {
      const step = 'kloudspot tools';
      if ((await run(deps, t, p.toolsInstalled(), step)).code === 0) return { changed: false };
      await run(deps, t, p.installTools(url), step, { timeoutMs: 20 * 60_000 });
      const r = await run(deps, t, p.toolsInstalled(), step);
      if (r.code !== 0) throw commandFailed(t, step, r, 'the tools script ran but `kloudspot` is not on PATH');
      return { changed: true };
    },

    async createSharedVolume(t: SshTarget, vg: string, size: string): Promise<StepResult> {
      const step = 'shared volume';
      const has = async () => {
        const r = await run(deps, t, p.listLogicalVolumes(vg), step);
        if (r.code !== 0) throw commandFailed(t, step, r, `volume group ${vg} not found`);
        return p.parseLogicalVolumes(r.stdout).some((lv) => lv.name === 'shared');
      };
      if (await has()) return { changed: false };
      await run(deps, t, p.createLogicalVolume(vg, 'shared', size), step);
      if (!(await has())) throw ApplicationFailure.create({ type: 'VerifyFailed', message: `lvcreate reported success but ${vg}/shared is missing on ${t.node}` });
      return { changed: true };
    },
  };
}
