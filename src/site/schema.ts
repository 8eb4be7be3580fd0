import { z } from 'zod';
import {
  CUSTOMER_REF, DURATION, INTERFACE_NAME, IPV4, LVM_NAME, LVM_SIZE, RFC1123_HOSTNAME, RFC1123_LABEL,
  SAFE_URL, SHA256_HEX, SSH_FINGERPRINT, UNIX_USER, durationToMs, isNetworkOrBroadcast, sameSubnet,
} from './patterns';
import { nodeRole } from './roles';
import { BastionSchema, sudoPasswordFile, workerFile } from './access-schema';
import { HooksSchema, MicroK8sSchema, ProxySchema } from './field-schema';
import { ChartSchema } from './chart-schema';

export { nodeRole };

// Messages read "what is wrong. Fix: how to fix it"; the formatter adds the path and the value.
const ipv4 = (example: string) =>
  z.string().regex(IPV4, { error: `is not a dotted-quad IPv4 address. Fix: write four numbers 0-255 separated by dots, e.g. ${example}` });

const duration = (fallback: string) =>
  z.string()
    .regex(DURATION, { error: 'is not a duration. Fix: write a whole number followed by s, m or h, e.g. 15m' })
    .default(fallback);

export const DEFAULT_TOOLS_URL = 'https://registry.kloudspot.com/repository/files/on-prem-cluster.sh';

export const DEFAULT_DOCTOR_EVERY = '6h';
const DOCTOR_EVERY = /^(\d{1,6}(s|m|h)|off)$/;

export const DEFAULT_TIMEOUTS = { nodeReboot: '15m', clusterReady: '20m', storageReady: '20m', chartReady: '45m' } as const;

export const NodeSchema = z.strictObject({
  name: z.string().regex(RFC1123_LABEL, {
    error: 'is not an RFC 1123 label. Fix: use 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit, e.g. k8s-vm-1',
  }),
  address: ipv4('192.168.1.106'),
  interface: z.string().regex(INTERFACE_NAME, {
    error: 'is not a network interface name. Fix: use the name `ip link` shows on the node, e.g. ens18 (at most 15 letters, digits, ., _ or -)',
  }),
  role: z.enum(['manager', 'worker'], { error: 'is not a role. Fix: write manager or worker, or leave it out' }).optional(),
  hostKey: z.string().regex(SSH_FINGERPRINT, {
    error: 'is not an OpenSSH SHA256 fingerprint. Fix: copy it from `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the node, e.g. SHA256:<43 characters>',
  }).optional(),
  /** This node's own sudo password file / bastion, over the site's (ssh.sudoPasswordFile, ssh.bastion). */
  sudoPasswordFile: sudoPasswordFile().optional(),
  bastion: BastionSchema.optional(),
});

const StorageGb = z.number({ error: 'is not a number. Fix: write a whole number of gigabytes, e.g. 10' })
  .int({ error: 'is not a whole number. Fix: write a whole number of gigabytes, e.g. 10' })
  .min(0, { error: 'is negative. Fix: write 0 or more gigabytes' })
  .max(100_000, { error: 'is more than 100000 GB. Fix: write the size in gigabytes, e.g. 10' });

