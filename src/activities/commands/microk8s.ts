// MicroK8s cluster commands (the seed's "Configure The Cluster") and parsers of their output.
// Formats: canonical/microk8s scripts/wrappers/{status,add_token,join}.py; see docs/commands.md.
import { IPV4 } from '../../site/patterns';
import { cmd, query, sh, SUDO, type RemoteCommand } from './sh';

export const waitReady = (timeoutSeconds = 300): RemoteCommand =>
  query(sh`${SUDO} microk8s status --wait-ready --timeout ${timeoutSeconds}`, { okCodes: [0, 1] });
export const status = (): RemoteCommand => query(sh`${SUDO} microk8s status`, { okCodes: [0, 1] });
export const addonStatus = (addon: string): RemoteCommand => query(sh`${SUDO} microk8s status -a ${addon}`);
export const enableAddon = (addon: string): RemoteCommand => cmd(sh`${SUDO} microk8s enable ${addon}`);

/** The cluster agent's single-use join tokens: one per line, `<token>` or `<token>|<expiry>` (add_token.py). */
export const CLUSTER_TOKENS_FILE = '/var/snap/microk8s/current/credentials/cluster-tokens.txt';
const SERVER_CERT = '/var/snap/microk8s/current/certs/server.crt';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * What `microk8s add-node --token T` does (add_token.py appends `T\n`: no `|expiry`, so single-use: the agent's
 * ConsumeClusterToken removes it at the first join request), but with the token on stdin: it is in no argv, `ps`
 * or sudo log. The file is created 0660 when missing, as add-node's wrapper leaves it (never world-readable).
 */
export const issueJoinToken = (token: string): RemoteCommand =>
  cmd(sh`${SUDO} test -e ${CLUSTER_TOKENS_FILE} || ${SUDO} install -m 0660 /dev/null ${CLUSTER_TOKENS_FILE} && ${SUDO} tee -a ${CLUSTER_TOKENS_FILE} > /dev/null`,
    { stdin: `${token}\n`, redact: [token] });
/** utils.sh server_cert_check: the join URL's CHECK is the first 12 hex of the SHA-256 of server.crt's DER. */
export const serverCertCheck = (): RemoteCommand => query(sh`${SUDO} openssl x509 -in ${SERVER_CERT} -outform der | sha256sum`);
export function parseServerCertCheck(text: string): string {
  const m = /^([0-9a-f]{64})\s/.exec(text.trim() + '\n');
  if (!m) throw new Error(`unexpected "openssl x509 -outform der | sha256sum" output: ${JSON.stringify(text.slice(0, 120))}`);
  // sha256sum of nothing: openssl could not read the certificate (the pipeline's status is sha256sum's).
  if (m[1] === EMPTY_SHA256) throw new Error(`openssl could not read ${SERVER_CERT} (is MicroK8s installed and its certificates in place?)`);
  return m[1].slice(0, 12);
}
/** How many lines of the token file hold this token (grep -c; 0 when gone). The token goes on stdin as the pattern. */
export const joinTokenCount = (token: string): RemoteCommand =>
  query(sh`${SUDO} grep -c -x -F -f - ${CLUSTER_TOKENS_FILE}`, { stdin: `${token}\n`, okCodes: [0, 1, 2], redact: [token] });
export function parseTokenCount(r: { code: number | null; stdout: string }): number {
  if (r.code === 2) return 0; // no token file: no token
  const n = /^(\d+)\s*$/.exec(r.stdout);
  if (!n) throw new Error(`unexpected "grep -c" output: ${JSON.stringify(r.stdout.slice(0, 80))}`);
  return Number(n[1]);
}
/** Removes a token that no join consumed (the join never reached the agent): a copy without its line replaces the file. */
export const revokeJoinToken = (token: string): RemoteCommand => {
  const tmp = `${CLUSTER_TOKENS_FILE}.kloudspot`;
  return cmd(sh`${SUDO} install -m 0660 /dev/null ${tmp} && ${SUDO} grep -v -x -F -f - ${CLUSTER_TOKENS_FILE} | ${SUDO} tee ${tmp} > /dev/null && ${SUDO} mv ${tmp} ${CLUSTER_TOKENS_FILE}`,
    { stdin: `${token}\n`, redact: [token] });
};
/**
 * `add-node --token T` without `--token-ttl`: add_token.py writes a bare line, which the cluster agent consumes at
 * the first join request (single-use). The token is in add-node's argv; the install uses issueJoinToken instead.
 */
export const addNode = (token: string): RemoteCommand => cmd(sh`${SUDO} microk8s add-node --token ${token} --format short`, { redact: [token] });
/** The join URL `microk8s add-node` prints for this address: `<ip>:25000/<token>/<check>`. */
export const joinUrl = (address: string, token: string, check: string): string => `${address}:25000/${token}/${check}`;
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
/**
 * join.py takes the connection only as an argument; xargs reads it from stdin so that sudo's log and the
 * command line we send hold no token. It is in join.py's argv only until its first request, which consumes it.
 */
export const join = (joinUrl: string, worker: boolean, secrets: string[]): RemoteCommand =>
  cmd(sh`${SUDO} xargs -r -d ${'\\n'} microk8s join` + (worker ? ' --worker' : ''), { stdin: `${joinUrl}\n`, redact: [...secrets, joinUrl] });
