// `testbed up`: real Debian 12 nodes (systemd-nspawn) on a private network with DHCP, an apt proxy and
// the cluster model behind a tools URL; and the spec that installs onto them. Everything it makes is
// recorded in the state file as it is made, so `testbed down` can remove it after any crash.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, run } from './exec';
import { ensureRootfs, NODE_INTERFACE } from './rootfs';
import { createNetwork, networkPlan, startDhcp } from './network';
import { aptProxyConf, APT_PROXY_PORT, startAptProxy, waitForPort } from './apt-proxy';
import { attachDisk, bootNode, inNode, mountLayer, waitForLease, type NodeHandle } from './node';
import { aptListsLockUnit, prepareNodeFiles } from './node-files';
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
  /** sudo asks for this password instead of NOPASSWD. */
  sudoPassword?: string;
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
  const handles: (NodeHandle & { stop(): Promise<void> })[] = [];
  let model: ModelServer | undefined;
  const stop = async () => {
    await Promise.all(handles.map((h) => h.stop()));
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
    for (let i = 0; i < o.nodes; i++) {
      const name = `k8s-vm-${i + 1}`;
      const nodeDir = join(dir, name);
      const entry: TestbedState['nodes'][number] = { name, dir: nodeDir };
      state.nodes.push(entry);
      const root = mountLayer(rootfs.dir, nodeDir);
      saveState(state);
      prepareNodeFiles(root, { name: user, authorizedKey: readFileSync(`${keyFile}.pub`, 'utf8'), sudoPassword: o.sudoPassword },
        aptProxyConf(plan.hostAddress), extraUnits);
      trustOnNode(root, tls.cert);
      entry.loopDevice = attachDisk(nodeDir, 64);
      saveState(state);
      const h = bootNode({ name, machine: name, dir: nodeDir, diskGb: 64 }, root, entry.loopDevice, plan.netns, plan.bridge, log);
      handles.push(h);
      state.processGroups.push(h.process!.pid!);
      saveState(state);
    }
    const addresses = await Promise.all(handles.map((h) => waitForLease(h, 90_000)));
    const vg = o.volumeGroup ?? 'ubuntu-vg';
    for (const [i, h] of handles.entries()) {
      const r = inNode(h, ['vgcreate', vg, h.loopDevice]);
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
    model = await startModelServer(world, plan.hostAddress, tls);
    (world as { toolsUrl: string }).toolsUrl = model.toolsUrl;
    const spec = testbedSpec({
      site, nodes: modelNodes.map(({ name, address, interface: iface }) => ({ name, address, interface: iface })),
      gateway: plan.hostAddress, virtualIp: plan.virtualIp, user, privateKeyFile: keyFile, volumeGroup: vg,
      toolsUrl: model.toolsUrl, toolsSha256: model.toolsSha256,
    });
    const header = `Testbed site: ${o.nodes} systemd-nspawn Debian 12 nodes on ${plan.prefix}.0/24 (namespace ${plan.netns})` +
      (o.sudoPassword !== undefined ? '; sudo asks for a password' : '');
    return {
      spec, specYaml: specYaml(spec, header), keyFile, world, model,
      nodes: handles.map((h, i) => Object.assign(h, { address: addresses[i] })),
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
