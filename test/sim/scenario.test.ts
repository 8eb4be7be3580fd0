// The seed procedure walked by hand over SSH on three simulated nodes, with the installer's own command
// builders and parsers: apt, reboot, tools, LV, hostname, hosts, netplan, cluster, HA, addons, iscsid,
// OpenEBS and the NDM fix, block devices, cStor pools, TLS secret, the chart and its pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as yaml from 'js-yaml';
import { startFleet, type Fleet } from '../../src/sim';
import * as mk from '../../src/activities/commands/microk8s';
import { connect, eventually, type SimClient } from '../helpers/sim';
import { CERT, KEY } from '../helpers/sim-tls';
import { prep, type RemoteCommand, facts, st, chart } from '../helpers/commands';

async function sh(c: SimClient, cmd: RemoteCommand): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await c.run(cmd.command, cmd.stdin);
  assert.ok(r.code !== null, `${cmd.command} ended without status (signal ${r.signal})`);
  assert.ok((cmd.okCodes ?? [0]).includes(r.code!), `${cmd.command} exited ${r.code}: ${r.stderr || r.stdout}`);
  return { code: r.code!, stdout: r.stdout, stderr: r.stderr };
}

/** Reconnects after a reboot: the port refuses, then logins fail, then it works. */
async function reconnect(fleet: Fleet, name: string): Promise<SimClient> {
  return eventually(async () => {
    try { return await connect(fleet, name, { readyTimeout: 2000 }); } catch { return undefined; }
  }, 15_000, 50);
}

// SIM_LATENCY=realistic runs the same walk with the realistic profile (about half a minute of simulated work).
const realistic = process.env.SIM_LATENCY === 'realistic';

