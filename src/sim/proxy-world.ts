// A site whose nodes reach the internet only through an HTTP proxy (`sim --proxy URL`): each program that
// downloads answers as the real one does when it cannot connect, unless it was told the proxy in its own way
// (apt: an Acquire::http(s)::Proxy line in /etc/apt/apt.conf.d; curl: --proxy or https_proxy; snapd: its
// proxy.https option). So an install passes only if every one of them was configured, before it was needed.
import type { Proc } from './process';

/** MicroK8s' default args/containerd-env (canonical/microk8s microk8s-resources/default-args/containerd-env). */
export const CONTAINERD_ENV = '/var/snap/microk8s/current/args/containerd-env';
export const DEFAULT_CONTAINERD_ENV = `# Remember to restart MicroK8s after editing this file:
#
# sudo microk8s stop; sudo microk8s start
#

# To start containerd behind a proxy you need to add an HTTPS_PROXY
# environment variable in this file. HTTPS_PROXY is of the following form:
# HTTPS_PROXY=http://username:password@proxy:port/
# where username: and password@ are optional. eg:
#
# HTTPS_PROXY=https://squid.internal:3128
#
# You may also want to set NO_PROXY to include the cluster-cidr and the services-cidr
# as specified in /var/snap/microk8s/current/args/kube-proxy and
# /var/snap/microk8s/current/args/kube-apiserver
#
# NO_PROXY=10.1.0.0/16,10.152.183.0/24
#

# You can set the of the kata containers runtime here.
#
# KATA_PATH=
#
PATH=$PATH:$KATA_PATH

# Attempt to change the maximum number of open file descriptors
# this get inherited to the running containers
#
ulimit -n 65536 || true

# Attempt to change the maximum locked memory limit
# this get inherited to the running containers
#
ulimit -l 16384 || true
`;

const sameProxy = (a: string | undefined, b: string): boolean => !!a && a.replace(/\/$/, '') === b.replace(/\/$/, '');

/** apt's proxy: the last `Acquire::<scheme>::Proxy "..."` line of the files in /etc/apt/apt.conf.d. */
export function aptReachesArchive(p: Proc): boolean {
  const proxy = p.world.proxy;
  if (!proxy) return true;
  for (const [path, f] of p.node.files) {
    if (!path.startsWith('/etc/apt/apt.conf.d/')) continue;
    for (const m of f.content.matchAll(/^Acquire::http::Proxy\s+"([^"]*)";/gm)) if (sameProxy(m[1], proxy)) return true;
  }
  return false;
}

/** curl: `--proxy URL` / `-x URL`, else https_proxy (lower case; curl ignores upper-case HTTP_PROXY) for an https URL. */
export function curlReaches(p: Proc): boolean {
  const proxy = p.world.proxy;
  if (!proxy) return true;
  const a = p.argv;
  const i = a.findIndex((x) => x === '--proxy' || x === '-x');
  if (i >= 0) return sameProxy(a[i + 1], proxy);
  return sameProxy(p.env.https_proxy ?? p.env.HTTPS_PROXY, proxy);
}

/** snapd talks to the store through its proxy.https option (snap set system proxy.https=...). */
export function storeReachable(p: Proc): boolean {
  const proxy = p.world.proxy;
  if (!proxy || sameProxy(p.node.snapd.system.get('proxy.https'), proxy)) return true;
  p.err('error: cannot install "microk8s": Post "https://api.snapcraft.io/v2/snaps/refresh": dial tcp 185.125.188.55:443: i/o timeout\n');
  return false;
}
