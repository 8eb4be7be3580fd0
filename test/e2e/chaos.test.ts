// The chaos run, small enough for every `npm test`: one site, three kill -9 of the worker (right after the
// installer's reboot request, in the middle of a state-changing command, right after the TLS Secret is
// created), one dev-server restart, one node reboot, one network cut, the command faults and the twice-sent,
// late and misdirected answers; fixed seed. It runs `npm run chaos` itself (a child process, as a person
// would) and holds it to its last line: the install completed and no change happened twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

test('chaos (1 site, 3 kills, 1 server restart, 1 reboot, seed 7): the install completes, nothing happens twice', { timeout: 240_000 }, async () => {
  const args = ['--import', 'tsx', join(root, 'scripts', 'chaos.ts'),
    '--seed', '7', '--sites', '1', '--kills', '3', '--restarts', '1', '--reboots', '1', '--cuts', '1', '--window', '60', '--timeout', '200'];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const lines = out.trim().split('\n');
  const last = lines[lines.length - 1];
  const context = `\n--- chaos output ---\n${out.slice(-6000)}`;
  assert.match(lines[0], /^chaos: seed 7 /, `the seed is printed first${context}`);
  const m = /^chaos: (\d+) installs, (\d+) worker kills, (\d+) server restarts, (\d+) reboots, (\d+) faults, (\d+) duplicated side effects$/.exec(last);
  assert.ok(m, `last line has the figures${context}`);
  const [installs, kills, restarts, reboots, faults, duplicates] = m!.slice(1).map(Number);
  assert.equal(code, 0, `chaos exits 0${context}`);
  assert.equal(installs, 1);
  assert.equal(kills, 3, `three kills${context}`);
  assert.equal(restarts, 1, `one server restart${context}`);
  assert.equal(reboots, 1, `one reboot${context}`);
  assert.ok(faults >= 5, `command faults fired${context}`);
  assert.equal(duplicates, 0);
  assert.doesNotMatch(out, /FAILED|DUPLICATE/, context);
  // The kinds of kill the plan asked for were the ones made.
  assert.match(out, /kill -9 #\d \(after effect "systemd-run kloudspot-reboot/, context);
  assert.match(out, /kill -9 #\d \(mid-command: /, context);
  assert.match(out, /kill -9 #\d \(after effect "kubectl apply secret\/default\/kloudspot-tls/, context);
});
