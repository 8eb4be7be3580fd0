// `testbed up`: real Debian 12 nodes (systemd-nspawn) on a private network with DHCP, an apt proxy and
// the cluster model behind a tools URL; and the spec that installs onto them. Everything it makes is
// recorded in the state file as it is made, so `testbed down` can remove it after any crash.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hasCommand, run } from './exec';
import { ensureRootfs, NODE_INTERFACE } from './rootfs';
import { createNetwork, networkPlan, startDhcp } from './network';
import { aptProxyConf, APT_PROXY_PORT, startAptProxy, waitForPort } from './apt-proxy';
import { attachDisk, bootNode, inNode, mountLayer, waitForLease, type NodeHandle } from './node';
import { aptListsLockUnit, prepareNodeFiles, refuseSshFrom } from './node-files';
import { BASTION_NAME, BASTION_USER, hostKeyFingerprint } from './bastion';
import { ModelFiles } from './model-files';
import { ModelWorld } from './model-world';
import { startModelServer, type ModelServer } from './model-server';
import { runDir, stateFile } from './paths';
import { readState, saveState, tearDown, type TestbedState } from './state';
import { testbedSpec, specYaml } from './spec';
import { makeServerCertificate, trustOnNode } from './tls';

export interface TestbedOptions {
  nodes: number;
  site?: string;
  user?: string;
  /** sudo asks for the password on this file's first line instead of NOPASSWD; the spec names the file. */
  sudoPasswordFile?: string;
  /** A bastion (jump host) container; the nodes refuse SSH logins from the host, so the spec reaches them through it. */
  bastion?: boolean;
  volumeGroup?: string;
  /** Nodes (by index) whose model has a second raw disk: OpenEBS offers two block devices, a person chooses. */
  severalBlockDevices?: number[];
  /** Every boot, a unit holds apt's lists lock this long (as apt-daily does on a fresh Ubuntu). */
  aptListsLockSeconds?: number;
  modelLatency?: 'fast' | 'realistic';
  log?: (line: string) => void;
}

export interface Testbed {
  spec: ReturnType<typeof testbedSpec>;
  specYaml: string;
  keyFile: string;
  nodes: (NodeHandle & { address: string })[];
  bastion?: NodeHandle & { address: string; user: string; hostKey: string };
  world: ModelWorld;
  model: ModelServer;
  timings: { rootfsBuildMs: number; upMs: number };
  stop(): Promise<void>;
}

const NEEDED: [string, string][] = [
  ['debootstrap', 'debootstrap'], ['systemd-nspawn', 'systemd-container'], ['dnsmasq', 'dnsmasq-base'],
  ['apt-cacher-ng', 'apt-cacher-ng'], ['ip', 'iproute2'], ['losetup', 'mount'], ['nsenter', 'util-linux'], ['ssh-keygen', 'openssh-client'],
];

function checkHost(): void {
  if (process.getuid?.() !== 0) throw new Error('the testbed needs root (network namespaces, mounts, loop devices, systemd-nspawn): run it as root');
  const missing = NEEDED.filter(([cmd]) => !hasCommand(cmd)).map(([, pkg]) => pkg);
  if (missing.length) throw new Error(`missing programs; install them with: apt-get install ${[...new Set(missing)].join(' ')}`);
  const s = readState();
  if (s) throw new Error(`a testbed is already up (started ${s.startedAt}; ${stateFile()}): stop it, or run \`kloudspot-installer testbed down\``);
}

/** A password file's first line (the CLI has already refused an empty or unreadable one). */
function firstLine(file: string): string {
  const line = readFileSync(file, 'utf8').split(/\r?\n/)[0];
  if (!line) throw new Error(`${file}: the first line (the sudo password) is empty`);
  return line;
}

