// prepare-node steps. Each checks first whether its effect is already there, acts, then verifies,
// so a retry after a crash (ours, the worker's or the node's) is a no-op rather than a second effect.
import type { ApplicationFailure } from '@temporalio/activity';
import * as apt from './commands/apt';
import { readBootId } from './commands/basic';
import { HOSTS_FILE, writeFile } from './commands/files';
import { createLogicalVolume, SHARED_LV } from './commands/lvm';
import type { RemoteCommand } from './commands/sh';
import * as systemd from './commands/systemd';
import * as tools from './commands/tools';
import { FailureType, verifyFailed } from './failures';
import { createNodeChecks, type StaticAddressInput } from './checks/node';
import { commandFailed, run, waitFor, type ActivityDeps } from './run';
import { installVerifiedTools } from './tools-install';
import { configureStaticAddress } from './static-address';
import { SshConnectError, type ExecResult, type SshTarget } from './ssh';

export interface StepResult { changed: boolean; detail?: string }

/** apt may wait up to 15 min for the dpkg lock (DPkg::Lock::Timeout=900), then download and unpack. */
const APT_TIMEOUT_MS = 30 * 60_000;
/** apt-daily's run after boot takes a minute or two; a lock held longer than this is someone's manual apt. */
const APT_LOCK_WAIT_MS = 15 * 60_000;

export function createNodePrepActivities(deps: ActivityDeps) {
  const read = async (t: SshTarget, c: RemoteCommand) => (await run(deps, t, c)).stdout;
  // The "already done?" half of each step: the same functions plan runs alone.
  const checks = createNodeChecks(deps);

  /** Runs an apt command, waiting while another apt (apt-daily at boot) holds its lists or archives lock. */
  const untilAptLockFree = (t: SshTarget, c: RemoteCommand) =>
    waitFor<ExecResult>(deps, `${t.node}: another apt (apt-daily after boot?) to release its lock`, APT_LOCK_WAIT_MS, async () => {
      const r = await run(deps, t, { ...c, okCodes: [0, 100] }, { timeoutMs: APT_TIMEOUT_MS });
      return r.code !== 0 && apt.aptLockBusy(r.stderr) ? { seen: r.stderr.trim().split('\n')[0] } : { done: r };
    });

  return {
    async upgradePackages(t: SshTarget): Promise<StepResult> {
      const updated = await untilAptLockFree(t, apt.aptUpdate());
      if (updated.code !== 0) throw commandFailed(t, updated);
      const pending = await checks.packages(t);
      if (pending.done) return { changed: false, detail: pending.detail };
      const upgrade = () => untilAptLockFree(t, apt.aptDistUpgrade());
      let r = await upgrade();
      // An earlier attempt cut off mid-unpack (worker killed, node rebooted, connection lost) leaves dpkg
      // half done, and apt refuses until it is finished: finish it, then upgrade what is left.
      if (r.code !== 0 && apt.dpkgWasInterrupted(r.stderr)) {
        await run(deps, t, apt.dpkgConfigurePending(), { timeoutMs: APT_TIMEOUT_MS });
        r = await upgrade();
      }
      if (r.code !== 0) throw commandFailed(t, r);
      const done = apt.parseAptSummary(r.stdout);
      return { changed: true, detail: `${done.upgraded} upgraded, ${done.newlyInstalled} newly installed` };
    },

    async readBootState(t: SshTarget): Promise<{ bootId: string; rebootRequired: boolean }> {
      const bootId = (await read(t, readBootId())).trim();
      return { bootId, rebootRequired: !(await checks.reboot(t)).done };
    },

    /** Asks for a reboot unless the node already booted since `bootIdBefore`. */
    async requestReboot(t: SshTarget, bootIdBefore: string): Promise<StepResult> {
      const now = (await read(t, readBootId())).trim();
      if (now !== bootIdBefore) return { changed: false, detail: 'already rebooted' };
      const r = await run(deps, t, systemd.scheduleReboot());
      if (r.code !== 0 && !systemd.unitAlreadyExists(r.stderr)) throw commandFailed(t, r);
      deps.pool.drop(t);
      return { changed: true };
    },

    /** Waits until the node answers with a boot id other than `bootIdBefore` and has finished booting. */
    async waitForBoot(t: SshTarget, bootIdBefore: string, timeoutMs: number): Promise<StepResult> {
      const bootId = await waitFor(deps, `${t.node} to come back with a new boot id`, timeoutMs, async () => {
        try {
          const id = (await read(t, readBootId())).trim();
          return id !== bootIdBefore ? { done: id } : { seen: 'the old boot id (not yet rebooted)' };
        } catch (err) {
          const cause = (err as ApplicationFailure).cause ?? err;
          if ((err as ApplicationFailure).type === FailureType.SshUnavailable || cause instanceof SshConnectError) {
            return { seen: `ssh: ${(err as Error).message}` };
          }
          throw err;
        }
      });
      // `--wait` blocks until boot has finished: as long as the reboot may take.
      await run(deps, t, systemd.systemRunningState(), { timeoutMs });
      return { changed: false, detail: `booted ${bootId}` };
    },

    async setHostname(t: SshTarget, name: string): Promise<StepResult> {
      if ((await checks.hostname(t, name)).done) return { changed: false };
      await run(deps, t, systemd.setHostname(name));
      const now = (await read(t, systemd.readStaticHostname())).trim();
      if (now !== name) throw verifyFailed(`hostname on ${t.node} is ${now} after setting ${name}`);
      return { changed: true };
    },

    async writeHostsFile(t: SshTarget, self: string, nodes: { name: string; address: string }[]): Promise<StepResult> {
      const c = await checks.hostsFile(t, self, nodes);
      if (c.done) return { changed: false };
      await run(deps, t, writeFile(HOSTS_FILE, c.wanted, '0644'));
      return { changed: true };
    },

    /** The seed's static address, applied without cutting the connection we came in on (static-address.ts). */
    async configureStaticAddress(t: SshTarget, a: StaticAddressInput): Promise<StepResult> {
      return configureStaticAddress(deps, t, a);
    },

    async installTools(t: SshTarget, url: string, sha256?: string): Promise<StepResult> {
      if ((await checks.tools(t)).done) return { changed: false };
      await installVerifiedTools(deps, t, url, sha256);
      const r = await run(deps, t, tools.toolsInstalled());
      if (r.code !== 0) throw commandFailed(t, r, 'the tools script ran but `kloudspot` is not on PATH');
      return { changed: true };
    },

    async createSharedVolume(t: SshTarget, vg: string, size: string): Promise<StepResult> {
      const has = async () => (await checks.sharedVolume(t, vg, size)).done;
      if (await has()) return { changed: false };
      await run(deps, t, createLogicalVolume(vg, SHARED_LV, size));
      if (!(await has())) throw verifyFailed(`lvcreate reported success but ${vg}/${SHARED_LV} is missing on ${t.node}`);
      return { changed: true };
    },
  };
}
