// kubectl (MicroK8s' own, through sudo): apply from stdin, and `kubectl wait`: a watch on the API server that
// returns the moment a condition holds, used between the checks of a wait instead of sleeping a poll interval.
// The check stays the judge; this only says when to look again.
// Forms from `kubectl wait --help` (kubectl 1.32): --for=condition=Ready, --for=jsonpath='{.status.phase}'=ONLINE.
// Output (../shared/research/commands.md, "Pods ready"): `pod/x condition met` per object; rc 1 with
// `error: timed out waiting for the condition on pods/x`, `error: no matching resources found`, or
// `Error from server (NotFound): nodes "x" not found` for a named object that does not exist yet.
import { cmd, query, raw, sh, SUDO, type RemoteCommand } from './sh';

export const KUBECTL = raw(`${SUDO.text} microk8s kubectl`);
/** Creates or updates what stdin holds; `kubectl apply` is a no-op when nothing changed. */
export const applyManifest = (): RemoteCommand => cmd(sh`${KUBECTL} apply -f -`);

export interface KubeWait {
  /** `node/node2`, `pod`, `cspi`. */
  resource: string;
  namespace?: string;
  /** `condition=Ready`, `jsonpath={.status.phase}=ONLINE`. */
  for: string;
  /** Every object of the resource in the namespace (with `resource` naming a type, not an object). */
  all?: boolean;
  /** `-l`: a label selector. */
  selector?: string;
  /** `--field-selector`: `status.phase!=Succeeded` leaves out finished Job pods, which are never Ready. */
  fieldSelector?: string;
}

/** Exit 1 is a wait that ended without the condition (timed out, nothing there yet): the caller checks again. */
export function kubectlWait(w: KubeWait, timeoutSeconds: number): RemoteCommand {
  const ns = w.namespace ? sh` -n ${w.namespace}` : '';
  const all = w.all ? ' --all' : '';
  const selector = w.selector ? sh` -l ${w.selector}` : '';
  const fields = w.fieldSelector ? sh` ${`--field-selector=${w.fieldSelector}`}` : '';
  const timeout = `--timeout=${Math.max(1, Math.round(timeoutSeconds))}s`;
  return query(sh`${KUBECTL}${raw(ns)} wait ${`--for=${w.for}`} ${w.resource}${raw(all + selector + fields)} ${timeout}`, { okCodes: [0, 1] });
}

/**
 * `kubectl drain`: cordon, then evict every pod but DaemonSets' through the eviction API, which honours
 * PodDisruptionBudgets. A --timeout bounds the retries of a refused eviction (kubectl's default waits forever).
 * `disableEviction` deletes instead: budgets are bypassed (a person's choice, never the default).
 */
export function drainNode(node: string, timeoutSeconds: number, disableEviction = false): RemoteCommand {
  const force = disableEviction ? ' --disable-eviction' : '';
  return cmd(sh`${KUBECTL} drain ${node} --ignore-daemonsets --delete-emptydir-data ${`--timeout=${Math.max(1, Math.round(timeoutSeconds))}s`}` + force, { okCodes: [0, 1] });
}
export const uncordonNode = (node: string): RemoteCommand => cmd(sh`${KUBECTL} uncordon ${node}`);

/** The pods a drain could not evict because of a disruption budget (`error when evicting pods/"p" -n "ns" ...`). */
export function drainBlockedPods(stderr: string): string[] {
  const pods = new Set<string>();
  for (const m of stderr.matchAll(/^error when evicting pods\/"([a-z0-9.-]{1,253})" -n "([a-z0-9-]{1,63})" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\.$/gm)) {
    pods.add(`${m[2]}/${m[1]}`);
  }
  return [...pods];
}
