// systemd: reboots, boot state, the host name (hostnamectl) and the iscsid service OpenEBS needs.
import { cmd, query, sh, type RemoteCommand } from './sh';

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
export const scheduleReboot = (): RemoteCommand => cmd(sh`sudo systemd-run --on-active=2 --unit=${REBOOT_UNIT} /bin/systemctl reboot`, { okCodes: [0, 1] });
/** `running`, `degraded`, `starting`...; `--wait` blocks until boot finishes. */
export const systemRunningState = (): RemoteCommand => query('systemctl is-system-running --wait', { okCodes: [0, 1] });

export const readStaticHostname = (): RemoteCommand => query('hostnamectl --static');
export const setHostname = (name: string): RemoteCommand => cmd(sh`sudo hostnamectl set-hostname ${name}`);

export const iscsidState = (): RemoteCommand => query('systemctl is-enabled iscsid', { okCodes: [0, 1] });
export const iscsidActive = (): RemoteCommand => query('systemctl is-active iscsid', { okCodes: [0, 3] });
export const enableIscsid = (): RemoteCommand => cmd('sudo systemctl enable --now iscsid');
/** The last `lines` journal lines of MicroK8s' services (journalctl -u takes a glob; short format, no pager). */
export const microk8sJournal = (lines: number): RemoteCommand => query(sh`sudo journalctl -u ${'snap.microk8s.*'} -n ${lines} --no-pager`);
