// The HTTP(S) proxy on a node, in one place: every file and setting the installer writes for `proxy`, the marked
// blocks it owns in them, and the commands that read, write and undo them (reset reuses these). Formats and
// sources: docs/commands.md ("Proxy"). Nothing here carries a credential: the spec refuses user:password URLs.
import { ipv4ToInt } from '../../site/patterns';
import { blockLines, removeBlock, replaceBlock, type BlockMarkers } from './marked-block';
import { cmd, query, sh, SUDO, type RemoteCommand } from './sh';

/** What the workflow passes: the spec's proxy, and what NO_PROXY must always cover. */
export interface ProxyInput {
  http?: string;
  https?: string;
  /** The spec's own exemptions (proxy.noProxy). */
  noProxy: string[];
  network: { gateway: string; prefixLength: number };
  virtualIp: string;
}

/** apt reads every file in apt.conf.d; this one is the installer's alone (apt.conf(5): `Acquire::http::Proxy`). */
export const APT_PROXY_FILE = '/etc/apt/apt.conf.d/95kloudspot-proxy';
/** Sourced (`set -a; . containerd-env`) by MicroK8s' run-containerd-with-args before containerd starts. */
export const CONTAINERD_ENV_FILE = '/var/snap/microk8s/current/args/containerd-env';
/** The unit that sources containerd-env: restarting it (not all of MicroK8s) applies a changed block. */
export const CONTAINERD_SERVICE = 'microk8s.daemon-containerd';
/** MicroK8s' defaults: the pod range (kube-proxy --cluster-cidr) and the service range (kube-apiserver --service-cluster-ip-range). */
export const MICROK8S_POD_CIDR = '10.1.0.0/16';
export const MICROK8S_SERVICE_CIDR = '10.152.183.0/24';
/** The one block the installer owns in each file it shares; the apt file carries the same markers. */
export const PROXY_MARKERS: BlockMarkers = { begin: '# BEGIN kloudspot-installer proxy', end: '# END kloudspot-installer proxy' };
/** snapd's system options (`snap set system proxy.http=...`; snapd also writes them to /etc/environment). */
export const SNAP_PROXY_KEYS = ['proxy.http', 'proxy.https', 'proxy.no-proxy'] as const;
export type SnapProxyKey = typeof SNAP_PROXY_KEYS[number];

/** `192.168.1.0/24` for gateway 192.168.1.254 and prefix 24. */
export function subnetCidr(gateway: string, prefixLength: number): string {
  const size = 2 ** (32 - prefixLength);
  const base = Math.floor(ipv4ToInt(gateway) / size) * size;
  return `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.')}/${prefixLength}`;
}

/** What no proxy may carry: this machine, the node subnet, the virtual IP, MicroK8s' pods and services, and the spec's own. */
export function noProxyList(p: ProxyInput): string[] {
  const all = ['localhost', '127.0.0.1', subnetCidr(p.network.gateway, p.network.prefixLength), p.virtualIp, MICROK8S_POD_CIDR, MICROK8S_SERVICE_CIDR, ...p.noProxy];
  return [...new Set(all)];
}

/** apt ignores no_proxy: it goes direct only for hosts listed as `DIRECT`; our node traffic never goes through apt. */
export function renderAptProxy(p: ProxyInput): string {
  const lines = [PROXY_MARKERS.begin, '# Written by kloudspot-installer from the site spec\'s proxy; replaced as a whole when it changes.'];
  if (p.http) lines.push(`Acquire::http::Proxy "${p.http}";`);
  if (p.https) lines.push(`Acquire::https::Proxy "${p.https}";`);
  return [...lines, PROXY_MARKERS.end, ''].join('\n');
}

/** The environment lines containerd gets: both spellings, as Go's net/http reads either. */
export function proxyEnvironment(p: ProxyInput): Record<string, string> {
  const env: Record<string, string> = {};
  if (p.http) { env.HTTP_PROXY = p.http; env.http_proxy = p.http; }
  if (p.https) { env.HTTPS_PROXY = p.https; env.https_proxy = p.https; }
  const none = noProxyList(p).join(',');
  env.NO_PROXY = none;
  env.no_proxy = none;
  return env;
}

/** containerd-env with exactly one proxy block (the rest of MicroK8s' file as it was). */
export function renderContainerdEnv(current: string, p: ProxyInput): string {
  return replaceBlock(current, PROXY_MARKERS, Object.entries(proxyEnvironment(p)).map(([k, v]) => `${k}=${v}`));
}

/** For reset: the file without the installer's block. */
export const withoutProxyBlock = (current: string): string => removeBlock(current, PROXY_MARKERS);
export const proxyBlockOf = (current: string): string[] | undefined => blockLines(current, PROXY_MARKERS);

/** snapd's proxy options as the spec wants them ('' = unset). */
export function snapProxyWanted(p: ProxyInput): Record<SnapProxyKey, string> {
  return { 'proxy.http': p.http ?? '', 'proxy.https': p.https ?? '', 'proxy.no-proxy': noProxyList(p).join(',') };
}

/** `snap get system proxy.http` prints the value; an unset option is an error (exit 1, nothing on stdout). */
export const snapProxyGet = (key: SnapProxyKey): RemoteCommand => query(sh`${SUDO} snap get system ${key}`, { okCodes: [0, 1] });
export const parseSnapGet = (stdout: string, code: number): string => (code === 0 ? stdout.trim() : '');
/** One transaction for every option given; an empty value unsets it (`key!`, cmd_set.go). */
export const snapProxySet = (values: Partial<Record<SnapProxyKey, string>>): RemoteCommand =>
  cmd(sh`${SUDO} snap set system ${Object.entries(values).map(([k, v]) => (v === '' ? `${k}!` : `${k}=${v}`))}`);
/** For reset: every proxy option back to unset. */
export const snapProxyUnset = (): RemoteCommand => cmd(sh`${SUDO} snap unset system ${[...SNAP_PROXY_KEYS]}`);

export const restartContainerd = (): RemoteCommand => cmd(sh`${SUDO} snap restart ${CONTAINERD_SERVICE}`);

/** curl's own options for the tools download (curl ignores an upper-case HTTP_PROXY; flags are explicit). */
export function curlProxyOptions(p: ProxyInput | undefined): string[] {
  if (!p) return [];
  const proxy = p.https ?? p.http;
  return proxy ? ['--proxy', proxy, '--noproxy', noProxyList(p).join(',')] : [];
}

/** The environment the tools script runs in, so what it downloads goes through the proxy too. */
export function scriptProxyEnv(p: ProxyInput | undefined): string[] {
  if (!p) return [];
  const env = proxyEnvironment(p);
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}
