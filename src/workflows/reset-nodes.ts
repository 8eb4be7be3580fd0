// reset's last phase, every node at once: the MicroK8s snap with its data, the kloudspot CLI, the values file,
// the shared LV, iscsid, our /etc/hosts block, our apt proxy file, and last our netplan file (the node returns to DHCP and may come
// back on another address, so that step is scheduled on the node and not waited for; nothing runs after it).
import { allNodes, type Phase } from './phase';
import { RESET_STEPS as S } from './reset-steps';
import { runStep, targetOf, type SiteContext, type SiteNode } from './site-context';

async function cleanNode(ctx: SiteContext, n: SiteNode): Promise<void> {
  const t = targetOf(ctx, n);
  await runStep(ctx, n.name, S.REMOVE_MICROK8S, (a) => a.steps.removeMicrok8s(t));
  await runStep(ctx, n.name, S.REMOVE_TOOLS, (a) => a.steps.removeToolsCli(t));
  await runStep(ctx, n.name, S.REMOVE_VALUES_FILE, (a) => a.steps.removeValuesFile(t));
  await runStep(ctx, n.name, S.REMOVE_SHARED_VOLUME, (a) => a.steps.removeSharedVolume(t, ctx.spec.lvm.volumeGroup));
  await runStep(ctx, n.name, S.DISABLE_ISCSID, (a) => a.steps.disableIscsid(t));
  await runStep(ctx, n.name, S.REMOVE_HOSTS_BLOCK, (a) => a.steps.removeHostsBlock(t));
  await runStep(ctx, n.name, S.REMOVE_APT_PROXY, (a) => a.steps.removeAptProxy(t));
  await runStep(ctx, n.name, S.RESET_NETPLAN, (a) => a.steps.resetNetplan(t, n.interface, `${n.address}/${ctx.spec.network.prefixLength}`));
  ctx.board.setNode(n.name, 'reset', 'done');
}

export const resetNodes: Phase = {
  name: 'reset-nodes',
  title: 'per node in parallel: snap remove microk8s, kloudspot CLI, values file, shared LV, iscsid, /etc/hosts block, netplan (last)',
  hosts: allNodes,
  async run(ctx, nodes) {
    await Promise.all(nodes.map((n) => cleanNode(ctx, n)));
    ctx.board.setSummary('network', 'each node returns to DHCP a few seconds after its last step: its address may change');
  },
};
