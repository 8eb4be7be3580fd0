// A fleet of simulated nodes: one sshd per node on its own loopback address (127.0.0.11, .12, ... on one
// shared port), a client key the nodes accept, and a complete site spec pointing at them. Several
// fleets can run in one process: each takes the next 127.0.N.0/24.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils, type ParsedKey } from 'ssh2';
import * as yaml from 'js-yaml';
import { AuditLog, type AuditEntry, type EffectRecord } from './audit';
import type { Cluster } from './cluster-state';
import { FaultController, type FaultSpec } from './faults';
import { Latency, latencyModel, type LatencyModel } from './latency';
import { SimNode, type NodeOptions } from './node-state';
import { Rng } from './random';
import { NodeServer, ed25519KeyPair } from './ssh-server';
import { serveSftp } from './ssh-sftp';
import { rebootNode, runOnNode, type RebootTiming } from './runner';
import { StringInput } from './process';
import { BastionServer } from './bastion';
import { FleetFaults } from './fleet-faults';
import type { World } from './world';
import { parseSiteSpec } from '../site/load';
import { DEFAULT_TOOLS_URL, type SiteSpecInput } from '../site/schema';
import { SIM_TOOLS_SHA256 } from './tools-script';

export interface FleetOptions {
  /** How many nodes (default options each), or one options object per node. */
  nodes: number | NodeOptions[];
  site?: string;
  customer?: string;
  /** Seeds every random choice (boot ids, tokens, names, latencies, chaos). Default 1. */
  seed?: number;
  latency?: 'fast' | 'realistic' | LatencyModel;
  /** Multiplies every latency (0.5 = twice as fast). */
  latencyScale?: number;
  /** The shared SSH port; default a free one. */
  port?: number;
  /** Where the client key (and nothing else) is written; default a new temporary directory. */
  dir?: string;
  user?: string;
  /** The first node's address, e.g. 127.0.5.11; default the next free 127.0.N.11. */
  firstAddress?: string;
  toolsUrl?: string;
  /** Put every node's host key fingerprint in the spec (nodes[].hostKey) instead of trusting on first use. */
  pinHostKeys?: boolean;
  /**
   * Leave ssh.trustOnFirstUse at its default (false): an install asks the hostKeys question for nodes without a pin.
   * Otherwise the generated spec sets it true, so tests, the demo and benchmarks that do not test that question
   * do not wait for an answer (the simulated nodes' keys are made at each start anyway).
   */
  confirmHostKeys?: boolean;
  /** Faults armed from the start. */
  faults?: FaultSpec[];
  /** Indexes of nodes that get one extra raw 100 GB disk (sdb): OpenEBS then offers them two block devices. */
  severalBlockDevices?: number[];
  /** The nodes' sudo asks for the password on this file's first line; the spec names the file (ssh.sudoPasswordFile). */
  sudoPasswordFile?: string;
  /** The nodes reach the internet only through this proxy URL; the spec names it (proxy.http, proxy.https). */
  proxy?: string;
  /** Reach the nodes through a simulated bastion on .5 of the fleet's network (spec ssh.bastion, its host key pinned). */
  bastion?: boolean;
  /** Extra spec fields merged over the generated spec (features, storage, tls, timeouts...). */
  specOverrides?: Partial<SiteSpecInput>;
}

export interface FleetNode {
  name: string;
  address: string;
  port: number;
  interface: string;
  /** The current host key's OpenSSH fingerprint ("SHA256:..."); changes under the wrong-host-key fault. */
  readonly hostKeyFingerprint: string;
  /** The machine's state, for assertions (files, LVs, hostname, boot id...). */
  state: SimNode;
  server: NodeServer;
}

let fleetsStarted = 0;

export class Fleet implements World {
  readonly rng: Rng;
  readonly latency: Latency;
  readonly auditLog: AuditLog = new AuditLog();
  readonly faultController: FaultController;
  readonly clusters = new Set<Cluster>();
  /** The machines' states, in spec order. */
  readonly machines: SimNode[] = [];
  /** Per node: name, address, port, host key fingerprint, state, server. */
  readonly nodes: FleetNode[] = [];
  /** Fault controls: command faults, chaos, reboots, impostor host key, machine faults. */
  readonly faults: FleetFaults;
  private clusterSeq = 0;
  spec!: ReturnType<typeof parseSiteSpec>;
  keyFile = '';
  port = 0;
  sudoPassword?: string;
  proxy?: string;
  bastion?: BastionServer;
  private stopped = false;

