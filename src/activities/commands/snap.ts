// snap: the MicroK8s snap the tools script installed, removed with its data by reset.
// Formats from canonical/snapd cmd/snapd/cli (cmd_snap_op.go, error.go); see docs/commands.md.
import { cmd, query, sh, type RemoteCommand } from './sh';

export const MICROK8S_SNAP = 'microk8s';
/** rc 0 with a table row when installed; rc 1 `error: no matching snaps installed` when not. */
export const snapInstalled = (name: string): RemoteCommand => query(sh`snap list ${name}`, { okCodes: [0, 1] });
/**
 * `--purge`: no automatic snapshot of the snap's data is kept (the certificates and the datastore go). Prints
 * `microk8s removed`; a snap that is not installed prints `snap "microk8s" is not installed` and exits 0.
 */
export const snapRemovePurge = (name: string): RemoteCommand => cmd(sh`sudo snap remove --purge ${name}`);
