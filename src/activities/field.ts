// Field-access steps: the proxy on apt, snapd and containerd (written once, a changed setting replaces the
// installer's block, only what changed is restarted), and MicroK8s' refresh hold, verified after it is set.
import { createFieldChecks } from './checks/field';
import { writeFile } from './commands/files';
import { APT_PROXY_FILE, CONTAINERD_ENV_FILE, restartContainerd, snapProxySet, type ProxyInput } from './commands/proxy';
import { holdRefresh } from './commands/snap';
import { verifyFailed } from './failures';
import type { StepResult } from './node-prep';
import { run, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

export function createFieldActivities(deps: ActivityDeps) {
  const checks = createFieldChecks(deps);
  return {
    /** apt's proxy file and snapd's proxy options, before the apt upgrade and the snap install need them. */
    async configureHostProxy(t: SshTarget, p: ProxyInput): Promise<StepResult> {
      const c = await checks.hostProxy(t, p);
      if (c.done) return { changed: false, detail: c.detail };
      if (c.aptFile) await run(deps, t, writeFile(APT_PROXY_FILE, c.aptFile, '0644'));
      if (Object.keys(c.snapChanges).length) await run(deps, t, snapProxySet(c.snapChanges));
      const after = await checks.hostProxy(t, p);
      if (!after.done) throw verifyFailed(`the proxy on ${t.node} is still not as the spec says: ${after.detail}`);
      return { changed: true, detail: c.detail };
    },

    /** The proxy block in containerd-env; containerd restarts only when the block changed (it reads the file at start). */
    async configureContainerdProxy(t: SshTarget, p: ProxyInput): Promise<StepResult> {
      const c = await checks.containerdProxy(t, p);
      if (c.done) return { changed: false, detail: c.detail };
      if (!c.installed) throw verifyFailed(`${CONTAINERD_ENV_FILE} is missing on ${t.node}: MicroK8s is not installed there`);
      await run(deps, t, writeFile(CONTAINERD_ENV_FILE, c.wanted, '0644'));
      await run(deps, t, restartContainerd(), { timeoutMs: 5 * 60_000 });
      if (!(await checks.containerdProxy(t, p)).done) throw verifyFailed(`${CONTAINERD_ENV_FILE} on ${t.node} lacks the proxy block after writing it`);
      return { changed: true, detail: c.detail };
    },

    /** `snap refresh --hold=<hold> microk8s`, then read back: `held` in `snap list microk8s`. */
    async holdMicroK8sRefresh(t: SshTarget, hold: string): Promise<StepResult & { held: boolean }> {
      const c = await checks.refreshHold(t, hold);
      if (c.done) return { changed: false, held: true, detail: c.detail };
      await run(deps, t, holdRefresh(hold));
      const after = await checks.refreshHold(t, hold);
      if (!after.held) throw verifyFailed(`snap refresh --hold=${hold} microk8s exited 0 on ${t.node}, but snap list does not show it held`);
      return { changed: true, held: true, detail: `held (${hold})` };
    },

  };
}
