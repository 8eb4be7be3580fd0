// `microk8s stop` / `microk8s start` (canonical/microk8s microk8s-resources/wrappers/microk8s-{stop,start}.wrapper):
// both print nothing on success; stop disables the services and leaves ${SNAP_DATA}/var/lock/stopped.lock, start
// removes it. A worker of a cluster is told to use snap instead (exit 0). Started again, kubelite re-registers
// the kubelet under the node's hostname as it is now, as on a reboot.
import type { Proc } from '../process';
import { NO_PERMISSION } from './microk8s-state';

export const STOPPED_LOCK = '/var/snap/microk8s/current/var/lock/stopped.lock';

export async function stopOrStart(p: Proc, verb: 'stop' | 'start'): Promise<number> {
  const node = p.node;
  if (node.isWorker()) {
    p.out(verb === 'stop'
      ? "This MicroK8s deployment is acting as a node in a cluster.\nUse 'snap stop microk8s' to stop services on this node.\n"
      : 'This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s.reset on the master.\n');
    return 0;
  }
  if (!p.root) { p.out(NO_PERMISSION(p.world.user)); return 1; }
  await p.work('command');
  if (verb === 'stop') {
    node.microk8s.readyAt = Infinity;
    p.writeFile(STOPPED_LOCK, '', 0o644);
    p.effect('microk8s stop');
    return 0;
  }
  const start = p.world.latency.ms('microk8sStart');
  node.microk8s.readyAt = Date.now() + start;
  node.microk8s.cluster?.registerKubelet(node, start + p.world.latency.ms('nodeReady'));
  p.deleteFile(STOPPED_LOCK);
  p.effect('microk8s start');
  return 0;
}
