// Each fault as a client sees it on a real node: reboots (drop, refused, logins refused, new boot id),
// hangs until killed, transient failures then success, connections cut before or after the effect,
// an impostor host key, extra disks, no AVX, a small disk; and chaos that is the same under one seed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { startFleet, type Fleet } from '../../src/sim';
import { SshPool, CommandTimeoutError, HostKeyMismatchError, SshConnectError, type SshTarget } from '../../src/activities/ssh';
import { connect, eventually, execRaw } from '../helpers/sim';
import { prep, facts } from '../helpers/commands';

let fleet: Fleet;
before(async () => { fleet = await startFleet({ nodes: 3, seed: 5 }); });
after(async () => { await fleet?.stop(); });

const target = (name: string, expectedHostKey?: string): SshTarget => {
  const n = fleet.node(name);
  return { node: name, host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile, expectedHostKey };
};

function tcpProbe(host: string, port: number): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    s.once('connect', () => { s.destroy(); resolve('open'); });
    s.once('error', () => resolve('refused'));
  });
}

async function loginError(name: string): Promise<string | null> {
  try {
    const c = await connect(fleet, name, { readyTimeout: 2000 });
    c.close();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

test('reboot: connections drop, the port refuses, then logins fail, then a new boot id', async () => {
  const n = fleet.node('k8s-vm-1');
  const c = await connect(fleet, 'k8s-vm-1');
  const bootBefore = (await c.run('cat /proc/sys/kernel/random/boot_id')).stdout;
  const closed = new Promise<void>((resolve) => c.ssh.connection!.once('close', () => resolve()));
  const running = c.run('sudo microk8s status --wait-ready --timeout 600 || sleep 600');
  await eventually(async () => fleet.audit('k8s-vm-1').some((e) => e.command.includes('sleep 600') && e.end === null), 2000, 5);
  fleet.faults.reboot('k8s-vm-1', { downMs: 400, authFailMs: 400 });
  await closed;
  const cut = await running;
  assert.equal(cut.code, null, 'no exit status for a command cut by the reboot');
  assert.equal(await tcpProbe(n.address, n.port), 'refused');
  await eventually(async () => (await tcpProbe(n.address, n.port)) === 'open', 3000, 20);
  assert.match((await loginError('k8s-vm-1')) ?? '', /All configured authentication methods failed/);
  const back = await eventually(async () => { try { return await connect(fleet, 'k8s-vm-1'); } catch { return undefined; } }, 3000, 50);
  assert.notEqual((await back.run('cat /proc/sys/kernel/random/boot_id')).stdout, bootBefore);
  back.close();
  const entries = fleet.audit('k8s-vm-1');
  assert.equal(entries.find((e) => e.command === 'sudo microk8s status --wait-ready --timeout 600 || sleep 600')?.signal, 'KILL');
  assert.ok(entries.some((e) => e.source === 'fault' && e.command === '(reboot: injected)'));
});

test('reboot through `systemctl reboot`: the session is cut, the reboot is one effect', async () => {
  const c = await connect(fleet, 'k8s-vm-2');
  const r = await c.run('sudo systemctl reboot');
  assert.equal(r.code, null);
  c.close();
  await eventually(async () => fleet.node('k8s-vm-2').state.phase === 'up' && fleet.node('k8s-vm-2').state.bootCount === 2, 5000);
  assert.deepEqual(fleet.effectKeys('k8s-vm-2').map((e) => e.effect), ['reboot [boot 1]']);
});

test('hang: the command runs until the client stops it (TERM), as SshPool does on timeout', async () => {
  const id = fleet.faults.add({ kind: 'hang', node: 'k8s-vm-3', match: 'lsblk' });
  const pool = new SshPool({ killGraceMs: 200 });
  try {
    await assert.rejects(pool.exec(target('k8s-vm-3'), facts.listDisks().command, { timeoutMs: 300 }), CommandTimeoutError);
    const e = fleet.audit('k8s-vm-3').find((x) => x.command === facts.listDisks().command)!;
    await eventually(async () => e.end !== null || fleet.audit('k8s-vm-3').find((x) => x.seq === e.seq)!.end !== null, 2000);
    const done = fleet.audit('k8s-vm-3').find((x) => x.seq === e.seq)!;
    assert.deepEqual([done.exitCode, done.signal, done.fault], [null, 'TERM', 'hang']);
    // Fired once: the next run answers.
    assert.equal((await pool.exec(target('k8s-vm-3'), facts.listDisks().command)).code, 0);
  } finally {
    fleet.faults.remove(id);
    await pool.closeAll();
  }
});

test('transient: the dpkg lock is held twice, then apt succeeds', async () => {
  fleet.faults.add({ kind: 'transient', node: 'k8s-vm-3', match: 'dist-upgrade', error: 'dpkg-lock', times: 2 });
  const c = await connect(fleet, 'k8s-vm-3');
  // The simulation (-s) takes no lock, so it does not use up the fault.
  assert.equal((await c.run(prep.aptSimulateUpgrade().command)).code, 0);
  for (let i = 0; i < 2; i++) {
    const r = await c.run(prep.aptDistUpgrade().command);
    assert.deepEqual([r.code, r.stdout], [100, '']);
    assert.equal(r.stderr, 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (unattended-upgr)\n' +
      'N: Be aware that removing the lock file is not a solution and may break your system.\n' +
      'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?\n');
  }
  const ok = await c.run(prep.aptDistUpgrade().command);
  assert.equal(ok.code, 0);
  assert.equal(prep.parseAptSummary(ok.stdout).upgraded, 23);
  c.close();
});

test('transient: a registry timeout in `curl | sudo bash` still exits 0 and installs nothing', async () => {
  fleet.faults.add({ kind: 'transient', node: 'k8s-vm-3', match: 'curl', error: 'apt-mirror' });
  const c = await connect(fleet, 'k8s-vm-3');
  const r = await c.run(prep.installTools(fleet.spec.kloudspot.toolsUrl).command);
  assert.deepEqual([r.code, r.stderr], [0, 'curl: (28) Failed to connect to registry.kloudspot.com port 443 after 130152 ms: Connection timed out\n']);
  assert.equal((await c.run(prep.toolsInstalled().command)).code, 1);
  c.close();
});

test('disconnect before the command: nothing ran; after it: the effect is there once', async () => {
  const create = prep.createLogicalVolume('ubuntu-vg', 'shared', '20G').command;
  const pool = new SshPool();
  try {
    fleet.faults.add({ kind: 'disconnect', node: 'k8s-vm-2', match: 'lvcreate', when: 'before' });
    await assert.rejects(pool.exec(target('k8s-vm-2'), create), SshConnectError);
    assert.equal(fleet.node('k8s-vm-2').state.lvs.length, 1);
    fleet.faults.add({ kind: 'disconnect', node: 'k8s-vm-2', match: 'lvcreate', when: 'after' });
    await assert.rejects(pool.exec(target('k8s-vm-2'), create), /connection lost while .* was running; its outcome is unknown/);
    assert.deepEqual(fleet.node('k8s-vm-2').state.lvs.map((l) => l.name), ['ubuntu-lv', 'shared']);
    // A blind retry is refused by lvm itself and changes nothing.
    const again = await pool.exec(target('k8s-vm-2'), create);
    assert.deepEqual([again.code, again.stderr], [5, '  Logical Volume "shared" already exists in volume group "ubuntu-vg"\n']);
    assert.deepEqual(fleet.effectKeys('k8s-vm-2').filter((e) => e.effect.startsWith('lvcreate')).length, 1);
    assert.deepEqual(fleet.audit('k8s-vm-2').filter((e) => e.command === create).map((e) => [e.fault ?? '', e.signal ?? '', e.exitCode]),
      [['disconnect before', 'HUP', null], ['disconnect after', 'HUP', null], ['', '', 5]]);
  } finally {
    await pool.closeAll();
  }
});

test('wrong host key: another fingerprint; a pinned client refuses to run anything', async () => {
  const real = fleet.node('k8s-vm-3').hostKeyFingerprint;
  fleet.faults.wrongHostKey('k8s-vm-3');
  const pool = new SshPool();
  try {
    assert.notEqual(fleet.node('k8s-vm-3').hostKeyFingerprint, real);
    await assert.rejects(pool.exec(target('k8s-vm-3', real), 'hostname'), (err) => {
      assert.ok(err instanceof HostKeyMismatchError, `expected a host key mismatch, got ${(err as Error)?.stack ?? err}`);
      return true;
    });
    fleet.faults.wrongHostKey('k8s-vm-3', false);
    assert.equal(fleet.node('k8s-vm-3').hostKeyFingerprint, real);
    assert.equal((await pool.exec(target('k8s-vm-3', real), 'hostname')).code, 0);
  } finally {
    await pool.closeAll();
  }
});

test('machine faults: extra disks, no AVX, small disk', async () => {
  fleet.faults.addDisks('k8s-vm-1', [{ sizeGb: 50 }, { sizeGb: 200, fsType: 'ext4' }]);
  fleet.faults.noAvx('k8s-vm-1');
  fleet.faults.smallDisk('k8s-vm-1', 5);
  const c = await connect(fleet, 'k8s-vm-1');
  try {
    assert.deepEqual(facts.parseDisks((await c.run(facts.listDisks().command)).stdout).map((d) => d.name), ['sda', 'sdb', 'sdc']);
    const flags = facts.parseCpuFlags((await c.run(facts.readCpuFlags().command)).stdout);
    assert.ok(flags.length > 10 && !flags.includes('avx'));
    assert.equal(facts.parseVolumeGroups((await c.run(facts.listVolumeGroups().command)).stdout)[0].freeBytes, 5 * 2 ** 30);
    assert.equal((await c.run(prep.createLogicalVolume('ubuntu-vg', 'shared', '20G').command)).stderr,
      '  Volume group "ubuntu-vg" has insufficient free space (1280 extents): 5120 required.\n');
  } finally {
    c.close();
    fleet.faults.noAvx('k8s-vm-1', false);
  }
});

test('power loss during an upgrade leaves dpkg interrupted until `dpkg --configure -a`', async () => {
  const f = await startFleet({ nodes: 3, seed: 9 });
  try {
    f.faults.add({ kind: 'reboot', node: 'k8s-vm-1', match: /apt-get .*dist-upgrade/ });
    const c = await connect(f, 'k8s-vm-1');
    assert.equal((await c.run(prep.aptDistUpgrade().command)).code, null);
    c.close();
    const back = await eventually(async () => { try { return await connect(f, 'k8s-vm-1'); } catch { return undefined; } }, 5000, 50);
    // The fault struck before apt started: nothing was unpacked, so apt simply runs.
    assert.equal((await back.run(prep.aptSimulateUpgrade().command)).code, 0);
    f.faults.add({ kind: 'hang', node: 'k8s-vm-1', match: 'never-matches' });
    const cut = execRaw(back.ssh.connection!, prep.aptDistUpgrade().command);
    await eventually(async () => f.node('k8s-vm-1').state.dpkgInterrupted, 3000, 5);
    f.faults.reboot('k8s-vm-1', { downMs: 100, authFailMs: 100 });
    assert.equal((await cut).code, null);
    back.close();
    const again = await eventually(async () => { try { return await connect(f, 'k8s-vm-1'); } catch { return undefined; } }, 5000, 50);
    const broken = await again.run(prep.aptDistUpgrade().command);
    assert.deepEqual([broken.code, broken.stderr], [100, "E: dpkg was interrupted, you must manually run 'sudo dpkg --configure -a' to correct the problem. \n"]);
    assert.equal((await again.run('sudo dpkg --configure -a')).code, 0);
    assert.equal(prep.parseAptSummary((await again.run(prep.aptSimulateUpgrade().command)).stdout).upgraded, 0);
    again.close();
  } finally {
    await f.stop();
  }
});

test('chaos is deterministic under a seed', async () => {
  const runOnce = async () => {
    const f = await startFleet({ nodes: 3, seed: 42 });
    f.faults.chaos({ probability: 0.5, kinds: ['transient'] });
    const c = await connect(f, 'k8s-vm-1');
    const codes: (number | null)[] = [];
    for (let i = 0; i < 12; i++) codes.push((await c.run(prep.aptInstall(['open-iscsi']).command)).code);
    c.close();
    const fired = f.faults.fired.map((x) => x.command);
    await f.stop();
    return { codes, fired };
  };
  const a = await runOnce();
  const b = await runOnce();
  assert.deepEqual(a, b);
  assert.ok(a.codes.includes(100) && a.codes.includes(0), `a mix of dpkg-lock failures and successes: ${a.codes}`);
});

test('a command a systemd timer runs has no SSH session: disconnect faults and chaos leave it alone', async () => {
  const f = await startFleet({ nodes: 3, seed: 7 });
  try {
    // Every SSH command would be cut; the timer's `lvcreate` must still run (the chaos run once counted its rerun as a duplicate).
    f.faults.add({ kind: 'disconnect', node: 'k8s-vm-1', match: /^lvcreate /, when: 'before' });
    const c = await connect(f, 'k8s-vm-1');
    const armed = await c.run('sudo systemd-run --on-active=1 --unit=probe lvcreate -y -L 1G -n probe ubuntu-vg');
    c.close();
    assert.equal(armed.code, 0, armed.stderr);
    f.faults.chaos({ probability: 1, kinds: ['disconnect-before'] });
    await eventually(async () => f.node('k8s-vm-1').state.lvs.some((lv) => lv.name === 'probe'), 5000, 50);
    const ran = f.audit('k8s-vm-1').filter((e) => e.source === 'timer');
    assert.deepEqual(ran.map((e) => [e.fault ?? '', e.exitCode]), [['', 0]]);
  } finally {
    await f.stop();
  }
});