export const SiteSpecSchema = z.strictObject({
  site: z.string().regex(RFC1123_LABEL, {
    error: 'is not a lowercase slug. Fix: use 1-63 lowercase letters, digits and hyphens, e.g. acme-hq',
  }),
  customer: z.string().regex(CUSTOMER_REF, {
    error: 'is not a customer reference. Fix: use letters, digits, ., _ or - (no spaces), e.g. acme',
  }),
  dnsHostname: z.string().regex(RFC1123_HOSTNAME, {
    error: 'is not a DNS host name. Fix: use lowercase dot-separated labels, e.g. kloudspot.acme.example',
  }),
  virtualIp: ipv4('192.168.1.50'),
  network: z.strictObject({
    prefixLength: z.number({ error: 'is not a number. Fix: write the subnet prefix length, e.g. 24' })
      .int({ error: 'is not a whole number. Fix: write the subnet prefix length, e.g. 24' })
      .min(8, { error: 'is below 8. Fix: write the subnet prefix length between 8 and 30, e.g. 24' })
      .max(30, { error: 'is above 30. Fix: write the subnet prefix length between 8 and 30, e.g. 24' }),
    gateway: ipv4('192.168.1.254'),
    nameservers: z.array(ipv4('8.8.8.8'), { error: 'is not a list. Fix: write a list of IPv4 addresses, e.g. [192.168.1.254, 8.8.8.8]' })
      .min(1, { error: 'is empty. Fix: list at least one DNS server, e.g. [192.168.1.254]' })
      .max(3, { error: 'has more than 3 entries. Fix: list at most 3 DNS servers (the resolver uses only 3)' }),
  }),
  ssh: z.strictObject({
    user: z.string().regex(UNIX_USER, {
      error: 'is not a Unix user name. Fix: use lowercase letters, digits, _ or -, starting with a letter, e.g. kloudspot',
    }),
    port: z.number({ error: 'is not a number. Fix: write a TCP port, e.g. 22' })
      .int({ error: 'is not a whole number. Fix: write a TCP port, e.g. 22' })
      .min(1, { error: 'is not a TCP port. Fix: write a port between 1 and 65535, e.g. 22' })
      .max(65535, { error: 'is not a TCP port. Fix: write a port between 1 and 65535, e.g. 22' })
      .default(22),
    privateKeyFile: workerFile('the SSH private key', '~/.ssh/id_ed25519'),
    /** Absent: sudo must not ask for a password (NOPASSWD). */
    sudoPasswordFile: sudoPasswordFile().optional(),
    bastion: BastionSchema.optional(),
    /**
     * false (the default): a node with no nodes[].hostKey and no pin of the worker gets nothing but the key exchange
     * until a person confirms its key (the hostKeys question). true: its first key is pinned unasked (sites where
     * nobody can answer; the key is then shown in the status summary only).
     */
    trustOnFirstUse: z.boolean({ error: 'is not true or false. Fix: write true (pin first-seen host keys unasked) or false (ask; the default)' }).default(false),
  }),
  nodes: z.array(NodeSchema, { error: 'is not a list. Fix: list the nodes, each as { name, address, interface }' })
    .min(3, { error: 'has fewer than 3 nodes. Fix: list at least 3 nodes; a highly available cluster needs 3 managers' })
    .max(64, { error: 'has more than 64 nodes. Fix: install at most 64 nodes at once; add more later with addNode' }),
  lvm: z.strictObject({
    volumeGroup: z.string().regex(LVM_NAME, {
      error: 'is not an LVM volume group name. Fix: use letters, digits, +, _, . or -, not starting with -, e.g. ubuntu-vg',
    }).default('ubuntu-vg'),
    sharedVolumeSize: z.string().regex(LVM_SIZE, {
      error: 'is not an LVM size. Fix: write a whole number followed by M, G or T, e.g. 20G',
    }).default('20G'),
  }).default({ volumeGroup: 'ubuntu-vg', sharedVolumeSize: '20G' }),
  features: z.strictObject({
    kloudManage: z.boolean({ error: 'is not true or false. Fix: write true or false' }).default(false),
    kloudInsights: z.boolean({ error: 'is not true or false. Fix: write true or false' }).default(false),
    kloudHybrid: z.boolean({ error: 'is not true or false. Fix: write true or false' }).default(false),
  }),
  storage: z.strictObject({
    elasticsearch: StorageGb.default(0),
    streamState: StorageGb.default(0),
    insightsDatabase: StorageGb.default(0),
    kafka: StorageGb.default(0),
    zookeeper: StorageGb.default(0),
  }),
  tls: z.strictObject({
    mode: z.enum(['upload', 'self-signed'], {
      error: 'is not a TLS mode. Fix: write upload (a person uploads a certificate and key) or self-signed',
    }),
  }),
  timeouts: z.strictObject({
    nodeReboot: duration(DEFAULT_TIMEOUTS.nodeReboot),
    clusterReady: duration(DEFAULT_TIMEOUTS.clusterReady),
    storageReady: duration(DEFAULT_TIMEOUTS.storageReady),
    chartReady: duration(DEFAULT_TIMEOUTS.chartReady),
  }).default({ ...DEFAULT_TIMEOUTS }),
  // A re-run on a formed cluster: nodes already in it are upgraded and rebooted one at a time (drain, reboot,
  // Ready, uncordon, voters back), or left as they are (`skip`: no apt upgrade, no reboot on them).
  upgrades: z.strictObject({
    clusterNodes: z.enum(['rolling', 'skip'], {
      error: 'is not rolling or skip. Fix: write rolling (upgrade and reboot the nodes already in the cluster one at a time) or skip (leave them as they are)',
    }).default('rolling'),
  }).default({ clusterNodes: 'rolling' }),
  // The site's doctor on its Temporal Schedule doctor/<site>, registered by each install (`off`: none).
  doctor: z.strictObject({
    every: z.string().regex(DOCTOR_EVERY, {
      error: 'is not an interval. Fix: write a whole number followed by s, m or h, at least 10s (e.g. 6h), or off for no scheduled doctor',
    }).refine((v) => v === 'off' || !DOCTOR_EVERY.test(v) || durationToMs(v) >= 10_000, {
      error: 'is shorter than 10s. Fix: a doctor run reads every node; write 10s or more, e.g. 6h',
    }).default(DEFAULT_DOCTOR_EVERY),
  }).default({ every: DEFAULT_DOCTOR_EVERY }),
  // The script runs as root on every node: https only, and run only when its SHA-256 is the pinned one.
  kloudspot: z.strictObject({
    toolsUrl: z.string().regex(SAFE_URL, {
      error: 'is not a plain https URL. Fix: write a URL of letters, digits and . - _ ~ / only, e.g. ' + DEFAULT_TOOLS_URL,
    }).refine((u) => u.startsWith('https://'), {
      error: 'is not https. Fix: the tools script runs as root on every node, so it must come over TLS; write an https:// URL, e.g. ' + DEFAULT_TOOLS_URL,
    }).default(DEFAULT_TOOLS_URL),
    toolsSha256: z.string({ error: 'is missing. Fix: pin the tools script: add kloudspot.toolsSha256 with the output of `curl -fsSL <toolsUrl> | sha256sum` (64 hex digits), after reading the script' })
      .regex(SHA256_HEX, { error: 'is not a SHA-256. Fix: write the 64 lowercase hex digits `sha256sum` prints for the tools script' }),
  }, { error: 'is missing. Fix: add kloudspot: { toolsUrl, toolsSha256 } (see examples/site.yaml); the tools script runs only when its SHA-256 is pinned' }),
  // Field access (field-schema.ts): an HTTP(S) proxy, the MicroK8s refresh hold, hook scripts.
  proxy: ProxySchema.optional(),
  microk8s: MicroK8sSchema,
  hooks: HooksSchema.optional(),
  // What the chart needs beyond the seed's questions (chart-schema.ts): StorageClass names, extra values.
  chart: ChartSchema,
  // Who writes /etc/kloudspot/values.yaml: the installer from the spec (`values`), or `kloudspot init` itself,
  // its prompts answered over a terminal from the spec (`kloudspot-init`, src/activities/commands/kloudspot-init.ts).
  deploy: z.strictObject({
    mode: z.enum(['values', 'kloudspot-init'], {
      error: 'is not a deploy mode. Fix: write values (the installer writes values.yaml from the spec) or kloudspot-init (kloudspot init writes it, its prompts answered from the spec)',
    }).default('values'),
  }).default({ mode: 'values' }),
}).superRefine((spec, ctx) => {
  const { prefixLength, gateway } = spec.network;
  const add = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  const seenNames = new Map<string, number>();
  const seenAddresses = new Map<string, number>();
  spec.nodes.forEach((node, i) => {
    const nameAt = seenNames.get(node.name);
    if (nameAt !== undefined) add(['nodes', i, 'name'], `repeats the name of nodes[${nameAt}]. Fix: give every node its own host name`);
    else seenNames.set(node.name, i);
    const addrAt = seenAddresses.get(node.address);
    if (addrAt !== undefined) add(['nodes', i, 'address'], `repeats the address of nodes[${addrAt}]. Fix: give every node its own static IP address`);
    else seenAddresses.set(node.address, i);
    if (!sameSubnet(node.address, gateway, prefixLength)) {
      add(['nodes', i, 'address'], `is not in the gateway's subnet (${gateway}/${prefixLength}). Fix: use an address in that subnet or correct network.gateway / network.prefixLength`);
    } else if (isNetworkOrBroadcast(node.address, prefixLength)) {
      add(['nodes', i, 'address'], `is the network or broadcast address of ${gateway}/${prefixLength}. Fix: use a host address`);
    }
  });

  if (!sameSubnet(spec.virtualIp, gateway, prefixLength)) {
    add(['virtualIp'], `is not in the nodes' subnet (${gateway}/${prefixLength}). Fix: MetalLB announces the virtual IP over layer 2, so pick a free address in the nodes' subnet`);
  }
  const vipNode = spec.nodes.findIndex((n) => n.address === spec.virtualIp);
  if (vipNode >= 0) add(['virtualIp'], `is the address of nodes[${vipNode}]. Fix: pick a free address that no node uses`);
  if (spec.virtualIp === gateway) add(['virtualIp'], 'is the gateway address. Fix: pick a free address that is neither a node nor the gateway');
  const gwNode = spec.nodes.findIndex((n) => n.address === gateway);
  if (gwNode >= 0) add(['network', 'gateway'], `is the address of nodes[${gwNode}]. Fix: write the router's address`);

  const managers = spec.nodes.filter((_, i) => nodeRole(spec.nodes, i) === 'manager').length;
  if (spec.nodes.length >= 3 && managers < 3) {
    add(['nodes'], `has ${managers} manager(s). Fix: a highly available cluster needs at least 3 managers; remove role: worker from some nodes or set role: manager`);
  }
  if (spec.deploy.mode === 'kloudspot-init' && (Object.keys(spec.chart.values).length > 0 || spec.chart.storageClasses.unshared)) {
    add(['chart'], 'sets values that kloudspot init never asks for (chart.values, chart.storageClasses.unshared). Fix: remove them, or use deploy.mode: values');
  }
  if (spec.features.kloudInsights && spec.storage.insightsDatabase === 0) {
    add(['storage', 'insightsDatabase'], 'is 0 but features.kloudInsights is on. Fix: give the KloudInsights database some gigabytes, e.g. 10');
  }
});

export type SiteSpecInput = z.input<typeof SiteSpecSchema>;
export type SiteSpec = z.output<typeof SiteSpecSchema>;
export type NodeSpec = z.output<typeof NodeSchema>;

export function timeoutMs(spec: SiteSpec, key: keyof SiteSpec['timeouts']): number {
  return durationToMs(spec.timeouts[key]);
}
