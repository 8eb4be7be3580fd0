// MicroK8s snap channels (`1.33/stable`): the one pattern a channel from the CLI or a node is held to, and the
// upgrade rule MicroK8s documents for HA clusters: one minor at a time (canonical/microk8s#1877).

/** `<major>.<minor>/<risk>`: the tracks MicroK8s publishes. Nothing else reaches `snap refresh --channel`. */
export const MICROK8S_CHANNEL = /^(\d{1,2})\.(\d{1,3})\/(stable|candidate|beta|edge)$/;

/** Whether `to` is exactly one minor after `from` (1.32/stable -> 1.33/stable); the risk may differ. */
export function oneMinorAhead(from: string, to: string): boolean {
  const a = MICROK8S_CHANNEL.exec(from);
  const b = MICROK8S_CHANNEL.exec(to);
  return !!a && !!b && a[1] === b[1] && Number(b[2]) === Number(a[2]) + 1;
}
