// MicroK8s cluster commands (the seed's "Configure The Cluster") and parsers of their output.
// Formats: canonical/microk8s scripts/wrappers/{status,add_token,join}.py; see docs/commands.md.
import { cmd, query, sh, type RemoteCommand } from './sh';

export const waitReady = (timeoutSeconds = 300): RemoteCommand =>
  query(sh`sudo microk8s status --wait-ready --timeout ${timeoutSeconds}`, { okCodes: [0, 1] });
export const status = (): RemoteCommand => query('sudo microk8s status', { okCodes: [0, 1] });
export const addonStatus = (addon: string): RemoteCommand => query(sh`sudo microk8s status -a ${addon}`);
export const enableAddon = (addon: string): RemoteCommand => cmd(sh`sudo microk8s enable ${addon}`);

/** A token with a TTL (reusable until expiry) rather than the default single-use one, which a failed join burns (microk8s#4513). */
export const addNode = (token: string, ttlSeconds = 3600): RemoteCommand =>
  cmd(sh`sudo microk8s add-node --token ${token} --token-ttl ${ttlSeconds} --format short`, { redact: [token] });
export const join = (joinUrl: string, worker: boolean, secrets: string[]): RemoteCommand =>
  cmd(sh`sudo microk8s join ${joinUrl}` + (worker ? ' --worker' : ''), { redact: secrets });
/** A worker node records its membership in this lock file (microk8s join.py). */
export const workerClusteredLock = (): RemoteCommand =>
  query('test -e /var/snap/microk8s/current/var/lock/clustered.lock', { okCodes: [0, 1] });
export const getNodes = (): RemoteCommand => query('sudo microk8s kubectl get nodes --no-headers', { okCodes: [0, 1] });

export interface MicroK8sStatus {
  running: boolean;
  /** This node is a worker: status only says so. */
  workerOnly: boolean;
  highAvailability: boolean;
  datastoreMasters: string[];
  datastoreStandbys: string[];
  enabledAddons: string[];
  disabledAddons: string[];
}

export function parseStatus(text: string): MicroK8sStatus {
  const s: MicroK8sStatus = {
    running: /^microk8s is running$/m.test(text),
    workerOnly: /This MicroK8s deployment is acting as a node in a cluster\./.test(text),
    highAvailability: /^high-availability: yes$/m.test(text),
    datastoreMasters: [],
    datastoreStandbys: [],
    enabledAddons: [],
    disabledAddons: [],
  };
  const list = (line: string | undefined) => (!line || line.trim() === 'none' ? [] : line.trim().split(/\s+/));
  s.datastoreMasters = list(/^\s*datastore master nodes:(.*)$/m.exec(text)?.[1]);
  s.datastoreStandbys = list(/^\s*datastore standby nodes:(.*)$/m.exec(text)?.[1]);
  let section: 'enabled' | 'disabled' | undefined;
  for (const line of text.split('\n')) {
    if (/^\s*enabled:\s*$/.test(line)) section = 'enabled';
    else if (/^\s*disabled:\s*$/.test(line)) section = 'disabled';
    else if (section && /^\s{4}\S/.test(line)) (section === 'enabled' ? s.enabledAddons : s.disabledAddons).push(line.trim().split(/\s+/)[0]);
    else if (!/^\s*$/.test(line) && !/^\s{4}/.test(line)) section = undefined;
  }
  return s;
}

/** `microk8s status -a dns` prints `enabled` or `disabled`. */
export function parseAddonState(text: string): 'enabled' | 'disabled' {
  const t = text.trim();
  if (t === 'enabled' || t === 'disabled') return t;
  throw new Error(`unexpected "microk8s status -a" output: ${JSON.stringify(t.slice(0, 200))}`);
}

/** `--format short` prints one `microk8s join <ip>:25000/<token>/<12hex>` line per address of the node. */
export function parseJoinUrls(text: string): { address: string; token: string; check: string }[] {
  return [...text.matchAll(/^microk8s join (\d+\.\d+\.\d+\.\d+):25000\/(\S+)\/([0-9a-f]+)\s*$/gm)]
    .map((m) => ({ address: m[1], token: m[2], check: m[3] }));
}

/**
 * The join URL on the address the other nodes reach (the first manager's spec address). The token comes
 * from the caller, not the output: the SSH layer has already redacted it there.
 */
export function pickJoinUrl(text: string, address: string, token?: string): string {
  const urls = parseJoinUrls(text);
  const url = urls.find((u) => u.address === address);
  if (!url) throw new Error(`microk8s add-node printed no join address on ${address} (it offered ${urls.map((u) => u.address).join(', ') || 'none'})`);
  return `${address}:25000/${token ?? url.token}/${url.check}`;
}

export interface KubeNode { name: string; status: string; roles: string; version: string }
/** `kubectl get nodes --no-headers`: `k8s-vm-1   Ready    <none>   5m    v1.28.3`. */
export function parseKubeNodes(text: string): KubeNode[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 5)
    .map((f) => ({ name: f[0], status: f[1], roles: f[2], version: f[f.length - 1] }));
}

/** Ready, cordoned or not: `Ready,SchedulingDisabled` is a Ready node that takes no new pods. */
export const isReady = (n: KubeNode): boolean => n.status.split(',')[0] === 'Ready';

/** Regenerates one certificate and restarts kubelite (refresh_certs.py); the CA is left alone: workers would have to re-join. */
export const refreshCertificate = (cert: 'server.crt' | 'front-proxy-client.crt'): RemoteCommand =>
  cmd(sh`sudo microk8s refresh-certs --cert ${cert}`);

/** The datastore to a tar.gz (dbctl.py: go-migrator --mode backup-dqlite, then tar); `path` without `.tar.gz`. */
export const dbctlBackup = (path: string): RemoteCommand => cmd(sh`sudo microk8s dbctl backup -o ${path}`);
export const dbctlRestore = (file: string): RemoteCommand => cmd(sh`sudo microk8s dbctl restore ${file}`);

/** `The backup is: <file>.tar.gz` (dbctl.py backup()). */
export function parseBackupFile(text: string): string {
  const m = /^The backup is: (\/[A-Za-z0-9._/-]{1,200}\.tar\.gz)$/m.exec(text);
  if (!m) throw new Error(`microk8s dbctl backup did not name its file: ${JSON.stringify(text.slice(-200))}`);
  return m[1];
}
/**
 * `microk8s inspect` writes its report (scripts/inspect.sh build_report_tarball) and prints
 * `  Report tarball is at ${SNAP_DATA}/inspection-report-<%Y%m%d_%H%M%S>.tar.gz`; it exits 1 when a service is
 * down, with the report built all the same. Not a read: it writes that file, which the bundle removes after.
 */
export const inspect = (): RemoteCommand => cmd('sudo microk8s inspect', { okCodes: [0, 1] });
export const INSPECT_REPORT = /^ {2}Report tarball is at (\/var\/snap\/microk8s\/[0-9x]+\/inspection-report-\d{8}_\d{6}\.tar\.gz)$/m;
export function parseInspectReport(text: string): string {
  const m = INSPECT_REPORT.exec(text);
  if (!m) throw new Error(`microk8s inspect printed no report path (its last lines: ${JSON.stringify(text.slice(-300))})`);
  return m[1];
}
export const removeInspectReport = (path: string): RemoteCommand => {
  if (!INSPECT_REPORT.test(`  Report tarball is at ${path}`)) throw new Error(`not an inspect report path: ${path}`);
  return cmd(sh`sudo rm -f ${path}`);
};
