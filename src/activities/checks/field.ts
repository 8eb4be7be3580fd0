// Checks of the field-access steps (proxy, refresh hold): only query() builders, so plan runs them too.
import { readFile } from '../commands/files';
import {
  APT_PROXY_FILE, CONTAINERD_ENV_FILE, parseSnapGet, proxyBlockOf, renderAptProxy, renderContainerdEnv, SNAP_PROXY_KEYS,
  snapProxyGet, snapProxyWanted, type ProxyInput, type SnapProxyKey,
} from '../commands/proxy';
import { listSnap, parseSnapNotes } from '../commands/snap';
import { run, type ActivityDeps } from '../run';
import type { SshTarget } from '../ssh';
import { done, todo, type Check } from './check';

export interface HostProxyCheck extends Check {
  /** The apt file as it should be, or undefined when it already is. */
  aptFile?: string;
  /** snapd options to set ('' = unset); empty when they are right. */
  snapChanges: Partial<Record<SnapProxyKey, string>>;
}

export function createFieldChecks(deps: ActivityDeps) {
  return {
    /** apt's file and snapd's options: both before anything downloads (apt upgrade, the snap install). */
    async hostProxy(t: SshTarget, p: ProxyInput): Promise<HostProxyCheck> {
      const wanted = renderAptProxy(p);
      const apt = await run(deps, t, readFile(APT_PROXY_FILE));
      const aptFile = apt.code === 0 && apt.stdout === wanted ? undefined : wanted;
      const snapChanges: Partial<Record<SnapProxyKey, string>> = {};
      const want = snapProxyWanted(p);
      for (const key of SNAP_PROXY_KEYS) {
        const r = await run(deps, t, snapProxyGet(key));
        if (parseSnapGet(r.stdout, r.code) !== want[key]) snapChanges[key] = want[key];
      }
      const what = [...(aptFile ? [`${apt.code === 0 ? 'rewrite' : 'write'} ${APT_PROXY_FILE}`] : []),
        ...(Object.keys(snapChanges).length ? [`snap set system ${Object.keys(snapChanges).join(' ')}`] : [])];
      return { ...(what.length ? todo(what.join('; ')) : done('apt and snapd use the proxy')), aptFile, snapChanges };
    },

    /** containerd-env's proxy block (MicroK8s must be installed: the file is the snap's). */
    async containerdProxy(t: SshTarget, p: ProxyInput): Promise<Check & { installed: boolean; current: string; wanted: string }> {
      const r = await run(deps, t, readFile(CONTAINERD_ENV_FILE));
      if (r.code !== 0) return { ...todo('proxy block in containerd-env (judged after the Kloudspot tools install MicroK8s)'), installed: false, current: '', wanted: '' };
      const wanted = renderContainerdEnv(r.stdout, p);
      if (r.stdout === wanted) return { ...done('containerd-env holds the proxy block'), installed: true, current: r.stdout, wanted };
      return { ...todo(`${proxyBlockOf(r.stdout) ? 'replace' : 'add'} the proxy block in ${CONTAINERD_ENV_FILE}, restart containerd`), installed: true, current: r.stdout, wanted };
    },

    /** `held` in `snap list microk8s`'s Notes (a per-snap hold is not in `snap refresh --time`). */
    async refreshHold(t: SshTarget, hold: string): Promise<Check & { installed: boolean; held: boolean }> {
      const r = await run(deps, t, listSnap());
      const notes = r.code === 0 ? parseSnapNotes(r.stdout) : undefined;
      if (!notes) return { ...todo(`snap refresh --hold=${hold} microk8s (judged after MicroK8s is installed)`), installed: false, held: false };
      const held = notes.includes('held');
      return { ...(held ? done('microk8s refreshes held') : todo(`snap refresh --hold=${hold} microk8s`)), installed: true, held };
    },
  };
}

export type FieldChecks = ReturnType<typeof createFieldChecks>;
