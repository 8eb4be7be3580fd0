// A node whose hostname changed after MicroK8s was installed (a clone of a configured machine: the seed clones
// after installing the tools) keeps registering its kubelet under the old name until MicroK8s restarts; the
// cluster would then form with the clone's old name. Checked on the node itself, so a crash between the
// rename and the restart is caught by the next run.
import { kubeNotFound } from './commands/chart';
import * as m from './commands/microk8s';
import { done, todo, type Check } from './checks/check';
import { run, runLookup, waitFor, type ActivityDeps } from './run';
import type { StepResult } from './node-prep';
import type { SshTarget } from './ssh';

const READY_TIMEOUT_S = 300;

export function createKubeletNameActivities(deps: ActivityDeps) {
  /** Done when MicroK8s is not installed yet, or its Node carries `name`. */
  async function kubeletName(t: SshTarget, name: string): Promise<Check> {
    if ((await run(deps, t, m.microk8sInstalled())).code !== 0) return done('MicroK8s not installed yet: its kubelet will start under the new name');
    // A worker of a formed cluster asks its control plane; its name was checked when it joined.
    if ((await run(deps, t, m.workerClusteredLock())).code === 0) return done('a worker of the cluster');
    const ready = await run(deps, t, m.waitReady(READY_TIMEOUT_S), { timeoutMs: (READY_TIMEOUT_S + 60) * 1000 });
    if (ready.code !== 0) return todo(`restart MicroK8s (not ready: ${ready.stdout.trim().split('\n').pop() ?? ''})`);
    const node = await runLookup(deps, t, m.getNodeNamed(name), kubeNotFound('nodes', name));
    return node ? done(`Node ${name} registered`) : todo(`restart MicroK8s: its kubelet is registered under the old hostname, not ${name}`);
  }

  return {
    kubeletNameCheck: kubeletName,

    /** Restarts MicroK8s when its kubelet carries a stale name, then waits for the Node under `name`. */
    async restartMicrok8sIfRenamed(t: SshTarget, name: string): Promise<StepResult> {
      const c = await kubeletName(t, name);
      if (c.done) return { changed: false, detail: c.detail };
      await run(deps, t, m.stopMicrok8s(), { timeoutMs: 10 * 60_000 });
      await run(deps, t, m.startMicrok8s(), { timeoutMs: 10 * 60_000 });
      await waitFor(deps, `MicroK8s on ${t.node} to register Node ${name}`, READY_TIMEOUT_S * 1000, async () => {
        const now = await kubeletName(t, name);
        return now.done ? { done: true } : { seen: now.detail };
      });
      return { changed: true, detail: c.detail };
    },
  };
}
