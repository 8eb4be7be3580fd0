// snapd: the MicroK8s snap the tools script installed, removed with its data by reset.
// Formats from canonical/snapd cmd/snapd/cli (cmd_snap_op.go, error.go, cmd_list.go); see docs/commands.md.
import { cmd, query, sh, type RemoteCommand } from './sh';

export const MICROK8S_SNAP = 'microk8s';

/** `Name  Version  Rev  Tracking  Publisher  Notes` and one line for the snap; exit 1 "error: no matching snaps installed". */
export const listSnap = (snap = MICROK8S_SNAP): RemoteCommand => query(sh`snap list ${snap}`, { okCodes: [0, 1] });
/**
 * `--purge`: no automatic snapshot of the snap's data is kept (the certificates and the datastore go, and with
 * the snap its refresh hold). Prints `microk8s removed`; a snap that is not installed prints
 * `snap "microk8s" is not installed` and exits 0.
 */
export const snapRemovePurge = (snap = MICROK8S_SNAP): RemoteCommand => cmd(sh`sudo snap remove --purge ${snap}`);
