// The real-node tier: installs onto systemd-nspawn Debian 12 nodes (real systemd, sshd, sudo, apt through a
// proxy, LVM metadata, netplan/networkd, reboots) with a real dev server and the real worker as a process of
// its own; only MicroK8s, kubectl and the Kloudspot tools are the simulator's model behind a real shell.
// The first install is also a crash test: the worker's process group is `kill -9`ed while dpkg unpacks on a
// node and again while the installer waits for a node's reboot. The second runs through a real sshd as
// bastion, with a sudo password, on nodes whose apt-daily holds the lists lock after boot. Skips only when
// this machine cannot run systemd-nspawn at all (not root, or the kernel refuses).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInstall } from '../../src/client/installs';
import type { GroupProcess } from '../../src/stack/process-group';
import { inNode } from '../../src/testbed/node';
import { BOOT_LOG } from '../../src/testbed/node-files';
import { nspawnRefusal } from '../../src/testbed/probe';
import { startTestbed, type Testbed } from '../../src/testbed/testbed';
import { installerBundle } from '../../src/worker/worker';
import { prepareNodeWorkflowId } from '../../src/workflows/api';
import { answerUntilDone, nodeProcesses, onNode, snapshotCommand, sshTo } from '../helpers/real-nodes';
import { activityRuns, rawHistory, runningActivity } from '../helpers/history';
import { testDataConverter, waitForQuestion } from '../helpers/install';
import { startHarness, type TemporalHarness } from '../helpers/temporal';
import { SUDO_PASSWORD_CASES, SUDO_PROBE } from '../helpers/sudo-words';
import { killWorker, startWorkerProcess } from '../helpers/worker-process';

const refusal = nspawnRefusal();
const PASSWORD = 'Real-sudo-pw-7';
let tb: Testbed;
let h: TemporalHarness;
let dir: string;
let bundleFile: string;
let worker: GroupProcess | undefined;
const log = (l: string) => console.log(`testbed: ${l}`);
const workerLog = () => join(dir, 'worker.log');
const startWorker = async () => {
  worker = await startWorkerProcess({
    address: h.server.address, namespace: h.server.namespace, bundleFile, logFile: workerLog(),
    env: { KLOUDSPOT_KNOWN_HOSTS_FILE: join(dir, 'known-hosts.json') },
  });
};

before(async () => {
  if (refusal) return;
  dir = mkdtempSync(join(tmpdir(), 'ks-real-nodes-'));
  tb = await startTestbed({ nodes: 3, site: 'realnodes', severalBlockDevices: [1], log });
  console.log(`testbed up in ${tb.timings.upMs} ms (root file system built in ${tb.timings.rootfsBuildMs} ms)`);
  h = await startHarness({ uiPort: false }, testDataConverter());
  // Built once, as the image does: a restarted worker starts without running webpack.
  bundleFile = join(dir, 'workflow-bundle.js');
  writeFileSync(bundleFile, (await installerBundle()).code);
  await startWorker();
}, { timeout: 900_000 });
after(async () => {
  await worker?.stop(10_000);
  await h?.stop();
  await tb?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, { timeout: 120_000 });

const sh = (address: string, command: string) => onNode(address, tb.spec.ssh.user, tb.keyFile, command);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something, or fails once `over()` says the install ended without it. */
async function until<T>(what: string, over: () => boolean, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (over()) throw new Error(`the install ended before ${what}`);
    await sleep(250);
  }
}