  constructor(readonly options: FleetOptions, readonly virtualIp: string, readonly user: string, readonly toolsUrl: string, readonly clientKey: ParsedKey) {
    this.rng = new Rng(options.seed ?? 1);
    this.latency = new Latency(latencyModel(options.latency, options.latencyScale), this.rng.derive('latency'));
    this.faultController = new FaultController(this.rng.derive('faults'));
    this.faults = new FleetFaults(this);
  }

  /** The same as `nodes` (kept for code written against the first version of this API). */
  get fleetNodes(): FleetNode[] {
    return this.nodes;
  }

  nextClusterId(): number {
    return ++this.clusterSeq;
  }

  nodeByAddress(ip: string): SimNode | undefined {
    return this.machines.find((n) => n.address === ip || n.addresses.some((a) => a.cidr.split('/')[0] === ip));
  }

  node(name: string): FleetNode {
    const n = this.nodes.find((x) => x.name === name || x.address === name);
    if (!n) throw new Error(`no simulated node ${name} (have ${this.nodes.map((x) => x.name).join(', ')})`);
    return n;
  }

  reboot(node: SimNode, why: string, timing?: RebootTiming): void {
    const server = this.node(node.name).server;
    rebootNode(this, node, why, {
      down: async () => { server.dropAll('KILL'); await server.close(); },
      listen: async () => { if (!this.stopped) await server.listen(); },
    }, timing);
  }

  runDetached(node: SimNode, command: string): Promise<number> {
    const ac = new AbortController();
    return runOnNode(this, node, command, { stdin: new StringInput(''), out: () => undefined, err: () => undefined, signal: ac.signal }, 'timer')
      .catch(() => -1);
  }

  /** The spec as YAML, ready for `kloudspot-installer validate` / `install`. */
  specYaml(): string {
    return `# Simulated site: ${this.machines.length} nodes on ${this.machines[0]?.address ?? ''}.. port ${this.port}\n${yaml.dump(this.spec, { lineWidth: 200 })}`;
  }

  /** Every command run on every node (or one node), in order. */
  audit(node?: string): AuditEntry[] {
    return this.auditLog.all(node);
  }

  /** The entries that changed something (effect not null). */
  effects(node?: string): AuditEntry[] {
    return this.auditLog.all(node).filter((e) => e.effect !== null);
  }

  /** Every single change as a flat list (a command can make several). */
  effectKeys(node?: string): EffectRecord[] {
    return this.auditLog.effects(node);
  }

  /** Changes made more than once on the same node: empty when every step was exactly-once. */
  duplicateEffects(): { node: string; effect: string; count: number }[] {
    return this.auditLog.duplicateEffects();
  }

  /** The MicroK8s cluster a node belongs to (after install). */
  clusterOf(name: string): Cluster | undefined {
    return this.node(name).state.microk8s.cluster;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const n of this.machines) for (const t of n.timers.values()) clearTimeout(t.handle);
    await this.bastion?.close();
    for (const fn of this.nodes) fn.server.dropAll('KILL');
    await Promise.all(this.nodes.map((fn) => fn.server.close()));
  }
}

