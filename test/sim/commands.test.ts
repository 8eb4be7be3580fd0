// Every simulated command driven over real SSH with the installer's builders: outputs must match the
// documented formats (docs/commands.md) and pass the installer's own parsers, failures included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as yaml from 'js-yaml';
import { startFleet, type Fleet } from '../../src/sim';
import * as mk from '../../src/activities/commands/microk8s';
import { connectAll, closeAll, eventually, type SimClient, type Run } from '../helpers/sim';
import { CERT, KEY, OTHER_KEY } from '../helpers/sim-tls';
import type { NdmFilter } from '../../src/activities/commands/openebs';
import { openebsDeploymentsAvailable } from '../../src/activities/commands/cstor-volume';
import { prep, kubectlWait, type RemoteCommand, facts, st, chart } from '../helpers/commands';

let fleet: Fleet;
let c: Record<string, SimClient>;
const run = (n: string, cmd: RemoteCommand | string): Promise<Run> =>
  typeof cmd === 'string' ? c[n].run(cmd) : c[n].run(cmd.command, cmd.stdin);
const TOKEN = '0123456789abcdef0123456789abcdef';

before(async () => {
  fleet = await startFleet({
    nodes: [{}, {}, { extraDisks: [{ sizeGb: 100 }] }, { role: 'worker', vgFreeGiB: 10 }],
    seed: 3,
  });
  c = await connectAll(fleet);
});
after(async () => {
  if (c) closeAll(c);
  await fleet?.stop();
});

test('facts: os-release, cpu, cores, memory, disks, df, vgs, boot id, ping, addresses', async () => {
  assert.deepEqual(facts.parseOsRelease((await run('k8s-vm-1', facts.readOsRelease())).stdout),
    { id: 'ubuntu', versionId: '22.04', prettyName: 'Ubuntu 22.04.4 LTS' });
  const flags = (await run('k8s-vm-1', facts.readCpuFlags())).stdout;
  assert.match(flags, /^flags\t\t: fpu .* avx .*\n$/);
  assert.equal((await run('k8s-vm-1', facts.countCores())).stdout, '8\n');
  assert.match((await run('k8s-vm-1', facts.readMemInfo())).stdout, /^MemTotal: +\d+ kB\n$/);
  const disks = (await run('k8s-vm-3', facts.listDisks())).stdout;
  assert.deepEqual(facts.parseDisks(disks), [{ name: 'sda', bytes: 1e12 }, { name: 'sdb', bytes: 1e11 }]);
  assert.match(disks, /^loop0 +\d+ loop\n/);
  assert.match((await run('k8s-vm-1', facts.rootFree())).stdout, /^ +Avail\n\d+\n$/);
  const vgs = (await run('k8s-vm-4', facts.listVolumeGroups())).stdout;
  assert.match(vgs, /^  ubuntu-vg \d+ \d+\n$/);
  assert.equal(facts.parseVolumeGroups(vgs)[0].freeBytes, 10 * 2 ** 30);
  assert.match((await run('k8s-vm-1', facts.readBootId())).stdout, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/);
  const pong = await run('k8s-vm-1', facts.ping(fleet.spec.nodes[1].address));
  assert.equal(pong.code, 0);
  assert.match(pong.stdout, /^PING (\S+) \(\1\) 56\(84\) bytes of data\.\n64 bytes from \1: icmp_seq=1 ttl=64 time=[\d.]+ ms\n\n--- \1 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min\/avg\/max\/mdev = /);
  const lost = await run('k8s-vm-1', facts.ping(fleet.spec.virtualIp));
  assert.equal(lost.code, 1);
  assert.match(lost.stdout, /1 packets transmitted, 0 received, 100% packet loss/);
  const addr = (await run('k8s-vm-1', facts.showInterfaceAddresses('ens18'))).stdout;
  assert.match(addr, /^2: ens18    inet [\d.]+\/24 metric 100 brd [\d.]+ scope global dynamic ens18\\       valid_lft \d+sec preferred_lft \d+sec\n$/);
  assert.deepEqual(facts.parseInterfaceAddresses(addr), [`${fleet.spec.nodes[0].address}/24`]);
  assert.deepEqual(await run('k8s-vm-1', facts.showInterfaceAddresses('eth9')), { code: 1, signal: null, stdout: '', stderr: 'Device "eth9" does not exist.\n' });
});