/** A worker node records its membership in this lock file (microk8s join.py). */
export const workerClusteredLock = (): RemoteCommand =>
  query('test -e /var/snap/microk8s/current/var/lock/clustered.lock', { okCodes: [0, 1] });
export const getNodes = (): RemoteCommand => query(sh`${SUDO} microk8s kubectl get nodes --no-headers`, { okCodes: [0, 1] });
/** The snap's command on PATH (/snap/bin/microk8s): installed by the tools script, or already on a clone. */
export const microk8sInstalled = (): RemoteCommand => query('command -v microk8s', { okCodes: [0, 1, 127] });
/** Stops and starts MicroK8s' services (wrappers microk8s-stop/start: no output); started again, the kubelet registers under the current hostname. */
export const stopMicrok8s = (): RemoteCommand => cmd(sh`${SUDO} microk8s stop`);
export const startMicrok8s = (): RemoteCommand => cmd(sh`${SUDO} microk8s start`);
/** `node/<name>`; a kubelet registered under another name: `Error from server (NotFound): nodes "<name>" not found` exit 1. */
export const getNodeNamed = (name: string): RemoteCommand => query(sh`${SUDO} microk8s kubectl get node ${name} -o name`, { okCodes: [0, 1] });

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
  cmd(sh`${SUDO} microk8s refresh-certs --cert ${cert}`);

/** The datastore to a tar.gz (dbctl.py: go-migrator --mode backup-dqlite, then tar); `path` without `.tar.gz`. */
export const dbctlBackup = (path: string): RemoteCommand => cmd(sh`${SUDO} microk8s dbctl backup -o ${path}`);
export const dbctlRestore = (file: string): RemoteCommand => cmd(sh`${SUDO} microk8s dbctl restore ${file}`);

/** `The backup is: <file>.tar.gz` (dbctl.py backup()). */
export function parseBackupFile(text: string): string {
  const m = /^The backup is: (\/[A-Za-z0-9._/-]{1,200}\.tar\.gz)$/m.exec(text);
  if (!m) throw new Error(`microk8s dbctl backup did not name its file: ${JSON.stringify(text.slice(-200))}`);
  return m[1];
}
/** go-migrator restore_to_dqlite: `Processed N entries` (printf, no newline) once no `<N>.key` follows. */
export function parseRestoredEntries(text: string): number {
  const m = /Processed (\d{1,9}) entries\s*$/.exec(text);
  if (!m) throw new Error(`microk8s dbctl restore did not say how many entries it processed: ${JSON.stringify(text.slice(-200))}`);
  return Number(m[1]);
}
// reset: taking the cluster apart (canonical/microk8s scripts/wrappers/leave.py, remove_node.py, disable.py).
/** On the departing node; rc 1 `This MicroK8s deployment is not acting as a node in a cluster.` when it is not. */
export const leave = (): RemoteCommand => cmd(sh`${SUDO} microk8s leave`, { okCodes: [0, 1] });
export const disableAddon = (addon: string): RemoteCommand => cmd(sh`${SUDO} microk8s disable ${addon}`);
/**
 * `microk8s inspect` writes its report (scripts/inspect.sh build_report_tarball) and prints
 * `  Report tarball is at ${SNAP_DATA}/inspection-report-<%Y%m%d_%H%M%S>.tar.gz`; it exits 1 when a service is
 * down, with the report built all the same. Not a read: it writes that file, which the bundle removes after.
 */
export const inspect = (): RemoteCommand => cmd(sh`${SUDO} microk8s inspect`, { okCodes: [0, 1] });
export const INSPECT_REPORT = /^ {2}Report tarball is at (\/var\/snap\/microk8s\/[0-9x]+\/inspection-report-\d{8}_\d{6}\.tar\.gz)$/m;
export function parseInspectReport(text: string): string {
  const m = INSPECT_REPORT.exec(text);
  if (!m) throw new Error(`microk8s inspect printed no report path (its last lines: ${JSON.stringify(text.slice(-300))})`);
  return m[1];
}
export const removeInspectReport = (path: string): RemoteCommand => {
  if (!INSPECT_REPORT.test(`  Report tarball is at ${path}`)) throw new Error(`not an inspect report path: ${path}`);
  return cmd(sh`${SUDO} rm -f ${path}`);
};

/**
 * replace-node: a node that is gone for good leaves dqlite and Kubernetes (remove_node.py; `--force` because it
 * cannot `microk8s leave` itself). Exit 1 with "does not exist in Kubernetes" when it is already gone; an address
 * instead of a name removes a dqlite member whose Node is gone.
 */
export const removeNode = (nameOrAddress: string, force = true): RemoteCommand =>
  cmd(sh`${SUDO} microk8s remove-node ${nameOrAddress}` + (force ? ' --force' : ''), { okCodes: [0, 1] });
/** One Node as JSON; `Error from server (NotFound)` exit 1 when there is none. */
export const readNode = (name: string): RemoteCommand => query(sh`${SUDO} microk8s kubectl get node ${name} -o json`, { okCodes: [0, 1] });

/** A Node's InternalIP (strictly an IPv4 address, or undefined) and whether its Ready condition is True. */
export function parseNodeJson(json: string): { address?: string; ready: boolean } {
  const n = JSON.parse(json) as { status?: { addresses?: { type?: string; address?: string }[]; conditions?: { type?: string; status?: string }[] } };
  const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  return {
    address: typeof ip === 'string' && IPV4.test(ip) ? ip : undefined,
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  };
}
