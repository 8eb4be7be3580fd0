// netplan: the seed's static address, written to a file of our own and applied without cutting our SSH session.
import * as yaml from 'js-yaml';
import { cmd, query, SUDO, sh, type RemoteCommand } from './sh';
import { runLater } from './systemd';

export const NETPLAN_DIR = '/etc/netplan';
export const NETPLAN_FILE = `${NETPLAN_DIR}/60-kloudspot-static.yaml`;
const OUR_NAME = NETPLAN_FILE.split('/').pop()!;
export interface NetplanFile { name: string; content: string }
/** Where the files we change are kept as they were, and the script that puts them back. */
export const NETPLAN_BACKUP_DIR = '/var/lib/kloudspot/netplan-backup';
export const NETPLAN_RESTORE_SCRIPT = '/var/lib/kloudspot/netplan-restore.sh';
export const NETPLAN_APPLY_UNIT = 'kloudspot-netplan-apply';
export const NETPLAN_RESTORE_UNIT = 'kloudspot-netplan-restore';
/** The old configuration comes back this long after the new one was applied, unless SSH to the new address worked first. */
export const NETPLAN_RESTORE_AFTER_S = 120;

/** The seed's static address, in a file of our own; the interface's stanza is taken out of every other file. */
export function renderNetplan(iface: string, address: string, prefixLength: number, gateway: string, nameservers: string[]): string {
  return [
    '# Written by kloudspot-installer: static address for the cluster (the interface\'s stanza elsewhere was moved out).',
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

/** The files netplan reads from /etc/netplan, one name a line (`ls -1`). */
export const listNetplanDir = (): RemoteCommand => query(sh`ls -1 ${NETPLAN_DIR}`);
export function parseNetplanDir(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => /^[A-Za-z0-9_.-]+\.yaml$/.test(l));
}

type NetplanDoc = { network?: { ethernets?: Record<string, unknown> } & Record<string, unknown> } & Record<string, unknown>;

/**
 * The file without `iface`'s stanza, or null when it has none. netplan concatenates lists across files
 * (addresses, routes: netplan-generate(8) "HANDLING MULTIPLE FILES"), so a stanza left in 00-installer-config.yaml
 * would add its addresses and default route to ours; the seed edits that stanza instead.
 */
export function withoutInterface(text: string, iface: string): string | null {
  const doc = (yaml.load(text) ?? {}) as NetplanDoc;
  const eth = doc.network?.ethernets;
  if (!eth || typeof eth !== 'object' || !(iface in eth)) return null;
  delete eth[iface];
  if (Object.keys(eth).length === 0) delete doc.network!.ethernets;
  return `# Edited by kloudspot-installer: the ${iface} stanza moved to ${OUR_NAME}.\n${yaml.dump(doc)}`;
}

/** The writes that make the interface's configuration ours alone: other files lose its stanza, ours gets the seed's. */
export function plannedWrites(files: NetplanFile[], wanted: string, iface: string): NetplanFile[] {
  const writes: NetplanFile[] = [];
  for (const f of files) {
    if (f.name === OUR_NAME) continue;
    const edited = withoutInterface(f.content, iface);
    if (edited !== null) writes.push({ name: f.name, content: edited });
  }
  if (files.find((f) => f.name === OUR_NAME)?.content !== wanted) writes.push({ name: OUR_NAME, content: wanted });
  return writes;
}

/** Puts back the files as they were (`saved`), removes the ones we created (`created`), applies. Run by a timer. */
export function renderRestoreScript(saved: string[], created: string[]): string {
  return [
    ...saved.map((name) => sh`install -m 0600 ${`${NETPLAN_BACKUP_DIR}/${name}`} ${`${NETPLAN_DIR}/${name}`}`),
    ...created.map((name) => sh`rm -f ${`${NETPLAN_DIR}/${name}`}`),
    'netplan apply',
    '',
  ].join('\n');
}

export const netplanGenerate = (): RemoteCommand => cmd(sh`${SUDO} netplan generate`);
/**
 * Applied detached, a few seconds later: the SSH session that asked is not the one cut if the interface flaps.
 * The timer unloads once it ran, so a later apply in the same boot can start it again (node-prep checks the
 * unit's state first, not systemd-run's message).
 */
export const netplanApplyDetached = (): RemoteCommand => runLater(NETPLAN_APPLY_UNIT, 2, ['netplan', 'apply']);
/** Cancels the way back; stopping a timer that is not loaded exits 5 (`Unit X not loaded.`). */
export const cancelNetplanRestore = (): RemoteCommand => cmd(sh`${SUDO} systemctl stop ${`${NETPLAN_RESTORE_UNIT}.timer`}`, { okCodes: [0, 5] });
/** Forgets the saved copies once the new configuration is kept. */
export const forgetNetplanBackups = (names: string[]): RemoteCommand =>
  cmd(sh`${SUDO} rm -f ${[...names.map((n) => `${NETPLAN_BACKUP_DIR}/${n}`), NETPLAN_RESTORE_SCRIPT]}`);
/** Arms the way back: the restore script after NETPLAN_RESTORE_AFTER_S, unless cancelled. */
export const armNetplanRestore = (): RemoteCommand => runLater(NETPLAN_RESTORE_UNIT, NETPLAN_RESTORE_AFTER_S, ['/bin/bash', NETPLAN_RESTORE_SCRIPT]);

/**
 * The netplan files as they were before the first install changed them, kept after the install succeeded (the
 * way back above is forgotten then): reset puts them back. A later install (another address) keeps the first copy.
 */
export const NETPLAN_ORIGINALS_DIR = '/var/lib/kloudspot/netplan-original';
/** The names kept in NETPLAN_ORIGINALS_DIR; `ls` exits 2 when an older install kept none. */
export const listNetplanOriginals = (): RemoteCommand => query(sh`${SUDO} ls -1 ${NETPLAN_ORIGINALS_DIR}`, { okCodes: [0, 2] });

/**
 * reset: the kept originals put back, our file removed and netplan applied by one detached unit, a few seconds
 * later. The node may come back on another address, so nothing waits for it; all in one unit means a crash can
 * never leave the files restored but the static address applied-and-forgotten. The kept copies and the script go
 * only once the apply worked, so a failed apply leaves the step to do again. A retry finds the unit armed.
 */
export const NETPLAN_RESET_UNIT = 'kloudspot-netplan-reset';
export const NETPLAN_RESET_SCRIPT = '/var/lib/kloudspot/netplan-reset.sh';
export function renderResetScript(originals: string[]): string {
  return [
    ...originals.map((name) => sh`install -m 0600 ${`${NETPLAN_ORIGINALS_DIR}/${name}`} ${`${NETPLAN_DIR}/${name}`}`),
    sh`rm -f ${NETPLAN_FILE}`,
    sh`netplan apply && rm -f ${[...originals.map((name) => `${NETPLAN_ORIGINALS_DIR}/${name}`), NETPLAN_RESET_SCRIPT]}`,
    '',
  ].join('\n');
}
export const netplanResetDetached = (): RemoteCommand => runLater(NETPLAN_RESET_UNIT, 2, ['/bin/bash', NETPLAN_RESET_SCRIPT]);

/** An empty file is an empty document (this js-yaml refuses empty input). */
const loadDoc = (text: string): NetplanDoc => (text.trim() ? (yaml.load(text) ?? {}) : {}) as NetplanDoc;

const stanzaOf = (text: string, iface: string): Record<string, unknown> | undefined => {
  const eth = loadDoc(text).network?.ethernets;
  const s = eth && typeof eth === 'object' ? eth[iface] : undefined;
  return s && typeof s === 'object' ? s as Record<string, unknown> : undefined;
};

/** Whether any of `files` (ours aside) configures `iface`: removing ours leaves it an address. */
export const configuredElsewhere = (files: NetplanFile[], iface: string): boolean =>
  files.some((f) => f.name !== OUR_NAME && stanzaOf(f.content, iface) !== undefined);

/** Whether the interface's stanza in these files asks for DHCP (dhcp4: true). */
export const asksDhcp = (files: NetplanFile[], iface: string): boolean =>
  files.some((f) => ['true', 'yes', 'on'].includes(String(stanzaOf(f.content, iface)?.dhcp4).toLowerCase()));

/**
 * An install older than the kept originals moved the interface's stanza out and kept no copy: without ours the
 * interface would have no configuration at all. Its stanza is rebuilt as `dhcp4: true` (the Ubuntu installer's
 * default) in the file we had edited, else in 00-installer-config.yaml; other settings it had are not known.
 */
export function dhcpRebuild(files: NetplanFile[], iface: string): NetplanFile | undefined {
  if (configuredElsewhere(files, iface)) return undefined;
  const target = files.find((f) => f.content.startsWith(`# Edited by kloudspot-installer: the ${iface} stanza moved`))
    ?? files.find((f) => f.name === '00-installer-config.yaml') ?? { name: '00-installer-config.yaml', content: '' };
  const doc = loadDoc(target.content);
  const network = (doc.network ??= { version: 2 });
  network.ethernets = { ...(network.ethernets ?? {}), [iface]: { dhcp4: true } };
  return { name: target.name, content: `# Rebuilt by kloudspot-installer reset: ${iface} on DHCP (no copy from before the install was kept).\n${yaml.dump(doc)}` };
}