test('apt: simulate, update, dist-upgrade, install; root required; reboot-required', async () => {
  const sim = (await run('k8s-vm-4', prep.aptSimulateUpgrade())).stdout;
  assert.match(sim, /^NOTE: This is only a simulation!\n/);
  assert.deepEqual(prep.parseAptSummary(sim), { upgraded: 23, newlyInstalled: 5 });
  const noRoot = await run('k8s-vm-4', 'apt-get -y dist-upgrade');
  assert.deepEqual([noRoot.code, noRoot.stderr], [100, 'E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n']);
  const noYes = await run('k8s-vm-4', 'sudo apt-get dist-upgrade');
  assert.deepEqual([noYes.code, noYes.stdout.trimEnd().split('\n').pop()], [1, 'Do you want to continue? [Y/n] Abort.']);
  assert.equal((await run('k8s-vm-4', prep.aptUpdate())).code, 0);
  const up = await run('k8s-vm-4', prep.aptDistUpgrade());
  assert.equal(up.code, 0);
  assert.deepEqual(prep.parseAptSummary(up.stdout), { upgraded: 23, newlyInstalled: 5 });
  assert.match(up.stdout, /^Setting up linux-image-5\.15\.0-105-generic /m);
  assert.deepEqual(prep.parseAptSummary((await run('k8s-vm-4', prep.aptSimulateUpgrade())).stdout), { upgraded: 0, newlyInstalled: 0 });
  assert.equal((await run('k8s-vm-4', prep.aptDistUpgrade())).stdout.trim().split('\n').pop(), '0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.');
  assert.equal((await run('k8s-vm-4', prep.rebootRequired())).code, 0);
  assert.equal((await run('k8s-vm-4', 'cat /var/run/reboot-required')).stdout, '*** System restart required ***\n');
  assert.match((await run('k8s-vm-4', prep.aptInstall(['open-iscsi']))).stdout, /open-iscsi is already the newest version\.\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded\.\n$/);
  assert.deepEqual((await run('k8s-vm-4', prep.aptInstall(['no-such-pkg']))).stderr, 'E: Unable to locate package no-such-pkg\n');
});

test('lvm: list, create, exists, insufficient space, missing VG, non-root', async () => {
  assert.deepEqual((await run('k8s-vm-1', prep.listLogicalVolumes('nope-vg'))), { code: 5, signal: null, stdout: '', stderr: '  Volume group "nope-vg" not found\n  Cannot process volume group nope-vg\n' });
  assert.equal((await run('k8s-vm-1', 'lvs')).code, 5);
  const small = await run('k8s-vm-4', prep.createLogicalVolume('ubuntu-vg', 'shared', '20G'));
  assert.deepEqual([small.code, small.stderr], [5, '  Volume group "ubuntu-vg" has insufficient free space (2560 extents): 5120 required.\n']);
  assert.deepEqual(await run('k8s-vm-1', prep.createLogicalVolume('ubuntu-vg', 'shared', '20G')), { code: 0, signal: null, stdout: '  Logical volume "shared" created.\n', stderr: '' });
  assert.deepEqual(await run('k8s-vm-1', prep.createLogicalVolume('ubuntu-vg', 'shared', '20G')), { code: 5, signal: null, stdout: '', stderr: '  Logical Volume "shared" already exists in volume group "ubuntu-vg"\n' });
  assert.equal((await run('k8s-vm-1', prep.listLogicalVolumes('ubuntu-vg'))).stdout, '  shared     20.00g\n  ubuntu-lv 100.00g\n');
});