test('the whole seed procedure on three simulated nodes', { timeout: realistic ? 300_000 : 60_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, seed: 7, latency: realistic ? 'realistic' : 'fast' });
  const spec = fleet.spec;
  const names = spec.nodes.map((n) => n.name);
  const c: Record<string, SimClient> = {};
  try {
    for (const n of names) c[n] = await connect(fleet, n);

    // --- preflight -------------------------------------------------------------------------------
    for (const n of names) {
      assert.equal(facts.parseOsRelease((await sh(c[n], facts.readOsRelease())).stdout).versionId, '22.04');
      assert.ok(facts.parseCpuFlags((await sh(c[n], facts.readCpuFlags())).stdout).includes('avx'));
      assert.ok(facts.parseInteger((await sh(c[n], facts.countCores())).stdout, 'nproc') >= 8);
      assert.ok(facts.parseMemTotal((await sh(c[n], facts.readMemInfo())).stdout) > 30e9);
      assert.deepEqual(facts.parseDisks((await sh(c[n], facts.listDisks())).stdout).map((d) => d.name), ['sda']);
      assert.ok(facts.parseDfAvail((await sh(c[n], facts.rootFree())).stdout) > 50e9);
      const vg = facts.parseVolumeGroups((await sh(c[n], facts.listVolumeGroups())).stdout)[0];
      assert.equal(vg.name, 'ubuntu-vg');
      assert.ok(vg.freeBytes > 20 * 2 ** 30);
      for (const other of spec.nodes) assert.equal((await sh(c[n], facts.ping(other.address))).code, 0);
      assert.equal((await sh(c[n], facts.ping(spec.virtualIp))).code, 1);
    }

    // --- prepare each node (in parallel, as the installer does) ------------------------------------
    await Promise.all(spec.nodes.map(async (node, i) => {
      const n = node.name;
      await sh(c[n], prep.aptUpdate());
      assert.ok(prep.parseAptSummary((await sh(c[n], prep.aptSimulateUpgrade())).stdout).upgraded > 0);
      await sh(c[n], prep.aptDistUpgrade());
      assert.deepEqual(prep.parseAptSummary((await sh(c[n], prep.aptSimulateUpgrade())).stdout), { upgraded: 0, newlyInstalled: 0 });
      assert.equal((await sh(c[n], prep.rebootRequired())).code, 0);
      const bootBefore = (await sh(c[n], facts.readBootId())).stdout.trim();
      await sh(c[n], prep.scheduleReboot());
      await eventually(async () => !fleet.node(n).server.listening || fleet.node(n).state.phase !== 'up', 5000, 5);
      c[n].close();
      c[n] = await reconnect(fleet, n);
      assert.notEqual((await sh(c[n], facts.readBootId())).stdout.trim(), bootBefore);
      assert.equal((await sh(c[n], prep.systemRunningState())).stdout.trim(), 'running');
      assert.equal((await sh(c[n], prep.rebootRequired())).code, 1);

      assert.equal((await sh(c[n], prep.toolsInstalled())).code, 1);
      await sh(c[n], prep.installTools(spec.kloudspot.toolsUrl));
      assert.equal((await sh(c[n], prep.toolsInstalled())).stdout, '/usr/local/bin/kloudspot\n');

      assert.deepEqual(prep.parseLogicalVolumes((await sh(c[n], prep.listLogicalVolumes('ubuntu-vg'))).stdout).map((l) => l.name), ['ubuntu-lv']);
      await sh(c[n], prep.createLogicalVolume('ubuntu-vg', 'shared', '20G'));
      assert.deepEqual(prep.parseLogicalVolumes((await sh(c[n], prep.listLogicalVolumes('ubuntu-vg'))).stdout), [{ name: 'shared', size: '20.00g' }, { name: 'ubuntu-lv', size: '100.00g' }]);

      await sh(c[n], prep.setHostname(n));
      assert.equal((await sh(c[n], prep.readStaticHostname())).stdout.trim(), n);
      const hosts = (await sh(c[n], prep.readFile('/etc/hosts'))).stdout;
      await sh(c[n], prep.writeFile('/etc/hosts', prep.renderHostsFile(hosts, n, spec.nodes)));
      assert.match((await sh(c[n], prep.readFile('/etc/hosts'))).stdout, new RegExp(`^127\\.0\\.1\\.1 ${n}$`, 'm'));

      const netplan = prep.renderNetplan(node.interface, node.address, 24, spec.network.gateway, spec.network.nameservers);
      await sh(c[n], prep.writeFile(prep.NETPLAN_FILE, netplan, '0600'));
      const gen = await sh(c[n], prep.netplanGenerate());
      assert.doesNotMatch(gen.stderr, /too open/);
      await sh(c[n], prep.netplanApplyDetached());
      await eventually(async () => /valid_lft forever/.test((await sh(c[n], facts.showInterfaceAddresses(node.interface))).stdout), 5000);
      assert.deepEqual(facts.parseInterfaceAddresses((await sh(c[n], facts.showInterfaceAddresses(node.interface))).stdout), [`${node.address}/24`]);
      // The seed reboots here; kubelet registers under the new hostname only when it restarts.
      await sh(c[n], prep.scheduleReboot());
      await eventually(async () => fleet.node(n).state.phase !== 'up', 5000, 5);
      c[n].close();
      c[n] = await reconnect(fleet, n);
      void i;
    }));

    // --- form the cluster ----------------------------------------------------------------------
    const [first, ...others] = names;
    for (const n of names) await sh(c[n], mk.waitReady(60));
    for (const n of others) {
      // A fresh single-use token per join, as the seed's add-node gives one.
      const token = n.replace(/\D/g, '').padStart(8, 'f') + '0123456789abcdef' + 'a'.repeat(8);
      const url = prep.joinUrlOf((await sh(c[first], prep.addNode(token))).stdout, spec.nodes[0].address);
      const out = await sh(c[n], mk.join(url, false, [token]));
      assert.match(out.stdout, /Successfully joined the cluster\./);
      const addr = spec.nodes.find((x) => x.name === n)!.address;
      await eventually(async () => mk.parseStatus((await sh(c[first], mk.status())).stdout).datastoreMasters.includes(`${addr}:19001`));
    }
    const status = mk.parseStatus((await sh(c[first], mk.waitReady(60))).stdout);
    assert.equal(status.highAvailability, true);
    assert.deepEqual(status.datastoreMasters, spec.nodes.map((x) => `${x.address}:19001`));
    const kubeNodes = await eventually(async () => {
      const ns = mk.parseKubeNodes((await sh(c[first], mk.getNodes())).stdout);
      return ns.filter((x) => x.status === 'Ready').length === 3 ? ns : undefined;
    });
    assert.deepEqual(kubeNodes.filter((x) => x.status === 'Ready').map((x) => x.name).sort(), [...names].sort());
    // The name the first node's kubelet registered before the hostname changed stays behind, NotReady.
    assert.deepEqual(kubeNodes.filter((x) => x.status !== 'Ready').map((x) => x.name), ['ubuntu']);

    for (const addon of ['dns', 'ingress', `metallb:${spec.virtualIp}/32`]) {
      await sh(c[first], mk.enableAddon(addon));
      assert.equal(mk.parseAddonState((await sh(c[first], mk.addonStatus(addon.split(':')[0]))).stdout), 'enabled');
    }
    assert.equal((await sh(c[first], facts.ping(spec.virtualIp))).code, 0);

    // --- storage -------------------------------------------------------------------------------
    for (const n of names) {
      if ((await sh(c[n], st.iscsidState())).stdout.trim() !== 'enabled') await sh(c[n], st.enableIscsid());
      assert.equal((await sh(c[n], st.iscsidActive())).stdout.trim(), 'active');
    }
    await sh(c[first], mk.enableAddon('community'));
    const openebs = await sh(c[first], mk.enableAddon('openebs'));
    assert.match(openebs.stdout, /OpenEBS is installed/);
    assert.equal(mk.parseAddonState((await sh(c[first], mk.addonStatus('openebs'))).stdout), 'enabled');

    // The LVs stay hidden until /dev/dm- leaves the path filter and NDM restarts.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(st.parseBlockDevices((await sh(c[first], st.listBlockDevices())).stdout), []);
    const edit = (json: string) => st.ndmConfigForSharedVolume(json, st.mapperPath('ubuntu-vg', 'shared'), (t) => yaml.load(t), (v) => yaml.dump(v));
    const fixed = edit((await sh(c[first], st.readNdmConfig())).stdout);
    assert.ok(fixed, 'the default NDM config excludes /dev/dm-');
    assert.match((await sh(c[first], { ...st.applyManifest(), stdin: fixed })).stdout, /^configmap\/openebs-ndm-config configured$/m);
    assert.equal(edit((await sh(c[first], st.readNdmConfig())).stdout), null);
    await sh(c[first], st.restartNdm());
    const devices = await eventually(async () => {
      const bds = st.parseBlockDevices((await sh(c[first], st.listBlockDevices())).stdout);
      return bds.length === 3 ? bds : undefined;
    });
    const choices = names.map((n) => {
      const cands = st.candidateBlockDevices(devices, n);
      assert.equal(cands.length, 1, `one candidate on ${n}`);
      assert.equal(cands[0].path, '/dev/dm-1');
      assert.equal(cands[0].sizeBytes, 20 * 2 ** 30);
      return { node: n, blockDevice: cands[0].name };
    });
    const applied = await sh(c[first], { ...st.applyManifest(), stdin: st.renderCstorManifests(choices, 3) });
    assert.equal(applied.stdout, 'cstorpoolcluster.cstor.openebs.io/cstor-storage created\nstorageclass.storage.k8s.io/cstor-csi created\n');
    assert.ok(st.parsePoolInstances((await sh(c[first], st.listPoolInstances())).stdout).every((i) => i.phase === ''));
    const pools = await eventually(async () => {
      const ps = st.parsePoolInstances((await sh(c[first], st.listPoolInstances())).stdout);
      return ps.length === 3 && ps.every((x) => x.phase === 'ONLINE') ? ps : undefined;
    });
    assert.deepEqual(pools.map((x) => x.node).sort(), [...names].sort());
    const claimed = st.parseBlockDevices((await sh(c[first], st.listBlockDevices())).stdout);
    assert.ok(claimed.every((d) => d.claimState === 'Claimed'));
    assert.equal((await sh(c[first], { ...st.applyManifest(), stdin: st.renderCstorManifests(choices, 3) })).stdout,
      'cstorpoolcluster.cstor.openebs.io/cstor-storage unchanged\nstorageclass.storage.k8s.io/cstor-csi unchanged\n');

    // --- TLS and the chart ---------------------------------------------------------------------
    await sh(c[first], prep.writeFile(chart.TLS_CERT_FILE, CERT, '0644'));
    await sh(c[first], prep.writeFile(chart.TLS_KEY_FILE, KEY, '0600'));
    const noSecret = await sh(c[first], chart.tlsSecretExists());
    assert.deepEqual([noSecret.code, chart.tlsSecretMissing(noSecret.stderr)], [1, true], noSecret.stderr);
    assert.equal((await sh(c[first], chart.applyTlsSecret())).stdout, 'secret/kloudspot-tls created\n');
    assert.equal((await sh(c[first], chart.applyTlsSecret())).stdout, 'secret/kloudspot-tls unchanged\n');
    assert.equal((await sh(c[first], chart.tlsSecretExists())).stdout, 'secret/kloudspot-tls\n');
    const values = chart.renderValues({ site: spec.site, customer: spec.customer, dnsHostname: spec.dnsHostname, virtualIp: spec.virtualIp, features: spec.features, storage: spec.storage, volumeGroup: 'ubuntu-vg', tls: 'uploaded' });
    await sh(c[first], prep.writeFile(chart.VALUES_FILE, values, '0644'));
    const missing = await sh(c[first], chart.helmStatus());
    assert.ok(chart.releaseNotFound(missing.stderr), missing.stderr);
    await sh(c[first], chart.kloudspotStart());
    const hs = await sh(c[first], chart.helmStatus());
    assert.deepEqual(chart.parseHelmStatus(hs.stdout), { exists: true, status: 'deployed', revision: 1 });
    const pods = await eventually(async () => {
      const ps = chart.parsePods((await sh(c[first], chart.listPods())).stdout);
      return ps.length > 0 && ps.every((p) => p.ready) ? ps : undefined;
    }, 15_000);
    assert.ok(pods.some((p) => p.name === 'elasticsearch-master-0'), 'shared-storage pods run once the pools are ONLINE');
    await sh(c[first], chart.kloudspotUpdate());
    const hs2 = await sh(c[first], chart.helmStatus());
    assert.equal(chart.parseHelmStatus(hs2.stdout).revision, 2);

    // Nothing was done twice.
    assert.deepEqual(fleet.duplicateEffects(), []);
    assert.ok(fleet.effectKeys().length > 40);
  } finally {
    for (const cl of Object.values(c)) cl.close();
    await fleet.stop();
  }
});
