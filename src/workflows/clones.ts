// Cloned nodes (the seed clones a configured machine): copies share /etc/machine-id and the SSH host keys
// unless someone regenerates them. Pure, so preflight's workflow code judges the nodes' facts together.
import type { NodeFacts } from '../activities/preflight';

/** The seed's "change the machine-id" reference, as one command (machine-id(5), systemd-machine-id-setup(1)). */
export const NEW_MACHINE_ID = 'sudo rm -f /etc/machine-id /var/lib/dbus/machine-id && sudo systemd-machine-id-setup && sudo reboot';
/** New host keys for a clone (sshd(8) HostKey files; Ubuntu's openssh-server postinst generates missing ones). */
export const NEW_HOST_KEYS = 'sudo rm -f /etc/ssh/ssh_host_* && sudo dpkg-reconfigure openssh-server && sudo systemctl restart ssh';

function groups(facts: NodeFacts[], key: (f: NodeFacts) => string | undefined): NodeFacts[][] {
  const by = new Map<string, NodeFacts[]>();
  for (const f of facts) {
    const k = key(f);
    if (k) by.set(k, [...(by.get(k) ?? []), f]);
  }
  return [...by.values()].filter((g) => g.length > 1);
}

/**
 * Per node, what it shares with another: every node of a group is named (which one is the original is for a
 * person to say), with the fix to run on all but one of them.
 */
export function cloneProblems(facts: NodeFacts[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (node: string, p: string) => out.set(node, [...(out.get(node) ?? []), p]);
  for (const g of groups(facts, (f) => f.machineId)) {
    for (const f of g) {
      const others = g.filter((o) => o !== f).map((o) => o.node).join(', ');
      add(f.node, `shares /etc/machine-id ${f.machineId!.slice(0, 8)}... with ${others}: a clone keeps its source's id (DHCP client id, ` +
        `Kubernetes' system UUID). Fix on every clone but one: \`${NEW_MACHINE_ID}\``);
    }
  }
  for (const g of groups(facts, (f) => f.hostKey)) {
    for (const f of g) {
      const others = g.filter((o) => o !== f).map((o) => o.node).join(', ');
      add(f.node, `shares its SSH host key ${f.hostKey} with ${others}: one machine could answer for another unnoticed. ` +
        `Fix on every clone but one: \`${NEW_HOST_KEYS}\` (and update nodes[].hostKey where the spec pins it)`);
    }
  }
  return out;
}