test('hostname, files, netplan, systemd units', async () => {
  assert.equal((await run('k8s-vm-2', prep.readStaticHostname())).stdout, 'ubuntu\n');
  assert.equal((await run('k8s-vm-2', 'hostnamectl set-hostname x')).stderr, 'Could not set static hostname: Interactive authentication required.\n');
  assert.equal((await run('k8s-vm-2', prep.setHostname('k8s-vm-2'))).code, 0);
  assert.equal((await run('k8s-vm-2', 'cat /etc/hostname')).stdout, 'k8s-vm-2\n');
  assert.deepEqual(await run('k8s-vm-2', prep.readFile('/etc/nope')), { code: 1, signal: null, stdout: '', stderr: 'cat: /etc/nope: No such file or directory\n' });
  assert.match((await run('k8s-vm-2', prep.readFile('/etc/hosts'))).stdout, /^127\.0\.0\.1 localhost\n127\.0\.1\.1 ubuntu\n\n# The following lines/);
  await run('k8s-vm-2', prep.writeFile('/etc/netplan/50-loose.yaml', 'network:\n  version: 2\n', '0644'));
  const gen = await run('k8s-vm-2', prep.netplanGenerate());
  assert.equal(gen.code, 0);
  assert.match(gen.stderr, /^\*\* \(generate:\d+\): WARNING \*\*: [\d:.]+: Permissions for \/etc\/netplan\/50-loose\.yaml are too open\. Netplan configuration should NOT be accessible by others\.\n$/);
  assert.equal((await run('k8s-vm-2', prep.removeFile('/etc/netplan/50-loose.yaml'))).code, 0);
  const n2 = fleet.spec.nodes[1];
  await run('k8s-vm-2', prep.writeFile(prep.NETPLAN_FILE, prep.renderNetplan('ens18', n2.address, 24, fleet.spec.network.gateway, ['8.8.8.8']), '0600'));
  const sched = await run('k8s-vm-2', prep.netplanApplyDetached());
  assert.deepEqual([sched.code, sched.stderr], [0, 'Running timer as unit: kloudspot-netplan-apply.timer\nWill run service as unit: kloudspot-netplan-apply.service\n']);
  assert.equal((await run('k8s-vm-2', prep.netplanApplyDetached())).stderr, 'Failed to start transient timer unit: Unit kloudspot-netplan-apply.timer already exists.\n');
  await eventually(async () => /valid_lft forever/.test((await run('k8s-vm-2', facts.showInterfaceAddresses('ens18'))).stdout));

  assert.deepEqual(await run('k8s-vm-2', st.iscsidState()), { code: 1, signal: null, stdout: 'disabled\n', stderr: '' });
  assert.deepEqual(await run('k8s-vm-2', st.iscsidActive()), { code: 3, signal: null, stdout: 'inactive\n', stderr: '' });
  assert.equal((await run('k8s-vm-2', 'systemctl enable --now iscsid')).stderr, 'Failed to enable unit: Interactive authentication required.\n');
  const en = await run('k8s-vm-2', st.enableIscsid());
  assert.match(en.stderr, /Created symlink \/etc\/systemd\/system\/sysinit\.target\.wants\/iscsid\.service → \/lib\/systemd\/system\/iscsid\.service\.\n$/);
  assert.equal((await run('k8s-vm-2', st.iscsidState())).stdout, 'enabled\n');
  assert.equal((await run('k8s-vm-2', st.iscsidActive())).stdout, 'active\n');
  assert.equal((await run('k8s-vm-2', st.enableIscsid())).stderr, '');
  assert.equal((await run('k8s-vm-2', prep.systemRunningState())).stdout, 'running\n');
});

test('tools, microk8s status, add-node, join (control plane, worker) and its failures', async () => {
  assert.equal((await run('k8s-vm-1', mk.status())).stderr, "env: 'microk8s': No such file or directory\n");
  const bad = await run('k8s-vm-1', "curl -fsSL 'https://registry.kloudspot.com/nope.sh' | sudo bash");
  assert.deepEqual([bad.code, bad.stderr], [0, 'curl: (22) The requested URL returned error: 404\n']);
  // Unique hostnames before MicroK8s is installed: kubelet registers under the hostname it starts with.
  for (const n of ['k8s-vm-1', 'k8s-vm-3', 'k8s-vm-4']) await run(n, prep.setHostname(n));
  for (const n of ['k8s-vm-1', 'k8s-vm-2', 'k8s-vm-3', 'k8s-vm-4']) assert.equal((await run(n, prep.installTools(fleet.spec.kloudspot.toolsUrl))).code, 0);
  assert.equal((await run('k8s-vm-1', prep.toolsInstalled())).stdout, '/usr/local/bin/kloudspot\n');
  const ready = await run('k8s-vm-1', mk.waitReady(60));
  assert.equal(ready.code, 0);
  assert.match(ready.stdout, /^microk8s is running\nhigh-availability: no\n  datastore master nodes: 127\.0\.0\.1:19001\n  datastore standby nodes: none\naddons:\n  enabled:\n    dns                  # \(core\) CoreDNS\n    ha-cluster           # \(core\) Configure high availability on the current node\n    helm                 # \(core\) Helm - the package manager for Kubernetes\n    helm3                # \(core\) Helm 3 - the package manager for Kubernetes\n  disabled:\n    cert-manager         # \(core\) Cloud native certificate management\n/);
  assert.deepEqual(mk.parseStatus(ready.stdout).enabledAddons, ['dns', 'ha-cluster', 'helm', 'helm3']);
  assert.equal((await run('k8s-vm-1', mk.addonStatus('ingress'))).stdout, 'disabled\n');
  assert.deepEqual(await run('k8s-vm-1', prep.addNode('short')), { code: 1, signal: null, stdout: 'Invalid token size.  It must be 32 characters long.\n', stderr: '' });
  const add = await run('k8s-vm-1', prep.addNode(TOKEN, 3600));
  const a1 = fleet.spec.nodes[0].address;
  const check = /\/([0-9a-f]{12})\n/.exec(add.stdout)?.[1];
  // add_token.py print_short: the default address first, then every address (here the same one).
  assert.equal(add.stdout, `microk8s join ${a1}:25000/${TOKEN}/${check}\n`.repeat(2));
  const url = prep.joinUrlOf(add.stdout, a1);
  for (const n of ['k8s-vm-2', 'k8s-vm-3', 'k8s-vm-4']) await run(n, mk.waitReady(60));
  const wrongToken = await run('k8s-vm-2', prep.joinByHand(url.replace(TOKEN, 'f'.repeat(32)), false));
  assert.deepEqual([wrongToken.code, wrongToken.stdout], [6, `Contacting cluster at ${a1}\nConnection failed. invalid token (500).\n`]);
  const wrongCheck = await run('k8s-vm-2', prep.joinByHand(url.replace(/[0-9a-f]{12}$/, '000000000000'), false));
  assert.deepEqual([wrongCheck.code, wrongCheck.stdout.split('\n')[1]], [4, `Joining cluster failed. Could not verify the identity of ${a1}. Use '--skip-verify' to skip server certificate check.`]);
  const self = await run('k8s-vm-1', prep.joinByHand(url, false));
  assert.deepEqual([self.code, self.stdout.split('\n')[1]], [6, `Connection failed. the joining node has the same IP (${a1}) as the node we contact (503).`]);
  const joined = await run('k8s-vm-2', prep.joinByHand(url, false));
  assert.deepEqual([joined.code, joined.stdout], [0, `Contacting cluster at ${a1}\nWaiting for this node to finish joining the cluster. .. .. ..  \nSuccessfully joined the cluster.\n`]);
  const again = await run('k8s-vm-2', prep.joinByHand(url, false));
  assert.deepEqual([again.code, again.stdout.split('\n')[1]], [6, `Connection failed. failed to retrieve dqlite cluster nodes: the joining node (${fleet.spec.nodes[1].address}) is already known to dqlite (500).`]);
  await run('k8s-vm-3', prep.joinByHand(url, false));
  const worker = await run('k8s-vm-4', prep.joinByHand(url, true));
  assert.equal(worker.code, 0);
  assert.match(worker.stdout, /\nThe node has joined the cluster and will appear in the nodes list in a few seconds\.\n[\s\S]*\nSuccessfully joined the cluster\.\n$/);
  assert.deepEqual(await run('k8s-vm-4', mk.status()), { code: 0, signal: null, stdout: 'This MicroK8s deployment is acting as a node in a cluster.\nPlease use the control plane node.\n', stderr: '' });
  assert.equal(mk.parseStatus((await run('k8s-vm-4', mk.status())).stdout).workerOnly, true);
  assert.equal((await run('k8s-vm-4', mk.workerClusteredLock())).code, 0);
  assert.equal((await run('k8s-vm-3', mk.workerClusteredLock())).code, 1);
  assert.equal((await run('k8s-vm-4', prep.addNode(TOKEN, 3600))).stdout, 'This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s add-node on the master.\n');
  const s = mk.parseStatus((await run('k8s-vm-3', mk.waitReady(60))).stdout);
  assert.equal(s.highAvailability, true);
  assert.deepEqual(s.datastoreMasters, fleet.spec.nodes.slice(0, 3).map((n) => `${n.address}:19001`));
  const nodes = await eventually(async () => {
    const ns = mk.parseKubeNodes((await run('k8s-vm-1', mk.getNodes())).stdout);
    return ns.length === 4 && ns.every((x) => x.status === 'Ready') ? ns : undefined;
  });
  assert.deepEqual(nodes.map((n) => [n.status, n.roles, n.version]), Array(4).fill(['Ready', '<none>', 'v1.32.3']));
});

test('addons: community first, metallb needs its range, openebs needs iscsid', async () => {
  const noCommunity = await run('k8s-vm-1', mk.enableAddon('openebs'));
  assert.deepEqual(noCommunity, { code: 1, signal: null, stdout: 'To use the community maintained flavor enable the respective repository:\n\n    microk8s enable community\n\n', stderr: 'Addon openebs was not found in any repository\n' });
  const dns = await run('k8s-vm-1', mk.enableAddon('dns'));
  assert.deepEqual([dns.code, dns.stdout, dns.stderr], [0, 'Addon core/dns is already enabled\n', 'Infer repository core for addon dns\n']);
  assert.deepEqual(await run('k8s-vm-1', mk.enableAddon('metallb')), { code: 1, signal: null, stdout: 'Enabling MetalLB\n', stderr: 'Infer repository core for addon metallb\n' });
  assert.equal((await run('k8s-vm-1', mk.enableAddon('metallb:10.0.0.300'))).stdout, 'Enabling MetalLB\nYour input value (10.0.0.300) is not a valid IP Range\n');
  const mlb = await run('k8s-vm-1', mk.enableAddon(`metallb:${fleet.spec.virtualIp}/32`));
  assert.equal(mlb.code, 0);
  assert.match(mlb.stdout, /\nipaddresspool\.metallb\.io\/default-addresspool created\nl2advertisement\.metallb\.io\/default-advertise-all-pools created\nMetalLB is enabled\n$/);
  assert.equal((await run('k8s-vm-2', facts.ping(fleet.spec.virtualIp))).code, 0);
  assert.equal((await run('k8s-vm-1', mk.enableAddon('community'))).stdout, 'Community repository is now enabled\n');
  const trap = await run('k8s-vm-1', mk.enableAddon('openebs'));
  assert.deepEqual([trap.code, trap.stdout.split('\n')[0]], [0, 'iscsid is not available or enabled.']);
  assert.equal((await run('k8s-vm-1', mk.addonStatus('openebs'))).stdout, 'disabled\n');
  assert.deepEqual(await run('k8s-vm-1', st.listBlockDevices()), { code: 1, signal: null, stdout: '', stderr: 'error: the server doesn\'t have a resource type "blockdevices"\n' });
  const early = await run('k8s-vm-1', { ...st.applyManifest(), stdin: st.renderCstorManifests([{ node: 'k8s-vm-1', blockDevice: 'blockdevice-x' }], 3) });
  assert.match(early.stderr, /^error: resource mapping not found for name: "cstor-storage" namespace: "openebs" from "STDIN": no matches for kind "CStorPoolCluster" in version "cstor\.openebs\.io\/v1"\nensure CRDs are installed first\n$/);
  for (const n of ['k8s-vm-1', 'k8s-vm-3', 'k8s-vm-4']) await run(n, st.enableIscsid());
  const ok = await run('k8s-vm-1', mk.enableAddon('openebs'));
  assert.match(ok.stdout, /^NAME: openebs\nLAST DEPLOYED: .+\nNAMESPACE: openebs\nSTATUS: deployed\nREVISION: 1\nTEST SUITE: None\n/m);
  assert.equal((await run('k8s-vm-1', mk.addonStatus('openebs'))).stdout, 'enabled\n');
  assert.equal((await run('k8s-vm-2', mk.enableAddon('openebs'))).stderr, 'Addon openebs was not found in any repository\n');
});

test('storage: NDM filter, block devices, webhook, pools', async () => {
  const cm = JSON.parse((await run('k8s-vm-1', st.readNdmConfig())).stdout);
  const cfg = yaml.load(cm.data[st.NDM_CONFIG_KEY]) as { filterconfigs: NdmFilter[] };
  assert.equal(cfg.filterconfigs.find((f) => f.key === 'path-filter')?.exclude, '/dev/loop,/dev/fd0,/dev/sr0,/dev/ram,/dev/dm-,/dev/md,/dev/rbd,/dev/zd');
  // The raw disk shows up with the default filter; the LV does not.
  const raw = await eventually(async () => {
    const bds = st.parseBlockDevices((await run('k8s-vm-1', st.listBlockDevices())).stdout);
    return bds.length === 1 ? bds : undefined;
  });
  assert.deepEqual(raw.map((d) => [d.node, d.path, d.deviceType, d.claimState, d.state]), [['k8s-vm-3', '/dev/sdb', 'disk', 'Unclaimed', 'Active']]);
  const json = (await run('k8s-vm-1', st.listBlockDevices())).stdout;
  assert.match(json, /^\{\n {4}"apiVersion": "v1",\n {4}"items": \[/);
  const fixed = st.ndmConfigForSharedVolume(JSON.stringify(cm), st.mapperPath('ubuntu-vg', 'shared'), (t) => yaml.load(t), (v) => yaml.dump(v))!;
  const applied = await run('k8s-vm-1', { ...st.applyManifest(), stdin: fixed });
  assert.equal(applied.stdout, 'configmap/openebs-ndm-config configured\n');
  assert.match(applied.stderr, /^Warning: resource configmaps\/openebs-ndm-config is missing the kubectl\.kubernetes\.io\/last-applied-configuration annotation/);
  assert.equal((await run('k8s-vm-1', { ...st.applyManifest(), stdin: fixed })).stdout, 'configmap/openebs-ndm-config unchanged\n');
  assert.equal((await run('k8s-vm-1', st.restartNdm())).stdout, 'daemonset.apps/openebs-ndm restarted\n');
  const all = await eventually(async () => {
    const bds = st.parseBlockDevices((await run('k8s-vm-1', st.listBlockDevices())).stdout);
    return bds.length === 2 ? bds : undefined;
  });
  const lv = all.find((d) => d.node === 'k8s-vm-1')!;
  assert.deepEqual([lv.path, lv.deviceType, lv.sizeBytes], ['/dev/dm-1', 'lvm', 20 * 2 ** 30]);
  assert.ok(lv.links.includes('/dev/disk/by-id/dm-name-ubuntu--vg-shared'));
  const disk = all.find((d) => d.node === 'k8s-vm-3')!;
  // The cStor webhook answers only once its Deployment is Available (the installer waits the same way).
  assert.equal((await run('k8s-vm-1', kubectlWait(openebsDeploymentsAvailable, 30))).code, 0);
  const deny = (body: string) => `Error from server (BadRequest): error when creating "STDIN": admission webhook "admission-webhook.cstor.openebs.io" denied the request: invalid cspc specification: ${body}\n`;
  const wrongNode = await run('k8s-vm-1', { ...st.applyManifest(), stdin: st.renderCstorManifests([{ node: 'k8s-vm-1', blockDevice: disk.name }], 3) });
  assert.equal(wrongNode.stderr, deny(`invalid pool spec: block device ${disk.name} doesn't belongs to node k8s-vm-3`));
  // The StorageClass in the same List was created by the earlier apply that failed for want of CRDs.
  assert.equal(wrongNode.stdout, 'storageclass.storage.k8s.io/cstor-csi unchanged\n');
  const missing = await run('k8s-vm-1', { ...st.applyManifest(), stdin: st.renderCstorManifests([{ node: 'k8s-vm-1', blockDevice: 'blockdevice-nope' }], 3) });
  assert.equal(missing.stderr, deny('invalid pool spec: failed to get block device: {blockdevice-nope} details error: blockdevices.openebs.io "blockdevice-nope" not found'));
  const dup = await run('k8s-vm-1', { ...st.applyManifest(), stdin: st.renderCstorManifests([{ node: 'k8s-vm-1', blockDevice: lv.name }, { node: 'k8s-vm-1', blockDevice: lv.name }], 3) });
  assert.equal(dup.stderr, deny(`invalid cspc: cspc {cstor-storage} has duplicate blockdevices entries [${lv.name}]`));
  const ok = await run('k8s-vm-1', { ...st.applyManifest(), stdin: st.renderCstorManifests([{ node: 'k8s-vm-3', blockDevice: disk.name }], 3) });
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'cstorpoolcluster.cstor.openebs.io/cstor-storage created\nstorageclass.storage.k8s.io/cstor-csi unchanged\n', '']);
  const changed = await run('k8s-vm-1', { ...st.applyManifest(), stdin: st.renderCstorManifests([{ node: 'k8s-vm-3', blockDevice: disk.name }], 1) });
  assert.deepEqual([changed.code, changed.stdout, changed.stderr], [1, 'cstorpoolcluster.cstor.openebs.io/cstor-storage unchanged\n', 'The StorageClass "cstor-csi" is invalid: parameters: Forbidden: updates to parameters are forbidden.\n']);
  const pools = await eventually(async () => {
    const ps = st.parsePoolInstances((await run('k8s-vm-1', st.listPoolInstances())).stdout);
    return ps.length === 1 && ps[0].phase === 'ONLINE' ? ps : undefined;
  });
  assert.match(pools[0].name, /^cstor-storage-[a-z0-9]{4}$/);
  assert.equal(st.parseBlockDevices((await run('k8s-vm-1', st.listBlockDevices())).stdout).find((d) => d.name === disk.name)?.claimState, 'Claimed');
  assert.equal((await run('k8s-vm-4', st.listBlockDevices())).stdout, 'This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s kubectl on the master.\n');
});

test('TLS secret, helm status, kloudspot start/update/stop, pods', async () => {
  await run('k8s-vm-1', prep.writeFile(chart.TLS_CERT_FILE, CERT));
  assert.equal((await run('k8s-vm-1', chart.applyTlsSecret())).stderr, `error: Cannot read file ${chart.TLS_KEY_FILE}, open ${chart.TLS_KEY_FILE}: no such file or directory\nerror: no objects passed to apply\n`);
  await run('k8s-vm-1', prep.writeFile(chart.TLS_KEY_FILE, OTHER_KEY, '0600'));
  const mismatch = await run('k8s-vm-1', chart.applyTlsSecret());
  assert.deepEqual([mismatch.code, mismatch.stderr], [1, 'error: tls: private key does not match public key\nerror: no objects passed to apply\n']);
  await run('k8s-vm-1', prep.writeFile(chart.TLS_KEY_FILE, KEY, '0600'));
  assert.equal((await run('k8s-vm-1', chart.applyTlsSecret())).stdout, 'secret/kloudspot-tls created\n');
  assert.deepEqual(await run('k8s-vm-1', chart.helmStatus()), { code: 1, signal: null, stdout: '', stderr: 'Error: release: not found\n' });
  assert.equal((await run('k8s-vm-1', chart.kloudspotUpdate())).stderr, 'Error: UPGRADE FAILED: "kloudspot" has no deployed releases\n');
  assert.equal((await run('k8s-vm-1', chart.kloudspotStop())).stderr, 'Error: uninstall: Release not loaded: kloudspot: release: not found\n');
  assert.equal((await run('k8s-vm-1', chart.kloudspotStart())).stderr, `Error: open ${chart.VALUES_FILE}: no such file or directory\n`);
  await run('k8s-vm-1', prep.writeFile(chart.VALUES_FILE, 'features:\n  kloudInsights: false\n'));
  const start = await run('k8s-vm-1', chart.kloudspotStart());
  assert.match(start.stdout, /^NAME: kloudspot\nLAST DEPLOYED: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\nNAMESPACE: default\nSTATUS: deployed\nREVISION: 1\nTEST SUITE: None\n/);
  assert.equal((await run('k8s-vm-1', chart.kloudspotStart())).stderr, 'Error: INSTALLATION FAILED: cannot re-use a name that is still in use\n');
  const hs = await run('k8s-vm-1', chart.helmStatus());
  assert.equal(hs.stdout.split('\n').length, 2, 'helm prints JSON on one line');
  assert.equal(JSON.parse(hs.stdout).info.status, 'deployed');
  assert.deepEqual(chart.parseHelmStatus(hs.stdout), { exists: true, status: 'deployed', revision: 1 });
  // kubectl wait blocks until every pod is Ready: right after it, one listing shows them all Ready.
  const waited = await run('k8s-vm-1', kubectlWait(chart.podsReady, 60));
  assert.equal(waited.code, 0, waited.stderr);
  assert.match(waited.stdout, /^(pod\/(kloudspot-api|kloudspot-web|redis-master)-\S+ condition met\n){3}$/);
  const pods = chart.parsePods((await run('k8s-vm-1', chart.listPods())).stdout);
  assert.ok(pods.length === 3 && pods.every((p) => p.ready && p.phase === 'Running'), JSON.stringify(pods));
  assert.deepEqual(pods.map((p) => p.name.replace(/-[a-z0-9]{10}-[a-z0-9]{5}$/, '')).sort(), ['kloudspot-api', 'kloudspot-web', 'redis-master-0']);
  assert.match((await run('k8s-vm-1', chart.kloudspotUpdate())).stdout, /^Release "kloudspot" has been upgraded\. Happy Helming!\n[\s\S]*REVISION: 2\n/);
  assert.equal((await run('k8s-vm-1', chart.kloudspotStop())).stdout, 'release "kloudspot" uninstalled\n');
  assert.deepEqual(chart.parsePods((await run('k8s-vm-1', chart.listPods())).stdout), []);
  assert.deepEqual(await run('k8s-vm-1', kubectlWait(chart.podsReady, 5)), { code: 1, signal: null, stdout: '', stderr: 'error: no matching resources found\n' });
});

test('kubectl wait: a node by name, one that does not exist, a pool phase by jsonpath', async () => {
  const node = await run('k8s-vm-1', kubectlWait({ resource: 'node/k8s-vm-2', for: 'condition=Ready' }, 30));
  assert.deepEqual([node.code, node.stdout], [0, 'node/k8s-vm-2 condition met\n']);
  assert.deepEqual(await run('k8s-vm-1', kubectlWait({ resource: 'node/k8s-vm-9', for: 'condition=Ready' }, 30)),
    { code: 1, signal: null, stdout: '', stderr: 'Error from server (NotFound): nodes "k8s-vm-9" not found\n' });
  const pool = await run('k8s-vm-1', kubectlWait(st.poolInstancesOnline, 30));
  assert.equal(pool.code, 0, pool.stderr);
  assert.match(pool.stdout, /^cstorpoolinstance\.cstor\.openebs\.io\/cstor-storage-[a-z0-9]{4} condition met\n$/);
  const never = await run('k8s-vm-1', kubectlWait({ ...st.poolInstancesOnline, for: 'jsonpath={.status.phase}=OFFLINE' }, 1));
  assert.deepEqual([never.code, never.stdout], [1, '']);
  assert.match(never.stderr, /^error: timed out waiting for the condition on cstorpoolinstances\/cstor-storage-[a-z0-9]{4}\n$/);
});

test('kubectl delete: the pool and its class in kubectl\'s words (kind.group "name" deleted), nothing when already gone', async () => {
  const cspc = await run('k8s-vm-1', st.deletePoolCluster());
  assert.deepEqual([cspc.code, cspc.stdout, cspc.stderr], [0, 'cstorpoolcluster.cstor.openebs.io "cstor-storage" deleted\n', '']);
  const sc = await run('k8s-vm-1', st.deleteStorageClass());
  assert.deepEqual([sc.code, sc.stdout], [0, 'storageclass.storage.k8s.io "cstor-csi" deleted\n']);
  assert.deepEqual(await run('k8s-vm-1', st.deletePoolCluster()), { code: 0, signal: null, stdout: '', stderr: '' });
  assert.equal((await run('k8s-vm-1', st.poolClusterPresent())).code, 1);
});
