// systemd: reboots, boot state, the host name (hostnamectl) and the iscsid service OpenEBS needs.
import { cmd, query, sh, SUDO, type RemoteCommand } from './sh';

/**
 * Scheduled 2 s ahead so the command returns cleanly before sshd goes down (prints `Running timer as unit: ...`).
 * The fixed unit name makes a retried request fail with `Unit kloudspot-reboot.timer already exists` instead
 * of scheduling a second reboot.
 */
export const REBOOT_UNIT = 'kloudspot-reboot';
/**
 * systemd-run refusing a unit name that is taken: systemd 249 (Ubuntu 22.04) says `Unit X.timer already exists.`,
 * systemd 252 (seen on a Debian 12 node) `Unit X.timer was already loaded or has a fragment file.`
 */
export const unitAlreadyExists = (stderr: string): boolean => /Unit \S+ (already exists|was already loaded or has a fragment file)\./.test(stderr);
export const scheduleReboot = (): RemoteCommand => cmd(sh`${SUDO} systemd-run --on-active=2 --unit=${REBOOT_UNIT} /bin/systemctl reboot`, { okCodes: [0, 1] });
/** ActiveState and SubState of a unit, one a line: `active`/`waiting` for an armed timer, `active`/`elapsed` for one that
 * fired and stays loaded (RemainAfterElapse=yes), `inactive`/`dead` for none, `failed`/`failed` for a failed service. */
export const unitState = (unit: string): RemoteCommand => query(sh`systemctl show -p ActiveState -p SubState --value ${unit}`);
export function parseUnitState(text: string): { active: string; sub: string } {
  const [active = '', sub = ''] = text.split('\n').map((l) => l.trim());
  if (!/^[a-z-]+$/.test(active) || !/^[a-z-]+$/.test(sub)) throw new Error(`unexpected systemctl show output: ${JSON.stringify(text.slice(0, 80))}`);
  return { active, sub };
}
/** Frees a failed unit's name; a unit that is not loaded gives `Unit X not loaded.`, exit 1, which is fine here. */
export const resetFailed = (unit: string): RemoteCommand => cmd(sh`${SUDO} systemctl reset-failed ${unit}`, { okCodes: [0, 1] });
export const stopUnit = (unit: string): RemoteCommand => cmd(sh`${SUDO} systemctl stop ${unit}`);
/**
 * A transient timer that unloads once it elapsed (RemainAfterElapse=no): a later run in the same boot can use the
 * name again, where the default (yes) keeps the name taken until reboot (systemd.timer(5)).
 */
export const runLater = (unit: string, seconds: number, argv: string[]): RemoteCommand =>
  cmd(sh`${SUDO} systemd-run --on-active=${seconds} --unit=${unit} --timer-property=RemainAfterElapse=no ${argv}`);
/** `running`, `degraded`, `starting`...; `--wait` blocks until boot finishes. */
export const systemRunningState = (): RemoteCommand => query('systemctl is-system-running --wait', { okCodes: [0, 1] });

export const readStaticHostname = (): RemoteCommand => query('hostnamectl --static');
export const setHostname = (name: string): RemoteCommand => cmd(sh`${SUDO} hostnamectl set-hostname ${name}`);

export const iscsidState = (): RemoteCommand => query('systemctl is-enabled iscsid', { okCodes: [0, 1] });
export const iscsidActive = (): RemoteCommand => query('systemctl is-active iscsid', { okCodes: [0, 3] });
export const enableIscsid = (): RemoteCommand => cmd(sh`${SUDO} systemctl enable --now iscsid`);
/** reset: the install enabled iscsid for OpenEBS; a fresh 22.04 server has it disabled (open-iscsi starts it on demand). */
export const disableIscsid = (): RemoteCommand => cmd(sh`${SUDO} systemctl disable --now iscsid`);
/** The last `lines` journal lines of MicroK8s' services (journalctl -u takes a glob; short format, no pager). */
export const microk8sJournal = (lines: number): RemoteCommand => query(sh`${SUDO} journalctl -u ${'snap.microk8s.*'} -n ${lines} --no-pager`);