test('3 real nodes: bare to a deployed chart through two worker kill -9 (dpkg unpacking; a reboot wait); each node rebooted once, ' +
  'hostname, hosts, static address, LV; a second install changes nothing',
{ skip: refusal, timeout: 3_600_000 }, async () => {
  const bootsBefore = await Promise.all(tb.nodes.map((n) => sh(n.address, 'cat /proc/sys/kernel/random/boot_id')));
  const started = Date.now();
  const handle = await startInstall(h.client, tb.spec);
  const asked: string[] = [];
  let over = false;
  const answering = answerUntilDone(handle, tb.spec.dnsHostname, 3_000_000, asked).finally(() => { over = true; });
  const kills: { node: string; what: string; at: number }[] = [];

  const killing = (async () => {
    // 1. While dpkg unpacks packages on a node: the apt upgrade's SSH channel dies with the worker.
    const unpacking = await until('dpkg unpacked on a node', () => over, () => {
      for (const n of tb.nodes) {
        const dpkg = nodeProcesses(n).find((c) => /(^|\/)dpkg .*--unpack/.test(c));
        if (dpkg) return { node: n.name, what: dpkg.slice(0, 160) };
      }
      return undefined;
    });
    await killWorker(worker!);
    kills.push({ ...unpacking, at: Date.now() - started });
    await startWorker();
    // 2. While the installer waits for a node that went down for the reboot it asked for.
    const rebooting = await until('a node rebooted while the installer waited for it', () => over, async () => {
      for (const n of tb.nodes.filter((x) => x.boots >= 2)) {
        const wait = await runningActivity(h.client, prepareNodeWorkflowId(tb.spec.site, n.name), 'waitForBoot');
        if (wait) return { node: n.name, what: `waitForBoot attempt ${wait.attempt} running, boot ${n.boots} under way` };
      }
      return undefined;
    });
    await killWorker(worker!);
    kills.push({ ...rebooting, at: Date.now() - started });
    await startWorker();
  })();
  killing.catch(() => undefined); // awaited below; a failure is reported there
  const final = await answering;
  await killing;
  const wall = Math.round((Date.now() - started) / 1000);
  console.log(`install on real nodes: ${wall} s; questions: ${asked.join(', ')}`);
  for (const k of kills) console.log(`kill -9 of the worker at ${Math.round(k.at / 1000)} s: ${k.node}: ${k.what}`);
  assert.equal(final.state, 'completed', final.lastError);
  assert.equal(final.phase, 'done');
  assert.ok(asked.includes('failure:cluster:preflight'), 'preflight refused Debian and this machine, as it should');
  assert.equal(kills.length, 2);

  // The kills cut the activities they aimed at: each was run again by the next worker, and finished.
  const runs = new Map(await Promise.all(tb.nodes.map(async (n) =>
    [n.name, await activityRuns(h.client, prepareNodeWorkflowId(tb.spec.site, n.name))] as const)));
  const attempt = (node: string, type: string) => Math.max(0, ...runs.get(node)!.filter((r) => r.type === type).map((r) => r.attempt));
  assert.ok(attempt(kills[0].node, 'upgradePackages') >= 2, `${kills[0].node}: the apt upgrade was run again after the kill`);
  assert.ok(attempt(kills[1].node, 'waitForBoot') >= 2, `${kills[1].node}: the reboot wait was run again after the kill`);
  for (const [node, list] of runs) {
    const apt = list.filter((r) => r.type === 'upgradePackages');
    const aptSeconds = Math.round((Math.max(...apt.map((r) => r.closedAt)) - Math.min(...apt.map((r) => r.scheduledAt))) / 1000);
    console.log(`${node}: apt-upgrade ${aptSeconds} s (${Math.round((100 * aptSeconds) / wall)} % of the install), ` +
      `attempts: ${list.filter((r) => r.attempt > 1).map((r) => `${r.type} #${r.attempt}`).join(', ') || 'none repeated'}`);
  }

  for (const [i, n] of tb.spec.nodes.entries()) {
    assert.equal((await sh(n.address, 'hostnamectl --static')).trim(), n.name, `${n.name}: static hostname`);
    const hosts = await sh(n.address, 'cat /etc/hosts');
    for (const m of tb.spec.nodes) assert.match(hosts, new RegExp(`^${m.address.replace(/\./g, '\\.')} ${m.name}$`, 'm'), `${n.name}: /etc/hosts lists ${m.name}`);
    const addr = await sh(n.address, `ip -4 -o addr show dev ${n.interface}`);
    const line = addr.split('\n').find((l) => l.includes(` ${n.address}/24 `));
    assert.ok(line, `${n.name}: ${n.address}/24 on ${n.interface}: ${addr}`);
    assert.doesNotMatch(line!, /\sdynamic\s/, `${n.name}: the address is static now`);
    assert.match(await sh(n.address, `sudo lvs --noheadings -o lv_name ${tb.spec.lvm.volumeGroup}`), /^\s*shared\s*$/m, `${n.name}: the shared LV`);
    // Rebooted exactly once: nspawn started it twice, and the node's own boot log holds two boot ids.
    const boot = (await sh(n.address, 'cat /proc/sys/kernel/random/boot_id')).trim();
    assert.equal(tb.nodes[i].boots, 2, `${n.name}: nspawn started it ${tb.nodes[i].boots} times`);
    assert.deepEqual((await sh(n.address, `cat ${BOOT_LOG}`)).trim().split('\n'), [bootsBefore[i].trim(), boot], `${n.name}: one reboot in its boot log`);
    // apt: nothing half done, nothing left, and no package upgraded twice but the one dpkg was cut off in.
    assert.equal(await sh(n.address, 'dpkg --audit'), '', `${n.name}: dpkg --audit finds nothing half installed`);
    assert.match(await sh(n.address, 'apt-get -s -o Debug::NoLocking=1 dist-upgrade'), /^0 upgraded, 0 newly installed, /m, `${n.name}: nothing left to upgrade`);
    const dpkgLog = await sh(n.address, 'grep " upgrade " /var/log/dpkg.log || true');
    const upgrades = dpkgLog.trim().split('\n').filter(Boolean).map((l) => l.split(' ')[3]);
    const twice = [...new Set(upgrades.filter((p, j) => upgrades.indexOf(p) !== j))];
    console.log(`${n.name}: ${new Set(upgrades).size} packages upgraded${twice.length ? `; unpacked again after the kill: ${twice.join(', ')}` : ''}`);
    assert.ok(upgrades.length > 0, `${n.name}: the install upgraded packages`);
    assert.ok(twice.length <= 1, `${n.name}: packages unpacked twice: ${twice.join(', ')}`);
  }

  const before2 = await Promise.all(tb.spec.nodes.map((n) => sh(n.address, snapshotCommand())));
  const again = await startInstall(h.client, tb.spec);
  const second = await answerUntilDone(again, tb.spec.dnsHostname, 600_000);
  assert.equal(second.state, 'completed', second.lastError);
  const after2 = await Promise.all(tb.spec.nodes.map((n) => sh(n.address, snapshotCommand())));
  for (const [i, n] of tb.spec.nodes.entries()) {
    const a = before2[i].split('\n');
    const b = new Set(after2[i].split('\n'));
    assert.deepEqual(a.filter((l) => !b.has(l)).slice(0, 20), [], `${n.name}: no file under /etc and the install's other places changed (content or mtime)`);
    assert.equal(tb.nodes[i].boots, 2, `${n.name}: the second install rebooted nothing`);
  }
});

test('through a real sshd as bastion, with a sudo password, on nodes whose apt-daily holds the lists lock a minute after boot: ' +
  'a wrong password is one preflight problem; the install completes without a question; neither password nor key in history or log',
{ skip: refusal, timeout: 3_600_000 }, async () => {
  await tb.stop();
  const passwordFile = join(dir, 'sudo-password');
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  tb = await startTestbed({
    nodes: 3, site: 'fieldaccess', severalBlockDevices: [1], aptListsLockSeconds: 60, sudoPasswordFile: passwordFile, bastion: true, log,
  });
  const bastion = tb.bastion!;
  assert.deepEqual(tb.spec.ssh.bastion, { host: bastion.address, port: 22, user: 'jump', hostKey: bastion.hostKey });
  assert.equal(tb.spec.ssh.sudoPasswordFile, passwordFile);
  const via = { host: bastion.address, user: bastion.user };
  const [first, second] = tb.spec.nodes;
  const s = await sshTo(first.address, tb.spec.ssh.user, tb.keyFile, via);
  try {
    // What real apt 2.6 does while the lock is held: fail at once, not wait (DPkg::Lock::Timeout covers only the dpkg lock).
    const r = await s.run("sudo -S -p '' apt-get -o DPkg::Lock::Timeout=900 -q update", `${PASSWORD}\n`);
    assert.equal(r.code, 100, `apt-get update while the lock is held: ${r.stdout}${r.stderr}`);
    // (sudo may print its one-time lecture first.)
    assert.match(r.stderr, /(^|\n)E: Could not get lock \/var\/lib\/apt\/lists\/lock\. It is held by process \d+ \(python3\)\nE: Unable to lock directory \/var\/lib\/apt\/lists\/\n$/);
    const n = await s.run('sudo -n true');
    assert.deepEqual({ code: n.code, stderr: n.stderr }, { code: 1, stderr: 'sudo: a password is required\n' }, 'sudo -n: a password is required');
    // The words the simulator's sudo is held to (test/sim/sudo-words.test.ts) are real sudo's.
    for (const k of SUDO_PASSWORD_CASES(PASSWORD)) {
      const r2 = await s.run(SUDO_PROBE, k.stdin);
      assert.deepEqual({ code: r2.code, stderr: r2.stderr }, { code: k.code, stderr: k.stderr }, `real sudo -S: ${k.what}`);
    }
  } finally {
    s.close();
  }
  await assert.rejects(sshTo(first.address, tb.spec.ssh.user, tb.keyFile), 'the node refuses SSH from this machine: only the bastion gets in');

  // A wrong password for one node: one problem in that node's section, in sudo's words, tried once.
  const wrongFile = join(dir, 'wrong-password');
  writeFileSync(wrongFile, 'not-the-password\n', { mode: 0o600 });
  const wrongNodes = tb.spec.nodes.map((x) => (x.name === second.name ? { ...x, sudoPasswordFile: wrongFile } : x));
  const wrong = await startInstall(h.client, { ...tb.spec, nodes: wrongNodes });
  const q = await waitForQuestion(wrong, (x) => x.step === 'cluster:preflight', 900_000);
  const report = q.lastError ?? '';
  const wrongRunId = (await wrong.describe()).runId;
  await wrong.terminate('test: the wrong password was reported');
  console.log(`preflight with a wrong password for ${second.name}:\n${report}`);
  const sudoLines = report.split('\n').filter((l) => /sudo/.test(l));
  assert.equal(sudoLines.length, 1, `one sudo problem in the whole report:\n${report}`);
  assert.ok(sudoLines[0].includes(`sudo does not accept the password in ${wrongFile} for kloudspot`), sudoLines[0]);
  assert.ok(sudoLines[0].includes('(sudo said: sudo: no password was provided; sudo: 1 incorrect password attempt)'), sudoLines[0]);
  assert.match(sudoLines[0], /put kloudspot's login password on the first line of that file/);
  const section = report.slice(report.indexOf(`${second.name} (`)).split(/\n(?=\S)/)[0];
  assert.ok(section.includes(sudoLines[0]) && /runs Debian GNU\/Linux 12/.test(section), `${second.name}'s own section, with its other facts:\n${section}`);
  assert.ok(!report.includes('not-the-password'));
  const attempts = inNode(tb.nodes[1], ['journalctl', '-q', '-o', 'cat', '_COMM=sudo']).out.split('\n').filter((l) => /incorrect password attempt/.test(l));
  assert.equal(attempts.length, 1, `the wrong password was tried once on ${second.name} (a lockout counts attempts): ${attempts.join(' | ')}`);

  const asked: string[] = [];
  const handle = await startInstall(h.client, tb.spec);
  const final = await answerUntilDone(handle, tb.spec.dnsHostname, 3_000_000, asked);
  assert.equal(final.state, 'completed', final.lastError);
  assert.deepEqual(asked.filter((x) => x.startsWith('failure:') && x !== 'failure:cluster:preflight'), [], 'no failure question');
  // The reboot wait through the bastion: a node answers within about a minute of its reboot; a tunnel whose
  // connection to the rebooted node died silently used to hold each wait until the 5-minute command timeout.
  for (const n of tb.spec.nodes) {
    const waits = (await activityRuns(h.client, prepareNodeWorkflowId(tb.spec.site, n.name))).filter((r) => r.type === 'waitForBoot');
    const seconds = waits.map((r) => Math.round((r.closedAt - r.scheduledAt) / 1000));
    console.log(`${n.name}: reboot wait through the bastion: ${seconds.join(', ')} s`);
    assert.ok(seconds.every((x) => x < 240), `${n.name}: the reboot wait took ${seconds.join(', ')} s (the 5-minute command timeout?)`);
  }

  // Every login on a node came from the bastion.
  for (const n of tb.nodes) {
    const logins = inNode(n, ['journalctl', '-q', '-o', 'cat', '-u', 'ssh']).out.split('\n').filter((l) => l.startsWith('Accepted publickey for '));
    assert.ok(logins.length > 0 && logins.every((l) => l.includes(` from ${bastion.address} `)), `${n.name}: logins from the bastion only:\n${logins.join('\n')}`);
  }
  // Neither the sudo password nor the SSH key in the raw histories (both runs) or the worker's log.
  const key = readFileSync(tb.keyFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  const ids = [handle.workflowId, ...tb.spec.nodes.map((x) => prepareNodeWorkflowId(tb.spec.site, x.name))];
  const raw = [await rawHistory(h.client, wrong.workflowId, wrongRunId), ...await Promise.all(ids.map((id) => rawHistory(h.client, id)))].join('\n');
  const workerText = readFileSync(workerLog(), 'utf8');
  assert.match(workerText, /"ssh\.sudo"/, 'the worker logged how sudo was used');
  for (const [where, text] of [['the raw history', raw], ['the worker\'s log', workerText]] as const) {
    assert.ok(!text.includes(PASSWORD), `the sudo password is in ${where}`);
    assert.ok(!text.includes(Buffer.from(PASSWORD).toString('base64').slice(0, 12)), `the sudo password is in ${where} as base64`);
    assert.ok(!text.includes(key.slice(0, 40)), `the SSH key is in ${where}`);
  }
});
