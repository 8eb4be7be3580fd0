// Join tokens as the cluster agent treats them, driven by the installer's own commands: a line without
// expiry is single-use (consumed by the first join request, even one that then fails), a `|expiry` line is
// reusable until it expires; the installer writes its token and hands it to join on stdin only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../../src/sim';
import * as mk from '../../src/activities/commands/microk8s';
import { connectAll, closeAll, type Run, type SimClient } from '../helpers/sim';
import { prep, type RemoteCommand } from '../helpers/commands';

let fleet: Fleet;
let c: Record<string, SimClient>;
const run = (n: string, cmd: RemoteCommand): Promise<Run> => c[n].run(cmd.command, cmd.stdin);
const TOKEN = 'c0ffee00'.repeat(4);

before(async () => {
  fleet = await startFleet({ nodes: 4, seed: 41 });
  c = await connectAll(fleet);
  await Promise.all(fleet.spec.nodes.map(async (n) => {
    await run(n.name, prep.setHostname(n.name));
    await run(n.name, prep.installTools(fleet.spec.kloudspot.toolsUrl));
    await run(n.name, mk.waitReady(60));
  }));
});
after(async () => {
  if (c) closeAll(c);
  await fleet?.stop();
});

test('an installer-issued token joins once, is gone after, and never appears in a command line', async () => {
  const a1 = fleet.spec.nodes[0].address;
  const check = mk.parseServerCertCheck((await run('k8s-vm-1', mk.serverCertCheck())).stdout);
  // The same CHECK add-node prints (utils.sh server_cert_check).
  const byHand = await run('k8s-vm-1', prep.addNode('d'.repeat(32), 60));
  assert.equal(prep.joinUrlOf(byHand.stdout, a1).split('/')[2], check);

  assert.equal((await run('k8s-vm-1', mk.issueJoinToken(TOKEN))).code, 0);
  const file = fleet.node('k8s-vm-1').state.files.get(mk.CLUSTER_TOKENS_FILE)!;
  assert.equal(file.mode & 0o007, 0, 'the token file is not world-readable');
  assert.match(file.content, new RegExp(`^${TOKEN}$`, 'm'), 'a line without |expiry: single use');
  assert.equal(mk.parseTokenCount(await run('k8s-vm-1', mk.joinTokenCount(TOKEN))), 1);

  const url = `${a1}:25000/${TOKEN}/${check}`;
  const joined = await run('k8s-vm-2', mk.join(url, false, [TOKEN]));
  assert.deepEqual([joined.code, joined.stdout.split('\n').pop() === '' && /Successfully joined the cluster\.\n$/.test(joined.stdout)], [0, true]);
  assert.equal(mk.parseTokenCount(await run('k8s-vm-1', mk.joinTokenCount(TOKEN))), 0, 'the agent consumed it');
  // Unusable after its join: another node with the very URL is refused.
  const reuse = await run('k8s-vm-3', mk.join(url, false, [TOKEN]));
  assert.equal(reuse.code, 123, 'xargs: join exited 1-125');
  assert.match(reuse.stdout, /Connection failed\. invalid token \(500\)\./);

  // A failed attempt that never reached the agent (wrong CHECK) leaves a valid token: the installer removes it.
  const second = 'beef0000'.repeat(4);
  await run('k8s-vm-1', mk.issueJoinToken(second));
  const bad = await run('k8s-vm-3', mk.join(`${a1}:25000/${second}/000000000000`, false, [second]));
  assert.match(bad.stdout, /Could not verify the identity/);
  assert.equal(mk.parseTokenCount(await run('k8s-vm-1', mk.joinTokenCount(second))), 1, 'still valid: nothing consumed it');
  assert.equal((await run('k8s-vm-1', mk.revokeJoinToken(second))).code, 0);
  assert.equal(mk.parseTokenCount(await run('k8s-vm-1', mk.joinTokenCount(second))), 0);
  assert.match(fleet.node('k8s-vm-1').state.files.get(mk.CLUSTER_TOKENS_FILE)!.content, /^d{32}\|\d+$/m, 'other tokens are kept');
  assert.equal(fleet.node('k8s-vm-1').state.files.get(mk.CLUSTER_TOKENS_FILE)!.mode & 0o007, 0);
  const revoked = await run('k8s-vm-3', mk.join(`${a1}:25000/${second}/${check}`, false, [second]));
  assert.match(revoked.stdout, /invalid token \(500\)/);

  for (const e of fleet.audit()) {
    for (const t of [TOKEN, second]) assert.ok(!e.command.includes(t), `a token is on the command line: ${e.command}`);
  }
});

test('a token with --token-ttl is reusable until it expires, then refused', async () => {
  const a1 = fleet.spec.nodes[0].address;
  const ttl = 'e'.repeat(32);
  const url = prep.joinUrlOf((await run('k8s-vm-1', prep.addNode(ttl, 1))).stdout, a1);
  await new Promise((r) => setTimeout(r, 2100));
  const late = await run('k8s-vm-4', prep.joinByHand(url, true));
  assert.deepEqual([late.code, late.stdout.split('\n')[1]], [6, 'Connection failed. invalid token (500).']);
});
