// File writes are atomic (issue 16, item 9): a session dropped mid-write leaves the old file whole, where
// `install /dev/null FILE && tee FILE` had already truncated it (an empty /etc/hosts on a node). The retry
// then writes the new content and leaves no temporary file behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simFleet } from '../helpers/sim';
import type { SshTarget } from '../../src/activities/ssh';
import { run } from '../../src/activities/run';
import { HOSTS_FILE, tempPathFor, writeFile } from '../../src/activities/commands/files';

const sim = simFleet({ nodes: 3, seed: 9, latency: 'fast' });

test('a session dropped while the new /etc/hosts is being written leaves the old one whole; the retry writes it', { timeout: 60_000 }, async () => {
  const n = sim.fleet.node('k8s-vm-3');
  const t: SshTarget = { node: n.name, host: n.address, port: n.port, username: sim.fleet.spec.ssh.user, privateKeyFile: sim.fleet.keyFile };
  const before = n.state.files.get(HOSTS_FILE)!;
  assert.match(before.content, /localhost/);
  const wanted = `${before.content}\n10.0.0.11 k8s-vm-1\n`;
  // The connection drops as tee starts: whatever the write had done by then stays done.
  sim.fleet.faults.add({ kind: 'disconnect', node: n.name, match: /^tee \/etc\// });
  await assert.rejects(run({ pool: sim.pool }, t, writeFile(HOSTS_FILE, wanted, '0644')));
  assert.equal(sim.fleet.faults.fired.length, 1, 'the drop happened');
  assert.deepEqual(n.state.files.get(HOSTS_FILE), before, '/etc/hosts is as it was');
  await run({ pool: sim.pool }, t, writeFile(HOSTS_FILE, wanted, '0644'));
  const after = n.state.files.get(HOSTS_FILE)!;
  assert.deepEqual({ content: after.content, mode: after.mode }, { content: wanted, mode: 0o644 });
  assert.equal(n.state.files.has(tempPathFor(HOSTS_FILE)), false, 'the temporary file was renamed into place');
  assert.equal(tempPathFor(HOSTS_FILE), '/etc/.hosts.kloudspot-new');
});
