// `kubectl wait`: a watch on the API server that returns the moment a condition holds, used between the checks
// of a wait instead of sleeping a poll interval. The check stays the judge; this only says when to look again.
// Forms from `kubectl wait --help` (kubectl 1.32): --for=condition=Ready, --for=jsonpath='{.status.phase}'=ONLINE.
// Output (../shared/research/commands.md, "Pods ready"): `pod/x condition met` per object; rc 1 with
// `error: timed out waiting for the condition on pods/x`, `error: no matching resources found`, or
// `Error from server (NotFound): nodes "x" not found` for a named object that does not exist yet.
import { shellQuote } from './quote';
import { KUBECTL } from './storage';
import { cmd, type RemoteCommand } from './types';

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
  const parts = [KUBECTL];
  if (w.namespace) parts.push('-n', shellQuote(w.namespace));
  parts.push('wait', shellQuote(`--for=${w.for}`), shellQuote(w.resource));
  if (w.all) parts.push('--all');
  if (w.selector) parts.push('-l', shellQuote(w.selector));
  if (w.fieldSelector) parts.push(shellQuote(`--field-selector=${w.fieldSelector}`));
  parts.push(shellQuote(`--timeout=${Math.max(1, Math.round(timeoutSeconds))}s`));
  return cmd(parts.join(' '), { okCodes: [0, 1] });
}
