// The real-node tier: a 3-node install onto systemd-nspawn Debian 12 nodes (real systemd, sshd, sudo, apt
// through a proxy, LVM metadata, netplan/networkd, reboots) with a real dev server and worker; only MicroK8s,
// kubectl and the Kloudspot tools are the simulator's model behind a real shell. Skips only when this
// machine cannot run systemd-nspawn at all (not root, or the kernel refuses).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInstall } from '../../src/client/installs';
import { nspawnRefusal } from '../../src/testbed/probe';
import { startTestbed, type Testbed } from '../../src/testbed/testbed';
import { answerUntilDone, onNode, snapshotCommand, sshTo } from '../helpers/real-nodes';
import { startInstallEnv, type InstallEnv } from '../helpers/install';

const refusal = nspawnRefusal();
let tb: Testbed;
let env: InstallEnv;

before(async () => {
  if (refusal) return;
  tb = await startTestbed({ nodes: 3, site: 'realnodes', severalBlockDevices: [1], log: (l) => console.log(`testbed: ${l}`) });
  console.log(`testbed up in ${tb.timings.upMs} ms (root file system built in ${tb.timings.rootfsBuildMs} ms)`);
  env = await startInstallEnv();
}, { timeout: 900_000 });
after(async () => {
  await env?.stop();
  await tb?.stop();
}, { timeout: 120_000 });

const sh = (address: string, command: string) => onNode(address, tb.spec.ssh.user, tb.keyFile, command);

test('3 real nodes: bare to a deployed chart; hostname, hosts, static address, LV, reboots; a second install changes nothing',
  { skip: refusal, timeout: 3_600_000 }, async () => {
    const bootsBefore = await Promise.all(tb.nodes.map((n) => sh(n.address, 'cat /proc/sys/kernel/random/boot_id')));
    const started = Date.now();
    const handle = await startInstall(env.client, tb.spec);
    const asked: string[] = [];
    const final = await answerUntilDone(handle, tb.spec.dnsHostname, 3_000_000, asked);
    console.log(`install on real nodes: ${Math.round((Date.now() - started) / 1000)} s; questions: ${asked.join(', ')}`);
    assert.equal(final.state, 'completed', final.lastError);
    assert.equal(final.phase, 'done');
    assert.ok(asked.includes('failure:cluster:preflight'), 'preflight refused Debian and this machine, as it should');

    for (const [i, n] of tb.spec.nodes.entries()) {
      assert.equal((await sh(n.address, 'hostnamectl --static')).trim(), n.name, `${n.name}: static hostname`);
      const hosts = await sh(n.address, 'cat /etc/hosts');
      for (const m of tb.spec.nodes) assert.match(hosts, new RegExp(`^${m.address.replace(/\./g, '\\.')} ${m.name}$`, 'm'), `${n.name}: /etc/hosts lists ${m.name}`);
      const addr = await sh(n.address, `ip -4 -o addr show dev ${n.interface}`);
      const line = addr.split('\n').find((l) => l.includes(` ${n.address}/24 `));
      assert.ok(line, `${n.name}: ${n.address}/24 on ${n.interface}: ${addr}`);
      assert.doesNotMatch(line!, /\sdynamic\s/, `${n.name}: the address is static now`);
      assert.match(await sh(n.address, `sudo lvs --noheadings -o lv_name ${tb.spec.lvm.volumeGroup}`), /^\s*shared\s*$/m, `${n.name}: the shared LV`);
      const boot = (await sh(n.address, 'cat /proc/sys/kernel/random/boot_id')).trim();
      assert.notEqual(boot, bootsBefore[i].trim(), `${n.name} rebooted (boot id changed)`);
      assert.ok(tb.nodes[i].boots >= 2, `${n.name}: nspawn started it ${tb.nodes[i].boots} times`);
    }

    const before2 = await Promise.all(tb.spec.nodes.map((n) => sh(n.address, snapshotCommand())));
    const again = await startInstall(env.client, tb.spec);
    const second = await answerUntilDone(again, tb.spec.dnsHostname, 600_000);
    assert.equal(second.state, 'completed', second.lastError);
    const after2 = await Promise.all(tb.spec.nodes.map((n) => sh(n.address, snapshotCommand())));
    for (const [i, n] of tb.spec.nodes.entries()) {
      const a = before2[i].split('\n');
      const b = new Set(after2[i].split('\n'));
      assert.deepEqual(a.filter((l) => !b.has(l)).slice(0, 20), [], `${n.name}: no file under /etc and the install's other places changed (content or mtime)`);
    }
  });

test('nodes whose apt-daily holds the apt lists lock for a minute after boot: the install waits and completes without a question',
  { skip: refusal, timeout: 3_600_000 }, async () => {
    await tb.stop();
    tb = await startTestbed({ nodes: 3, site: 'aptlock', severalBlockDevices: [1], aptListsLockSeconds: 60, log: (l) => console.log(`testbed: ${l}`) });
    // What real apt 2.6 does meanwhile: fail at once, not wait (DPkg::Lock::Timeout covers only the dpkg lock).
    const s = await sshTo(tb.spec.nodes[0].address, tb.spec.ssh.user, tb.keyFile);
    try {
      const r = await s.run('sudo apt-get -o DPkg::Lock::Timeout=900 -q update');
      assert.equal(r.code, 100, `apt-get update while the lock is held: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^E: Could not get lock \/var\/lib\/apt\/lists\/lock\. It is held by process \d+ \(python3\)\nE: Unable to lock directory \/var\/lib\/apt\/lists\/\n$/);
    } finally {
      s.close();
    }
    const asked: string[] = [];
    const final = await answerUntilDone(await startInstall(env.client, tb.spec), tb.spec.dnsHostname, 3_000_000, asked);
    assert.equal(final.state, 'completed', final.lastError);
    assert.deepEqual(asked.filter((q) => q.startsWith('failure:') && q !== 'failure:cluster:preflight'), [], 'no failure question');
  });
