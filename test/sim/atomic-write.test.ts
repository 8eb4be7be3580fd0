// File writes are atomic (issue 16, item 9): a session dropped mid-write leaves the old file whole, where
// `install /dev/null FILE && tee FILE` had already truncated it (an empty /etc/hosts on a node). The retry
// then writes the new content and leaves no temporary file behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import { SshPool, type SshTarget } from '../../src/activities/ssh';
import { run } from '../../src/activities/run';
import { HOSTS_FILE, tempPathFor, writeFile } from '../../src/activities/commands/files';

let fleet: Fleet;
let pool: SshPool;
before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 9, latency: 'fast' });
  pool = new SshPool();
});
after(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

test('a session dropped while the new /etc/hosts is being written leaves the old one whole; the retry writes it', { timeout: 60_000 }, async () => {
  const n = fleet.node('k8s-vm-3');
  const t: SshTarget = { node: n.name, host: n.address, port: n.port, username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile };
  const before = n.state.files.get(HOSTS_FILE)!;
  assert.match(before.content, /localhost/);
  const wanted = `${before.content}\n10.0.0.11 k8s-vm-1\n`;
  // The connection drops as tee starts: whatever the write had done by then stays done.
  fleet.faults.add({ kind: 'disconnect', node: n.name, match: /^tee \/etc\// });
  await assert.rejects(run({ pool }, t, writeFile(HOSTS_FILE, wanted, '0644')));
  assert.equal(fleet.faults.fired.length, 1, 'the drop happened');
  assert.deepEqual(n.state.files.get(HOSTS_FILE), before, '/etc/hosts is as it was');
  await run({ pool }, t, writeFile(HOSTS_FILE, wanted, '0644'));
  assert.deepEqual(n.state.files.get(HOSTS_FILE), { content: wanted, mode: 0o644 });
  assert.equal(n.state.files.has(tempPathFor(HOSTS_FILE)), false, 'the temporary file was renamed into place');
  assert.equal(tempPathFor(HOSTS_FILE), '/etc/.hosts.kloudspot-new');
});
