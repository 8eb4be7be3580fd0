// netplan: the seed's static address, written to a file of our own and applied without cutting our SSH session.
import { cmd, sh, type RemoteCommand } from './sh';

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

export const netplanGenerate = (): RemoteCommand => cmd('sudo netplan generate');
/**
 * Applied detached, a few seconds later, under a fixed unit name: the SSH session that asked is not the one
 * cut if the interface flaps, and a retry finds the unit instead of applying twice.
 */
export const netplanApplyDetached = (): RemoteCommand =>
  cmd('sudo systemd-run --on-active=2 --unit=kloudspot-netplan-apply netplan apply');

/**
 * reset: our file removed and netplan applied by one detached unit, a few seconds later. The node goes back to
 * DHCP and may come back on another address, so nothing waits for it; both halves in one unit means a crash
 * can never leave the file gone but the static address applied-and-forgotten. A retry finds the unit.
 */
export const NETPLAN_RESET_UNIT = 'kloudspot-netplan-reset';
export const netplanResetDetached = (): RemoteCommand =>
  cmd(sh`sudo systemd-run --on-active=2 ${`--unit=${NETPLAN_RESET_UNIT}`} sh -c ${`rm -f ${NETPLAN_FILE} && netplan apply`}`, { okCodes: [0, 1] });
