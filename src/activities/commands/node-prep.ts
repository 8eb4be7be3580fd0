// Commands that prepare one node (the seed's "Configure Each System"), and the pure renderers of the
// files they write. Sources for every format: docs/commands.md.
import { shellJoin, shellQuote } from './quote';
import { cmd, type RemoteCommand } from './types';

// --- apt: unattended, waiting for the dpkg lock instead of failing on it --------------------------
const APT = 'sudo env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a apt-get -o DPkg::Lock::Timeout=900 ' +
  '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -y -q';

export const aptUpdate = (): RemoteCommand => cmd(`${APT} update`);
/** Simulated dist-upgrade: prints the summary line without changing anything (the "already done?" check). */
export const aptSimulateUpgrade = (): RemoteCommand => cmd('apt-get -s -o Debug::NoLocking=1 dist-upgrade');
export const aptDistUpgrade = (): RemoteCommand => cmd(`${APT} dist-upgrade`);
export const aptInstall = (pkgs: string[]): RemoteCommand => cmd(`${APT} install ${shellJoin(pkgs)}`);
/**
 * Finishes what an upgrade cut off while dpkg unpacked left half done (a crash, reboot or dropped SSH
 * connection mid-upgrade): until then every apt run fails with "dpkg was interrupted". Conffile
 * questions are answered as the apt runs answer them.
 */
export const dpkgConfigurePending = (): RemoteCommand =>
  cmd('sudo env DEBIAN_FRONTEND=noninteractive dpkg --force-confdef --force-confold --configure -a');
/** apt's refusal after an interrupted dpkg run (apt-pkg/deb/debsystem.cc). */
export const dpkgWasInterrupted = (stderr: string): boolean => /dpkg was interrupted, you must manually run .*dpkg --configure -a/.test(stderr);

/** `12 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.` -> upgraded + newly installed. */
export function parseAptSummary(text: string): { upgraded: number; newlyInstalled: number } {
  const m = /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded\.$/m.exec(text);
  if (!m) throw new Error(`unexpected apt-get output (no summary line): ${JSON.stringify(text.slice(-300))}`);
  return { upgraded: Number(m[1]), newlyInstalled: Number(m[2]) };
}

// --- reboot ---------------------------------------------------------------------------------------
/** Exists when an upgrade asks for a restart (update-notifier's hook on Ubuntu). */
export const rebootRequired = (): RemoteCommand => cmd('test -e /var/run/reboot-required', { okCodes: [0, 1] });
/**
 * Scheduled 2 s ahead so the command returns cleanly before sshd goes down (prints `Running timer as unit: ...`).
 * The fixed unit name makes a retried request fail with `Unit kloudspot-reboot.timer already exists` instead
 * of scheduling a second reboot.
 */
export const REBOOT_UNIT = 'kloudspot-reboot';
export const scheduleReboot = (): RemoteCommand => cmd(`sudo systemd-run --on-active=2 --unit=${REBOOT_UNIT} /bin/systemctl reboot`, { okCodes: [0, 1] });
/** `running`, `degraded`, `starting`...; `--wait` blocks until boot finishes. */
export const systemRunningState = (): RemoteCommand =>
  cmd('systemctl is-system-running --wait', { okCodes: [0, 1] });

// --- Kloudspot tools: the seed's installer script --------------------------------------------------
export const toolsInstalled = (): RemoteCommand => cmd('command -v kloudspot', { okCodes: [0, 1, 127] });
export const installTools = (url: string): RemoteCommand => cmd(`curl -fsSL ${shellQuote(url)} | sudo bash`);

// --- LVM ------------------------------------------------------------------------------------------
/** ` shared 20.00g` lines; rc 5 when the VG is missing. */
export const listLogicalVolumes = (vg: string): RemoteCommand =>
  cmd(`sudo lvs --noheadings --units g -o lv_name,lv_size ${shellQuote(vg)}`, { okCodes: [0, 5] });
/** Left raw (no filesystem): cStor refuses block devices that carry one. `-y` answers lvcreate's wipe prompt. */
export const createLogicalVolume = (vg: string, name: string, size: string): RemoteCommand =>
  cmd(`sudo lvcreate -y -L ${shellQuote(size)} -n ${shellQuote(name)} ${shellQuote(vg)}`);

export function parseLogicalVolumes(text: string): { name: string; size: string }[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 2 && f[0] !== '')
    .map(([name, size]) => ({ name, size }));
}

// --- hostname -------------------------------------------------------------------------------------
export const readStaticHostname = (): RemoteCommand => cmd('hostnamectl --static');
export const setHostname = (name: string): RemoteCommand => cmd(`sudo hostnamectl set-hostname ${shellQuote(name)}`);

// --- files ----------------------------------------------------------------------------------------
export const readFile = (path: string): RemoteCommand => cmd(`sudo cat ${shellQuote(path)}`, { okCodes: [0, 1] });
/** Writes stdin to `path` with `mode`; the file is created with its mode before content arrives, so a key is never world-readable. */
export const writeFile = (path: string, content: string, mode = '0644'): RemoteCommand =>
  cmd(`sudo install -D -m ${shellQuote(mode)} /dev/null ${shellQuote(path)} && sudo tee ${shellQuote(path)} >/dev/null`, { stdin: content });
export const removeFile = (path: string): RemoteCommand => cmd(`sudo rm -f ${shellQuote(path)}`);

// --- /etc/hosts -----------------------------------------------------------------------------------
export const HOSTS_BEGIN = '# BEGIN kloudspot-installer cluster nodes';
export const HOSTS_END = '# END kloudspot-installer cluster nodes';

/**
 * The seed's /etc/hosts edit: `127.0.1.1 <this node>` and one line per cluster node. The node lines live in
 * a marked block so a re-run replaces rather than appends; other lines are kept as they are.
 */
export function renderHostsFile(current: string, self: string, nodes: { name: string; address: string }[]): string {
  const names = new Set(nodes.map((n) => n.name));
  const addresses = new Set(nodes.map((n) => n.address));
  const kept: string[] = [];
  let inBlock = false;
  let selfLineDone = false;
  for (const line of current.replace(/\n$/, '').split('\n')) {
    if (line === HOSTS_BEGIN) { inBlock = true; continue; }
    if (line === HOSTS_END) { inBlock = false; continue; }
    if (inBlock) continue;
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields[0] === '127.0.1.1') {
      if (!selfLineDone) kept.push(`127.0.1.1 ${self}`);
      selfLineDone = true;
      continue;
    }
    // A stale line that maps a cluster name or address elsewhere would shadow ours: drop it.
    if (fields.length > 1 && !fields[0].startsWith('127.') && fields[0] !== '::1' &&
        (addresses.has(fields[0]) || fields.slice(1).some((f) => names.has(f)))) continue;
    kept.push(line);
  }
  if (!selfLineDone) {
    const at = kept.findIndex((l) => l.startsWith('127.0.0.1'));
    kept.splice(at >= 0 ? at + 1 : 0, 0, `127.0.1.1 ${self}`);
  }
  while (kept.length > 0 && kept[kept.length - 1].trim() === '') kept.pop();
  return [...kept, '', HOSTS_BEGIN, ...nodes.map((n) => `${n.address} ${n.name}`), HOSTS_END, ''].join('\n');
}

// --- netplan --------------------------------------------------------------------------------------
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
