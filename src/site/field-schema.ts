// The spec keys of field access that shape the nodes (DESIGN.md section 10): an HTTP(S) proxy, the MicroK8s
// snap's refresh hold, and hook scripts run before or after a phase. Strict like the rest of the spec.
import { z } from 'zod';
import { IPV4 } from './patterns';
import { workerFile } from './access-schema';

/** A proxy as apt, snapd, curl and containerd all read it: http(s)://host[:port][/], no credentials (they would land in files). */
export const PROXY_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/;
/** A no_proxy entry: a host, a domain suffix (`.acme.example`), an IPv4 address or an IPv4 CIDR. */
const NO_PROXY_HOST = /^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const isNoProxyEntry = (v: string): boolean => {
  const [ip, bits, extra] = v.split('/');
  if (extra === undefined && bits !== undefined) return IPV4.test(ip) && /^([0-9]|[12]\d|3[0-2])$/.test(bits);
  return v.length <= 253 && (IPV4.test(v) || NO_PROXY_HOST.test(v));
};

const proxyUrl = z.string().regex(PROXY_URL, {
  error: 'is not a proxy URL. Fix: write http://host:port (no user name or password: they would be written into files on every node), e.g. http://proxy.acme.example:3128',
});

export const ProxySchema = z.strictObject({
  http: proxyUrl.optional(),
  https: proxyUrl.optional(),
  /** Added to the node subnet, the virtual IP and MicroK8s' pod and service ranges, which are always exempt. */
  noProxy: z.array(z.string().refine(isNoProxyEntry, {
    error: 'is not a host, domain, IPv4 address or IPv4 CIDR. Fix: write e.g. registry.acme.example, .acme.example, 192.168.2.10 or 192.168.2.0/24',
  }), { error: 'is not a list. Fix: write a list of hosts, domains or CIDRs, e.g. [.acme.example, 192.168.2.0/24]' })
    .max(64, { error: 'has more than 64 entries. Fix: use domain suffixes (.acme.example) or CIDRs to cover many hosts' })
    .default([]),
}).refine((p) => p.http !== undefined || p.https !== undefined, {
  error: 'names no proxy. Fix: add http and/or https, e.g. proxy: { http: http://proxy.acme.example:3128, https: http://proxy.acme.example:3128 }',
});

export type ProxySpec = z.output<typeof ProxySchema>;

/** `snap refresh --hold=<this> microk8s` after the cluster forms: `forever`, a duration (hours or minutes), or off. */
export const REFRESH_HOLD = /^(forever|off|[1-9]\d{0,5}(h|m))$/;
export const DEFAULT_REFRESH_HOLD = 'forever';

export const MicroK8sSchema = z.strictObject({
  refreshHold: z.union([z.boolean(), z.string()], {
    error: 'is not a refresh hold. Fix: write forever, a duration such as 720h, or off',
  }).transform((v) => (v === true ? 'forever' : v === false ? 'off' : v))
    .refine((v) => REFRESH_HOLD.test(v), {
      error: 'is not a refresh hold. Fix: write forever (the default), a whole number of hours or minutes such as 720h, or off (snapd may then refresh MicroK8s by itself)',
    }).default(DEFAULT_REFRESH_HOLD),
}).default({ refreshHold: DEFAULT_REFRESH_HOLD });

/** The phases a hook may run before or after (the install's, in order). */
export const HOOK_PHASES = ['preflight', 'prepare-nodes', 'form-cluster', 'configure-storage', 'deploy-chart'] as const;
export type HookPhase = typeof HOOK_PHASES[number];
/** A hook is a script on the worker, sent to each node on stdin: small by nature. */
export const HOOK_MAX_BYTES = 64 * 1024;

const hookList = z.array(workerFile('a hook script', '/etc/kloudspot/hooks/proxy-ca.sh'), {
  error: 'is not a list. Fix: list script files on the worker, e.g. [/etc/kloudspot/hooks/proxy-ca.sh]',
}).max(16, { error: 'has more than 16 scripts. Fix: combine them into fewer scripts' });

const hookPhases = z.strictObject(Object.fromEntries(HOOK_PHASES.map((p) => [p, hookList.optional()])) as Record<HookPhase, z.ZodOptional<typeof hookList>>);

export const HooksSchema = z.strictObject({ before: hookPhases.optional(), after: hookPhases.optional() });
export type HooksSpec = z.output<typeof HooksSchema>;
