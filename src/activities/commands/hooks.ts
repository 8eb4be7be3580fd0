// Hook scripts (spec `hooks`): a script from the worker runs on a node as root, sent on bash's stdin (never a
// file on the node, never in argv). It learns where it runs from KLOUDSPOT_* variables.
import { cmd, sh, SUDO, type RemoteCommand } from './sh';

export interface HookRun { site: string; node: string; phase: string; when: 'before' | 'after'; script: string }

export const runHookScript = (h: HookRun): RemoteCommand => cmd(
  sh`${SUDO} ${[`KLOUDSPOT_SITE=${h.site}`, `KLOUDSPOT_NODE=${h.node}`, `KLOUDSPOT_PHASE=${h.phase}`, `KLOUDSPOT_HOOK=${h.when}`]} bash -s`,
  { stdin: h.script, okCodes: [0] },
);
