// netplan: the seed's static address, written to a file of our own and applied without cutting our SSH session.
import { cmd, SUDO, sh, type RemoteCommand } from './sh';

export const NETPLAN_FILE = '/etc/netplan/60-kloudspot-static.yaml';

/** The seed's static address, in a file of our own that sorts after 00-installer-config.yaml and overrides it. */
export function renderNetplan(iface: string, address: string, prefixLength: number, gateway: string, nameservers: string[]): string {
  return [
    '# Written by kloudspot-installer: static address for the cluster (overrides DHCP from 00-installer-config.yaml).',
    'network:',
    '  version: 2',
    '  ethernets:',
    `    ${iface}:`,
    '      dhcp4: false',
    `      addresses: [${address}/${prefixLength}]`,
    '      routes:',
    '        - to: default',
    `          via: ${gateway}`,
    '      nameservers:',
    `        addresses: [${nameservers.join(', ')}]`,
    '',
  ].join('\n');
}

export const netplanGenerate = (): RemoteCommand => cmd(sh`${SUDO} netplan generate`);
/**
 * Applied detached, a few seconds later, under a fixed unit name: the SSH session that asked is not the one
 * cut if the interface flaps, and a retry finds the unit instead of applying twice.
 */
export const netplanApplyDetached = (): RemoteCommand =>
  cmd(sh`${SUDO} systemd-run --on-active=2 --unit=kloudspot-netplan-apply netplan apply`);
