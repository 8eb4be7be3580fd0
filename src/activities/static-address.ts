// The seed's static address: the interface's stanza replaced (not added to: netplan concatenates lists across
// files), applied by a detached timer, with a way back armed first. The old configuration returns by itself
// unless a fresh SSH connection to the new address works, so a wrong gateway cannot lock the installer out.
import type { ApplicationFailure } from '@temporalio/activity';
import { readBootId } from './commands/basic';
import { readFile, writeFile } from './commands/files';
import * as netplan from './commands/netplan';
import type { RemoteCommand } from './commands/sh';
import * as systemd from './commands/systemd';
import { createNodeChecks, type StaticAddressInput } from './checks/node';
import { FailureType } from './failures';
import { commandFailed, run, waitFor, type ActivityDeps } from './run';
import { SshConnectError, type SshTarget } from './ssh';

/** Whether a transient unit is armed or running: its timer waiting, or its service at work. */
export async function unitBusy(deps: ActivityDeps, t: SshTarget, unit: string): Promise<boolean> {
  const timer = systemd.parseUnitState((await run(deps, t, systemd.unitState(`${unit}.timer`))).stdout);
  if (timer.active === 'active' && timer.sub === 'waiting') return true;
  const service = systemd.parseUnitState((await run(deps, t, systemd.unitState(`${unit}.service`))).stdout);
  return service.active === 'active' || service.active === 'activating' || service.active === 'deactivating';
}

/**
 * Starts `c` (a systemd.runLater) unless its unit is already armed. Judged by the unit's state, not by
 * systemd-run's message: an elapsed timer kept loaded (RemainAfterElapse=yes, the default of earlier runs)
 * or a failed service also say "already exists", and neither is pending.
 */
export async function startDetached(deps: ActivityDeps, t: SshTarget, unit: string, c: RemoteCommand): Promise<'started' | 'pending'> {
  if (await unitBusy(deps, t, unit)) return 'pending';
  const timer = systemd.parseUnitState((await run(deps, t, systemd.unitState(`${unit}.timer`))).stdout);
  if (timer.active !== 'inactive') await run(deps, t, systemd.stopUnit(`${unit}.timer`));
  await run(deps, t, systemd.resetFailed(`${unit}.service`));
  const r = await run(deps, t, { ...c, okCodes: [0, 1] });
  if (r.code !== 0) throw commandFailed(t, r);
  return 'started';
}

/** A new connection (not the pooled one) answers on the node's address: the new configuration did not lock us out. */
async function confirmNewAddress(deps: ActivityDeps, t: SshTarget, timeoutMs: number): Promise<void> {
  deps.pool.drop(t);
  await waitFor(deps, `a new SSH connection to ${t.host}`, timeoutMs, async () => {
    try {
      await run(deps, t, readBootId());
      return { done: true };
    } catch (err) {
      const cause = (err as ApplicationFailure).cause ?? err;
      if ((err as ApplicationFailure).type === FailureType.SshUnavailable || cause instanceof SshConnectError) return { seen: `ssh: ${(err as Error).message}` };
      throw err;
    }
  });
}

/** Cancels the way back and forgets the saved files: the new address works. */
async function keepNewConfiguration(deps: ActivityDeps, t: SshTarget, names: string[]): Promise<void> {
  await run(deps, t, netplan.cancelNetplanRestore());
  await run(deps, t, netplan.forgetNetplanBackups(names));
}

export async function configureStaticAddress(deps: ActivityDeps, t: SshTarget, a: StaticAddressInput): Promise<{ changed: boolean }> {
  const cidr = `${a.address}/${a.prefixLength}`;
  const checks = createNodeChecks(deps);
  const c = await checks.staticAddress(t, a);
  const names = c.files.map((f) => f.name);
  const script = await run(deps, t, readFile(netplan.NETPLAN_RESTORE_SCRIPT));
  if (c.done) {
    if (script.code !== 0) return { changed: false };
    // An earlier attempt applied the address and stopped before forgetting the way back (cut off, or the node
    // rebooted since): the address is live, so it is confirmed and kept, not written and applied a second time.
    await confirmNewAddress(deps, t, 60_000);
    await keepNewConfiguration(deps, t, names);
    return { changed: true };
  }
  // The way back, saved once: a retry finds the script and keeps the first attempt's copies (the originals).
  // Reset's copy of a file as it was before any install is kept apart and never overwritten by a later install.
  if (script.code !== 0) {
    const saved = c.writes.filter((w) => names.includes(w.name)).map((w) => w.name);
    const kept = netplan.parseNetplanDir((await run(deps, t, netplan.listNetplanOriginals())).stdout);
    for (const name of saved) {
      const content = c.files.find((f) => f.name === name)!.content;
      // Our own file (a later install changing the address) is no original: reset removes it.
      const original = !kept.includes(name) && `${netplan.NETPLAN_DIR}/${name}` !== netplan.NETPLAN_FILE;
      if (original) await run(deps, t, writeFile(`${netplan.NETPLAN_ORIGINALS_DIR}/${name}`, content, '0600'));
      await run(deps, t, writeFile(`${netplan.NETPLAN_BACKUP_DIR}/${name}`, content, '0600'));
    }
    const created = c.writes.filter((w) => !names.includes(w.name)).map((w) => w.name);
    await run(deps, t, writeFile(netplan.NETPLAN_RESTORE_SCRIPT, netplan.renderRestoreScript(saved, created), '0700'));
  }
  await startDetached(deps, t, netplan.NETPLAN_RESTORE_UNIT, netplan.armNetplanRestore());
  for (const w of c.writes) await run(deps, t, writeFile(`${netplan.NETPLAN_DIR}/${w.name}`, w.content, '0600'));
  await run(deps, t, netplan.netplanGenerate());
  await startDetached(deps, t, netplan.NETPLAN_APPLY_UNIT, netplan.netplanApplyDetached());
  await waitFor(deps, `netplan apply, then ${cidr} alone on ${a.interface}`, 120_000, async () => {
    if (await unitBusy(deps, t, netplan.NETPLAN_APPLY_UNIT)) return { seen: `${netplan.NETPLAN_APPLY_UNIT} not yet run` };
    return (await checks.staticAddress(t, a)).alone ? { done: true } : { seen: 'the interface does not yet have the static address alone' };
  });
  await confirmNewAddress(deps, t, 60_000);
  await keepNewConfiguration(deps, t, [...new Set([...names, ...c.writes.map((w) => w.name)])]);
  return { changed: true };
}
