// The installer's command builders as the simulator and scenario tests use them: grouped by what a test
// drives (preparing a node, preflight facts, storage, the chart), not by program as src/activities/commands is.
import * as apt from '../../src/activities/commands/apt';
import * as basic from '../../src/activities/commands/basic';
import * as chartFiles from '../../src/activities/commands/chart';
import * as files from '../../src/activities/commands/files';
import * as helm from '../../src/activities/commands/helm';
import * as kubectl from '../../src/activities/commands/kubectl';
import * as lvm from '../../src/activities/commands/lvm';
import * as netplan from '../../src/activities/commands/netplan';
import * as openebs from '../../src/activities/commands/openebs';
import * as systemd from '../../src/activities/commands/systemd';
import * as tools from '../../src/activities/commands/tools';
import { KUBECTL } from '../../src/activities/commands/kubectl';
import { cmd, sh, type RemoteCommand } from '../../src/activities/commands/sh';

// Builders only the tests use: what a person does by hand at a node, to set up or inspect a scenario.
const testOnly = {
  /** The seed's `microk8s add-node` (the installer writes a single-use token into the token file instead). */
  addNode: (token: string, ttlSeconds?: number): RemoteCommand =>
    cmd(sh`sudo microk8s add-node --token ${token}` + (ttlSeconds === undefined ? '' : sh` --token-ttl ${ttlSeconds}`) + ' --format short', { redact: [token] }),
  /** The join URL on `address` from add-node's `--format short` lines. */
  joinUrlOf: (text: string, address: string): string => {
    const m = new RegExp(`^microk8s join (${address.replace(/\./g, '\\.')}:25000/\\S+)$`, 'm').exec(text);
    if (!m) throw new Error(`add-node printed no join address on ${address}: ${text}`);
    return m[1];
  },
  /** `microk8s join URL` typed at the node (the installer hands the URL to join on stdin). */
  joinByHand: (url: string, worker: boolean): RemoteCommand => cmd(sh`sudo microk8s join ${url}` + (worker ? ' --worker' : '')),
  aptInstall: (pkgs: string[]): RemoteCommand => cmd(sh`${apt.APT} install ${pkgs}`),
  removeFile: (path: string): RemoteCommand => cmd(sh`sudo rm -f ${path}`),
  /** Bytes free on /: a header line `   Avail`, then the number. */
  rootFree: (): RemoteCommand => cmd('df -B1 --output=avail /'),
  parseDfAvail: (text: string): number => Number(text.trim().split('\n').pop()),
  /** The seed's way to the tools (the installer downloads, verifies the SHA-256, then runs: tools-install.ts). */
  installTools: (url: string): RemoteCommand => cmd(sh`curl -fsSL ${url} | sudo bash`),
  /** The seed's way to the TLS Secret, from files (the installer applies it from stdin instead). */
  applyTlsSecret: (): RemoteCommand =>
    cmd(sh`${KUBECTL} -n ${chartFiles.CHART_NAMESPACE} create secret tls ${chartFiles.TLS_SECRET} ${`--cert=${chartFiles.TLS_CERT_FILE}`} ${`--key=${chartFiles.TLS_KEY_FILE}`} --dry-run=client -o yaml | ${KUBECTL} apply -f -`),
};

export const prep = { ...apt, ...files, ...lvm, ...netplan, ...systemd, ...tools, ...testOnly };
export const facts = { ...basic, ...lvm, ...testOnly };
export const st = { ...openebs, ...kubectl, ...systemd, ...lvm };
export const chart = { ...chartFiles, ...helm, ...tools, ...kubectl, ...testOnly };
export { kubectlWait } from '../../src/activities/commands/kubectl';
export type { RemoteCommand } from '../../src/activities/commands/sh';