function addressPlan(opts: FleetOptions): { prefix: string; first: number } {
  if (opts.firstAddress) {
    const parts = opts.firstAddress.split('.');
    return { prefix: parts.slice(0, 3).join('.'), first: Number(parts[3]) };
  }
  const n = fleetsStarted++;
  return { prefix: `127.0.${n % 250}`, first: 11 };
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const given: NodeOptions[] = typeof opts.nodes === 'number' ? Array.from({ length: opts.nodes }, () => ({})) : opts.nodes;
  const nodeOpts = given.map((o, i): NodeOptions =>
    (opts.severalBlockDevices?.includes(i) ? { ...o, extraDisks: [...(o.extraDisks ?? []), { sizeGb: 100 }] } : o));
  const { prefix, first } = addressPlan(opts);
  if (first + nodeOpts.length > 249) throw new Error(`too many nodes for ${prefix}.0/24 starting at .${first}`);
  const user = opts.user ?? 'kloudspot';
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'ks-sim-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const client = ed25519KeyPair();
  const keyFile = join(dir, 'id_ed25519');
  writeFileSync(keyFile, client.private, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  const parsed = utils.parseKey(client.public);
  if (parsed instanceof Error) throw parsed;
  const fleet = new Fleet(opts, `${prefix}.250`, user, opts.toolsUrl ?? DEFAULT_TOOLS_URL, Array.isArray(parsed) ? parsed[0] : parsed);
  fleet.keyFile = keyFile;
  fleet.proxy = opts.proxy;
  if (opts.sudoPasswordFile) fleet.sudoPassword = readFileSync(opts.sudoPasswordFile, 'utf8').split(/\r?\n/)[0];
  const nodeRng = fleet.rng.derive('nodes');
  nodeOpts.forEach((o, i) => fleet.machines.push(new SimNode(i, `${prefix}.${first + i}`, 24, o, nodeRng.derive(`node-${i}`))));
  for (const f of opts.faults ?? []) fleet.faultController.add(f);

  // One port for every node: take a free one on the first address, then the same on the others.
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? 0;
    const servers: NodeServer[] = [];
    try {
      let chosen = port;
      for (const node of fleet.machines) {
        const hostKey = ed25519KeyPair().private;
        const server = new NodeServer(node, chosen, hostKey, fleet.clientKey, user, (req) =>
          runOnNode(fleet, req.node, req.command, req, 'ssh', req.connection));
        server.sftpHandler = (sftp, connection) => serveSftp(sftp, node, fleet, connection);
        await server.listen();
        servers.push(server);
        if (chosen === 0) chosen = server.boundPort();
      }
      fleet.port = chosen;
      servers.forEach((server, i) => {
        const node = fleet.machines[i];
        fleet.nodes.push({
          name: node.name, address: node.address, port: chosen, interface: node.iface, state: node, server,
          get hostKeyFingerprint() { return server.fingerprint; },
        });
      });
      break;
    } catch (err) {
      await Promise.all(servers.map((s) => s.close()));
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || opts.port || attempt >= 5) throw err;
    }
  }

  if (opts.bastion) {
    fleet.bastion = new BastionServer(`${prefix}.5`, fleet.clientKey, user, (host, port) => port === fleet.port && fleet.nodes.some((n) => n.address === host));
    await fleet.bastion.listen();
  }
  const bastion = fleet.bastion && { host: fleet.bastion.address, port: fleet.bastion.port, user, hostKey: fleet.bastion.fingerprint };
  const spec: SiteSpecInput = {
    site: opts.site ?? `sim-${prefix.split('.')[2]}`,
    customer: opts.customer ?? 'acme',
    dnsHostname: `kloudspot.${opts.site ?? `sim-${prefix.split('.')[2]}`}.example`,
    virtualIp: fleet.virtualIp,
    network: { prefixLength: 24, gateway: `${prefix}.1`, nameservers: [`${prefix}.1`] },
    ssh: {
      user, port: fleet.port, privateKeyFile: keyFile, ...(opts.confirmHostKeys ? {} : { trustOnFirstUse: true }),
      ...(opts.sudoPasswordFile ? { sudoPasswordFile: opts.sudoPasswordFile } : {}), ...(bastion ? { bastion } : {}),
    },
    nodes: fleet.nodes.map((n, i) => ({
      name: n.name, address: n.address, interface: n.interface,
      ...(nodeOpts[i].role ? { role: nodeOpts[i].role } : {}),
      ...(opts.pinHostKeys ? { hostKey: n.hostKeyFingerprint } : {}),
    })),
    lvm: { volumeGroup: nodeOpts[0]?.volumeGroup ?? 'ubuntu-vg', sharedVolumeSize: '20G' },
    features: { kloudManage: false, kloudInsights: true, kloudHybrid: false },
    storage: { elasticsearch: 10, streamState: 10, insightsDatabase: 10, kafka: 2, zookeeper: 2 },
    tls: { mode: 'upload' },
    kloudspot: { toolsUrl: fleet.toolsUrl, toolsSha256: SIM_TOOLS_SHA256 },
    ...(opts.proxy ? { proxy: { http: opts.proxy, https: opts.proxy } } : {}),
    ...opts.specOverrides,
  };
  try {
    fleet.spec = parseSiteSpec(spec, 'simulated fleet spec');
  } catch (err) {
    await fleet.stop();
    throw err;
  }
  return fleet;
}
