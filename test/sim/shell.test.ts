// The simulator's shell: words split exactly as /bin/sh splits the installer's quoting, and the
// operators, redirections and prefixes the command builders use behave as in bash, over real SSH.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseScript, tokenize } from '../../src/sim/shell-parse';
import { shellJoin, shellQuote } from '../../src/activities/commands/sh';
import { startFleet, type Fleet } from '../../src/sim';
import { connect, type SimClient } from '../helpers/sim';

const HOSTILE = [
  'plain', '', ' ', 'two words', "it's", '"double"', '$HOME', '`id`', '$(id)', 'a;b', 'a&&b', 'a|b', '>x', '<x', '\\', '\\n',
  "'", "''", "'\\''", '*', '?', '[a]', '#comment', '~', 'tab\there', 'new\nline', 'ünïcødé', '-n', '--', '!', 'a=b',
];

test('tokenizer splits shellQuote output exactly as /bin/sh does', () => {
  const line = `printf '%s\\0' ${shellJoin(HOSTILE)}`;
  const sh = spawnSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
  assert.equal(sh.status, 0, sh.stderr);
  const fromSh = sh.stdout.split('\0').slice(0, -1);
  assert.deepEqual(fromSh, HOSTILE);
  const words = tokenize(shellJoin(HOSTILE)).map((t) => (t.t === 'word' ? t.v : `<${t.t}>`));
  assert.deepEqual(words, HOSTILE);
});

test('parser: and-or lists, pipelines, redirections, assignments', () => {
  const s = parseScript("sudo install -D -m 0600 /dev/null '/etc/a b' && sudo tee '/etc/a b' >/dev/null; x || y | z 2>&1");
  assert.equal(s.length, 2);
  assert.deepEqual(s[0].first.commands[0].words, ['sudo', 'install', '-D', '-m', '0600', '/dev/null', '/etc/a b']);
  assert.equal(s[0].rest[0].op, '&&');
  assert.deepEqual(s[0].rest[0].pipeline.commands[0].redirects, [{ fd: 1, op: '>', target: '/dev/null' }]);
  assert.equal(s[1].rest[0].op, '||');
  assert.equal(s[1].rest[0].pipeline.commands.length, 2);
  assert.deepEqual(s[1].rest[0].pipeline.commands[1].redirects, [{ fd: 2, op: '>&', target: '1' }]);
  const a = parseScript('A=1 B="x y" env').at(0)!.first.commands[0];
  assert.deepEqual(a.assigns, { A: '1', B: 'x y' });
  assert.throws(() => parseScript('echo $(id)'), /command substitution/);
  assert.throws(() => parseScript("echo 'open"), /matching/);
});

let fleet: Fleet;
let c: SimClient;
before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 11 });
  c = await connect(fleet, 'k8s-vm-1');
});
after(async () => {
  c?.close();
  await fleet?.stop();
});

test('over SSH: operators, exit statuses and unknown commands', async () => {
  assert.deepEqual(await c.run('true && echo yes || echo no'), { code: 0, signal: null, stdout: 'yes\n', stderr: '' });
  assert.equal((await c.run('false && echo yes || echo no')).stdout, 'no\n');
  assert.equal((await c.run('false; echo $?')).stdout, '1\n');
  assert.equal((await c.run('! false')).code, 0);
  const unknown = await c.run('frobnicate --now');
  assert.deepEqual([unknown.code, unknown.stdout, unknown.stderr], [127, '', 'bash: line 1: frobnicate: command not found\n']);
  const sudoUnknown = await c.run('sudo frobnicate');
  assert.deepEqual([sudoUnknown.code, sudoUnknown.stderr], [1, 'sudo: frobnicate: command not found\n']);
  assert.equal((await c.run("echo 'unterminated")).code, 2);
});

test('over SSH: stdin reaches the right process, redirections, sudo and env', async () => {
  const w = await c.run("sudo install -D -m 0600 /dev/null '/etc/kloudspot/a b.txt' && sudo tee '/etc/kloudspot/a b.txt' >/dev/null", 'line 1\nline 2\n');
  assert.deepEqual([w.code, w.stdout, w.stderr], [0, '', '']);
  assert.equal((await c.run("cat '/etc/kloudspot/a b.txt'")).stderr, 'cat: /etc/kloudspot/a b.txt: Permission denied\n');
  assert.equal((await c.run("sudo cat '/etc/kloudspot/a b.txt'")).stdout, 'line 1\nline 2\n');
  assert.equal(fleet.node('k8s-vm-1').state.files.get('/etc/kloudspot/a b.txt')?.mode, 0o600);
  assert.equal((await c.run('tee /etc/x', 'data')).stderr, 'tee: /etc/x: Permission denied\n');
  assert.equal((await c.run('sudo cat /nonexistent 2>&1')).stdout, 'cat: /nonexistent: No such file or directory\n');
  assert.equal((await c.run('sudo cat /nonexistent 2>/dev/null')).stderr, '');
  assert.equal((await c.run('whoami; sudo whoami; sudo env A=1 env | grep ^A=')).stdout, 'kloudspot\nroot\nA=1\n');
  assert.equal((await c.run('echo hello | grep -c hello')).stdout, '1\n');
  assert.equal((await c.run('test -e /etc/hosts && echo yes; test -e /nope || echo no; [ -e /etc/hostname ] && echo y2')).stdout, 'yes\nno\ny2\n');
});

test('over SSH: command -v is a builtin: a path, or nothing and status 1', async () => {
  assert.deepEqual(await c.run('command -v kloudspot'), { code: 1, signal: null, stdout: '', stderr: '' });
  assert.equal((await c.run('command -v apt-get')).stdout, '/usr/bin/apt-get\n');
  assert.equal((await c.run('command -v command')).stdout, 'command\n');
  assert.equal((await c.run('sudo command -v kloudspot')).stderr, 'sudo: command: command not found\n');
  assert.equal((await c.run(`${shellQuote('echo')} ${shellQuote("it's")}`)).stdout, "it's\n");
});