export async function startTestbed(o: TestbedOptions): Promise<Testbed> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  checkHost();
  const rootfs = ensureRootfs(log);
  const dir = runDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const plan = networkPlan();
  const state: TestbedState = { startedAt: new Date().toISOString(), netns: plan.netns, hostVeth: plan.hostVeth, processGroups: [], nodes: [] };
  saveState(state);
  /** Every container started (nodes and bastion), for stop(); `handles` are the nodes. */
  const containers: (NodeHandle & { stop(): Promise<void> })[] = [];
  const handles: NodeHandle[] = [];
  let model: ModelServer | undefined;
  const stop = async () => {
    await Promise.all(containers.map((h) => h.stop()));
    await model?.close();
    for (const line of await tearDown(state)) log(line);
  };
  try {
    createNetwork(plan);
    state.processGroups.push(startDhcp(plan, dir).pid!);
    state.processGroups.push(startAptProxy(plan.hostAddress, dir).pid!);
    saveState(state);
    await waitForPort(plan.hostAddress, APT_PROXY_PORT);
    const keyFile = join(dir, 'id_ed25519');
    run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'kloudspot-testbed', '-f', keyFile]);
    const user = o.user ?? 'kloudspot';
    const tls = makeServerCertificate(join(dir, 'tls'), plan.hostAddress);
    const extraUnits = o.aptListsLockSeconds ? aptListsLockUnit(o.aptListsLockSeconds) : {};
    const authorizedKey = readFileSync(`${keyFile}.pub`, 'utf8');
    const sudoPassword = o.sudoPasswordFile === undefined ? undefined : firstLine(o.sudoPasswordFile);
    /** Mounts, prepares and boots one container; `disk`: a node (with its loop device), else the bastion. */
    const launch = (name: string, prepare: (root: string) => void, disk: boolean) => {
      const nodeDir = join(dir, name);
      const entry: TestbedState['nodes'][number] = { name, dir: nodeDir };
      state.nodes.push(entry);
      const root = mountLayer(rootfs.dir, nodeDir);
      saveState(state);
      prepare(root);
      if (disk) entry.loopDevice = attachDisk(nodeDir, 64);
      saveState(state);
      const h = bootNode({ name, machine: name, dir: nodeDir, diskGb: 64 }, root, entry.loopDevice, plan.netns, plan.bridge, log);
      containers.push(h);
      state.processGroups.push(h.process!.pid!);
      saveState(state);
      return h;
    };
    for (let i = 0; i < o.nodes; i++) {
      handles.push(launch(`k8s-vm-${i + 1}`, (root) => {
        prepareNodeFiles(root, { name: user, authorizedKey, sudoPassword }, aptProxyConf(plan.hostAddress), extraUnits);
        trustOnNode(root, tls.cert);
        if (o.bastion) refuseSshFrom(root, plan.hostAddress);
      }, true));
    }
    let bastionKey = '';
    const bastion = o.bastion ? launch(BASTION_NAME, (root) => {
      prepareNodeFiles(root, { name: BASTION_USER, authorizedKey, noSudo: true }, aptProxyConf(plan.hostAddress));
      bastionKey = hostKeyFingerprint(root);
    }, false) : undefined;
    const [addresses, bastionAddress] = await Promise.all([
      Promise.all(handles.map((h) => waitForLease(h, 90_000))), bastion && waitForLease(bastion, 90_000),
    ]);
    if (bastionAddress) await waitForPort(bastionAddress, 22, 60_000);
    const vg = o.volumeGroup ?? 'ubuntu-vg';
    for (const [i, h] of handles.entries()) {
      const r = inNode(h, ['vgcreate', vg, h.loopDevice!]);
      if (!r.ok) throw new Error(`${h.name}: vgcreate ${vg} ${h.loopDevice} failed: ${r.err.trim()}`);
      await waitForPort(addresses[i], 22, 60_000);
    }
    const modelNodes = handles.map((h, i) => ({
      name: h.name, address: addresses[i], interface: NODE_INTERFACE,
      options: o.severalBlockDevices?.includes(i) ? { extraDisks: [{ sizeGb: 100 }] } : {},
    }));
    const site = o.site ?? 'testbed';
    // The model's world needs the tools URL before the server exists; both use the same address and port.
    const world = new ModelWorld(modelNodes, plan.virtualIp, '', user, { latency: o.modelLatency });
    world.files = new ModelFiles((n) => handles.find((h) => h.name === n.name)?.root);
    model = await startModelServer(world, plan.hostAddress, tls);
    (world as { toolsUrl: string }).toolsUrl = model.toolsUrl;
    const spec = testbedSpec({
      site, nodes: modelNodes.map(({ name, address, interface: iface }) => ({ name, address, interface: iface })),
      gateway: plan.hostAddress, virtualIp: plan.virtualIp, user, privateKeyFile: keyFile, volumeGroup: vg,
      toolsUrl: model.toolsUrl, toolsSha256: model.toolsSha256, sudoPasswordFile: o.sudoPasswordFile && resolve(o.sudoPasswordFile),
      bastion: bastionAddress ? { host: bastionAddress, user: BASTION_USER, hostKey: bastionKey } : undefined,
    });
    const header = `Testbed site: ${o.nodes} systemd-nspawn Debian 12 nodes on ${plan.prefix}.0/24 (namespace ${plan.netns})` +
      (sudoPassword !== undefined ? '; sudo asks for a password' : '') + (bastion ? `; reached through the bastion ${bastionAddress}` : '');
    return {
      spec, specYaml: specYaml(spec, header), keyFile, world, model,
      nodes: handles.map((h, i) => Object.assign(h, { address: addresses[i] })),
      bastion: bastion && Object.assign(bastion, { address: bastionAddress!, user: BASTION_USER, hostKey: bastionKey }),
      timings: { rootfsBuildMs: rootfs.builtMs, upMs: Date.now() - started },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** `testbed down`: removes what the state file names (a crashed or still running `up`). */
export async function testbedDown(log: (l: string) => void): Promise<boolean> {
  const s = readState();
  if (!s) { log(`no testbed is up (no ${stateFile()})`); return false; }
  for (const line of await tearDown(s)) log(line);
  return true;
}

export function writeSpec(t: Testbed, path: string): void {
  writeFileSync(path, t.specYaml);
  if (!existsSync(path)) throw new Error(`could not write ${path}`);
}
