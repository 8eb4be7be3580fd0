// reset's activities: the survey (read-only: the checks alone on read-only deps) and one activity per undo
// step. Each asks its check first and acts only when something is left, then verifies: a retry after a crash
// (the worker's, the node's or the connection's) finds the effect there and changes nothing twice.
import { APT_PROXY_FILE, createResetChecks, type ResetChecks } from './checks/reset';
import type { Check } from './checks/check';
import { listPods, parsePods, VALUES_FILE } from './commands/chart';
import { HOSTS_FILE, hostsFileWithoutBlock, removeFile, writeFile } from './commands/files';
import { removeLogicalVolume, SHARED_LV } from './commands/lvm';
import * as m from './commands/microk8s';
import { NETPLAN_DIR, NETPLAN_RESET_SCRIPT, NETPLAN_RESET_UNIT, netplanResetDetached, renderResetScript } from './commands/netplan';
import { deletePoolCluster, deleteStorageClass } from './commands/openebs';
import { snapRemovePurge } from './commands/snap';
import { disableIscsid } from './commands/systemd';
import { kloudspotStop, removeToolsCli } from './commands/tools';
import { verifyFailed } from './failures';
import type { StepResult } from './node-prep';
import { commandFailed, run, waitFor, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';
import { startDetached, unitBusy } from './static-address';

/** What reset would remove: `remove` (something is there), `absent` (already undone), `unknown` (not reachable). */
export interface ResetItem { node: string; step: string; state: 'remove' | 'absent' | 'unknown'; detail: string }

export interface ResetNodeInput { name: string; target: SshTarget; worker: boolean; interface: string; cidr: string; first: boolean }
export interface ResetSurveyInput { first: SshTarget; node: ResetNodeInput; volumeGroup: string; addons: string[] }

const item = (node: string, step: string, c: Check): ResetItem => ({ node, step, state: c.done ? 'absent' : 'remove', detail: c.detail });

/** The per-node checks in the order reset runs them: what `survey` lists and the steps act on. */
async function nodeItems(c: ResetChecks, i: ResetSurveyInput): Promise<ResetItem[]> {
  const { node } = i;
  const out: ResetItem[] = [];
  if (!node.first) out.push(item(node.name, 'leave', await c.member(i.first, node.target, node.worker)));
  out.push(
    item(node.name, 'remove-microk8s', await c.microk8s(node.target)),
    item(node.name, 'remove-tools', await c.toolsCli(node.target)),
    item(node.name, 'remove-values-file', await c.valuesFile(node.target)),
    item(node.name, 'remove-shared-volume', await c.sharedVolume(node.target, i.volumeGroup)),
    item(node.name, 'disable-iscsid', await c.iscsid(node.target)),
    item(node.name, 'remove-hosts-block', await c.hostsBlock(node.target)),
    item(node.name, 'remove-apt-proxy', await c.aptProxy(node.target)),
    item(node.name, 'reset-netplan', await c.netplan(node.target, node.interface, node.cidr)),
  );
  return out;
}

export function createResetActivities(deps: ActivityDeps) {
  const c = createResetChecks(deps);
  const survey = createResetChecks({ ...deps, readOnly: true });
  const unchanged = (ch: Check): StepResult => ({ changed: false, detail: ch.detail });

  return {
    /** Read-only: one node's items; on the first manager also the cluster's (chart, pool, add-ons). */
    async surveyResetNode(i: ResetSurveyInput): Promise<ResetItem[]> {
      const cluster: ResetItem[] = [];
      if (i.node.first) {
        cluster.push(item(i.node.name, 'stop-chart', await survey.chart(i.first)));
        cluster.push(item(i.node.name, 'delete-pool', await survey.pool(i.first)));
        for (const a of i.addons) cluster.push(item(i.node.name, `disable-${a}`, await survey.addon(i.first, a)));
      }
      return [...cluster, ...await nodeItems(survey, i)];
    },

    /** `kloudspot stop`, then until the chart's pods are gone. */
    async resetChart(first: SshTarget, timeoutMs: number): Promise<StepResult> {
      const ch = await c.chart(first);
      if (ch.done) return unchanged(ch);
      const r = await run(deps, first, kloudspotStop(), { timeoutMs: 30 * 60_000 });
      if (!(await c.chart(first)).done) throw commandFailed(first, r, 'the release is still there');
      await waitFor(deps, 'the chart\'s pods to go', timeoutMs, async () => {
        const pods = parsePods((await run(deps, first, listPods())).stdout);
        return pods.length === 0 ? { done: true } : { seen: `${pods.length} pods left` };
      });
      return { changed: true };
    },

    async removeValuesFile(t: SshTarget): Promise<StepResult> {
      const ch = await c.valuesFile(t);
      if (ch.done) return unchanged(ch);
      await run(deps, t, removeFile(VALUES_FILE));
      return { changed: true };
    },

    async deleteCstorPool(first: SshTarget): Promise<StepResult> {
      const ch = await c.pool(first);
      if (ch.done) return unchanged(ch);
      await run(deps, first, deletePoolCluster());
      await run(deps, first, deleteStorageClass());
      if (!(await c.pool(first)).done) throw verifyFailed(`the cStor pool is still there on ${first.node} after kubectl delete`);
      return { changed: true };
    },

    async disableAddon(first: SshTarget, addon: string): Promise<StepResult> {
      const ch = await c.addon(first, addon);
      if (ch.done) return unchanged(ch);
      const r = await run(deps, first, m.disableAddon(addon), { timeoutMs: 15 * 60_000 });
      if (!(await c.addon(first, addon)).done) throw commandFailed(first, r, `microk8s disable ${addon} exited ${r.code} but ${addon} is still enabled`);
      return { changed: true };
    },

    /** `microk8s leave` on the departing node (leave.py takes a control-plane node out of dqlite itself). */
    async leaveCluster(first: SshTarget, node: SshTarget, worker: boolean): Promise<StepResult> {
      const ch = await c.member(first, node, worker);
      if (ch.done) return unchanged(ch);
      const r = await run(deps, node, m.leave(), { timeoutMs: 10 * 60_000 });
      // An earlier attempt that lost its answer may have left already: the membership check decides, not the code.
      if (!(await c.member(first, node, worker)).done) throw commandFailed(node, r, 'the node is still in the cluster after microk8s leave');
      return { changed: r.code === 0 };
    },

    /** `microk8s remove-node` on the survivor; `force` when the node could not leave (its dqlite entry is dropped too). */
    async removeClusterNode(first: SshTarget, name: string, address: string, force: boolean): Promise<StepResult> {
      const ch = await c.registered(first, name, address);
      if (ch.done) return unchanged(ch);
      const r = await run(deps, first, m.removeNode(name, force), { timeoutMs: 5 * 60_000 });
      if (!(await c.registered(first, name, address)).done) throw commandFailed(first, r, `${name} is still in the cluster after microk8s remove-node`);
      return { changed: true };
    },

    async removeMicrok8s(t: SshTarget): Promise<StepResult> {
      const ch = await c.microk8s(t);
      if (ch.done) return unchanged(ch);
      const r = await run(deps, t, snapRemovePurge(), { timeoutMs: 20 * 60_000 });
      if (!(await c.microk8s(t)).done) throw commandFailed(t, r, 'the microk8s snap is still installed');
      return { changed: true };
    },

    async removeToolsCli(t: SshTarget): Promise<StepResult> {
      const ch = await c.toolsCli(t);
      if (ch.done || !ch.path) return unchanged(ch);
      await run(deps, t, removeToolsCli(ch.path));
      return { changed: true };
    },

    async removeSharedVolume(t: SshTarget, vg: string): Promise<StepResult> {
      const ch = await c.sharedVolume(t, vg);
      if (ch.done) return unchanged(ch);
      const r = await run(deps, t, { ...removeLogicalVolume(vg, SHARED_LV), okCodes: [0, 5] });
      if (!(await c.sharedVolume(t, vg)).done) throw commandFailed(t, r, `${vg}/${SHARED_LV} is still there`);
      return { changed: true };
    },

    async disableIscsid(t: SshTarget): Promise<StepResult> {
      const ch = await c.iscsid(t);
      if (ch.done) return unchanged(ch);
      await run(deps, t, disableIscsid());
      return { changed: true };
    },

    async removeHostsBlock(t: SshTarget): Promise<StepResult> {
      const ch = await c.hostsBlock(t);
      if (ch.done) return unchanged(ch);
      await run(deps, t, writeFile(HOSTS_FILE, hostsFileWithoutBlock(ch.current), '0644'));
      return { changed: true };
    },

    async removeAptProxy(t: SshTarget): Promise<StepResult> {
      const ch = await c.aptProxy(t);
      if (ch.done) return unchanged(ch);
      await run(deps, t, removeFile(APT_PROXY_FILE));
      return { changed: true };
    },

    /**
     * Scheduled, not waited for: afterwards the node may answer on another (DHCP) address, or not at all. The
     * kept originals go back (or, after an older install, a DHCP stanza is rebuilt and the detail says what was not
     * restored); an armed or running reset unit is left alone, so a retry writes nothing twice.
     */
    async resetNetplan(t: SshTarget, iface: string, cidr: string): Promise<StepResult> {
      const ch = await c.netplan(t, iface, cidr);
      if (ch.done) return unchanged(ch);
      if (await unitBusy(deps, t, NETPLAN_RESET_UNIT)) return { changed: false, detail: `${NETPLAN_RESET_UNIT} already scheduled` };
      if (ch.rebuild) await run(deps, t, writeFile(`${NETPLAN_DIR}/${ch.rebuild.name}`, ch.rebuild.content, '0600'));
      await run(deps, t, writeFile(NETPLAN_RESET_SCRIPT, renderResetScript(ch.restore), '0700'));
      const started = await startDetached(deps, t, NETPLAN_RESET_UNIT, netplanResetDetached());
      deps.pool.drop(t);
      return { changed: started === 'started', detail: `in 2 s: ${ch.detail}` };
    },
  };
}
