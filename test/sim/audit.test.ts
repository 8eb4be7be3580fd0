// The audit log: every command with its times, status and effects; a repeated command that finds its
// work done records no effect, so "no effect happened twice" is a meaningful assertion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { connect, eventually, type SimClient } from '../helpers/sim';
import { prep, st } from '../helpers/commands';

let fleet: Fleet;
let c: SimClient;
before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 2 });
  c = await connect(fleet, 'k8s-vm-2');
});
after(async () => {
  c?.close();
  await fleet?.stop();
});

test('a repeated command has no effect the second time', async () => {
  const steps = [
    prep.createLogicalVolume('ubuntu-vg', 'shared', '20G'),
    prep.setHostname('k8s-vm-2'),
    prep.writeFile('/etc/kloudspot/values.yaml', 'site: x\n', '0644'),
    st.enableIscsid(),
    prep.aptDistUpgrade(),
  ];
  for (const s of steps) await c.run(s.command, s.stdin);
  const first = fleet.effectKeys('k8s-vm-2').map((e) => e.effect);
  assert.deepEqual(first, [
    'lvcreate ubuntu-vg/shared 20G',
    'hostname k8s-vm-2',
    'write /etc/hostname sha256:' + first[2].split('sha256:').slice(1).join('sha256:'),
    'write /etc/kloudspot/values.yaml sha256:' + first[3].split('sha256:')[1],
    'systemctl enable iscsid', 'systemctl start iscsid',
    'apt dist-upgrade: 23 upgraded, 5 newly installed',
    'write /var/run/reboot-required sha256:' + first[7].split('sha256:')[1],
    'write /var/run/reboot-required.pkgs sha256:' + first[8].split('sha256:')[1],
  ]);
  // A rewrite names what it replaced: the same change twice is a duplicate, two different ones are not.
  assert.match(first[2], /^write \/etc\/hostname sha256:[0-9a-f]{12} mode 0644 \(was sha256:[0-9a-f]{12}\)$/);
  assert.match(first[3], /^write \/etc\/kloudspot\/values\.yaml sha256:[0-9a-f]{12} mode 0644$/);
  for (const s of steps) await c.run(s.command, s.stdin);
  assert.deepEqual(fleet.effectKeys('k8s-vm-2').map((e) => e.effect), first, 'the second round changed nothing');
  const second = fleet.audit('k8s-vm-2').slice(-steps.length);
  assert.deepEqual(second.map((e) => e.effect), Array(steps.length).fill(null));
  assert.deepEqual(second.map((e) => e.exitCode), [5, 0, 0, 0, 0]);
  assert.deepEqual(fleet.duplicateEffects(), []);
});

test('entries carry times, status, connection and source; timers are audited as such', async () => {
  const before = Date.now();
  await c.run(prep.netplanApplyDetached().command);
  const e = fleet.audit('k8s-vm-2').at(-1)!;
  assert.equal(e.command, prep.netplanApplyDetached().command);
  assert.equal(e.source, 'ssh');
  assert.equal(typeof e.connection, 'number');
  assert.ok(e.start >= before && e.end! >= e.start);
  assert.equal(e.exitCode, 0);
  assert.match(e.effect!, /^systemd-run kloudspot-netplan-apply\.timer: netplan apply \[boot 1\]$/);
  const timer = await eventually(async () => fleet.audit('k8s-vm-2').find((x) => x.source === 'timer' && x.end !== null));
  assert.deepEqual([timer.command, timer.exitCode, timer.effect], ['netplan apply', 0, null]);
});

test('a real duplicate shows up in duplicateEffects()', async () => {
  await c.run('sudo systemctl restart iscsid');
  await c.run('sudo systemctl restart iscsid');
  assert.deepEqual(fleet.duplicateEffects(), [{ node: 'k8s-vm-2', effect: 'systemctl restart iscsid', count: 2 }]);
});

test('SFTP uploads (SshPool.upload) land with their mode and are audited; /etc is out of reach', async () => {
  const { SshPool } = await import('../../src/activities/ssh');
  const pool = new SshPool();
  const n = fleet.node('k8s-vm-3');
  const t = { node: n.name, host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile };
  try {
    await pool.upload(t, 'secret\n', '/home/kloudspot/key.pem', 0o600);
    const { mtime, ...uploaded } = n.state.files.get('/home/kloudspot/key.pem')!;
    assert.deepEqual(uploaded, { content: 'secret\n', mode: 0o600 });
    assert.ok(typeof mtime === 'number' && Math.abs(Date.now() - mtime) < 60_000, 'the upload set the file\'s mtime');
    assert.deepEqual([...n.state.files.keys()].filter((k) => k.includes('.ks-')), [], 'the temporary name is gone');
    assert.ok(fleet.effectKeys('k8s-vm-3').some((e) => /^write \/home\/kloudspot\/key\.pem sha256:[0-9a-f]{12} mode 0600$/.test(e.effect)));
    await assert.rejects(pool.upload(t, 'x', '/etc/kloudspot/x', 0o644), /denied|Permission/i);
  } finally {
    await pool.closeAll();
  }
});
