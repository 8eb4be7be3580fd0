// The `kloudspot init` prompt table (src/activities/commands/kloudspot-init.ts) against the seed's transcript, and
// the PTY dialogue (src/activities/ssh-pty.ts) over real SSH to a simulated node's sshd: every seed prompt is
// answered from the spec, an unknown prompt ends the command naming it (sanitised), and nothing hangs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim';
import { NodeServer, ed25519KeyPair, type ExecRequest } from '../../src/sim/ssh-server';
import { initValuesMismatches, parseInitValues, promptLine, replyTo, shownPrompt, type InitAnswers } from '../../src/activities/commands/kloudspot-init';
import { SshPool, type SshTarget } from '../../src/activities/ssh';
import { DialogueError } from '../../src/activities/ssh-pty';

const answers: InitAnswers = {
  dnsHostname: 'dibble.net', customer: 'steve',
  features: { kloudManage: false, kloudInsights: false, kloudHybrid: true },
  storage: { elasticsearch: 10, streamState: 11, insightsDatabase: 12, kafka: 2, zookeeper: 3 },
  blockDevices: {
    cluster1: 'blockdevice-b168c57f62054cfea8ee52cbde230d77', cluster2: 'blockdevice-124ba28ef2874c3aa2a94967ccda6000',
    cluster3: 'blockdevice-04f218481b2c48b3aa2dd1f1767c4823',
  },
};
const reply = (prompt: string) => replyTo(promptLine(prompt), answers);
const text = (prompt: string) => {
  const r = reply(prompt);
  assert.equal(r.kind, 'answer', `${prompt}: ${JSON.stringify(r)}`);
  return (r as { text: string }).text;
};

test('every prompt of the seed\'s kloudspot init transcript is answered from the spec and the pool', () => {
  // The seed's lines, prompt and typed answer on one line: the prompt is what precedes the answer.
  const seed = readFileSync(join(__dirname, '..', 'fixtures', 'kloudspot-init-seed.txt'), 'utf8').split('\n');
  const asked = seed.filter((l) => /^(which blockdevice|Do you want to add ssl|\? )/.test(l));
  assert.equal(asked.length, 13, asked.join('\n'));
  for (const line of asked.filter((l) => !/ssl (key|ssl cert) filepath/.test(l))) {
    const typed = /^Do you want/.test(line) ? '' : line.split(/\s+/).pop()!;
    const prompt = typed ? line.slice(0, line.lastIndexOf(typed)) : line;
    const answer = text(prompt);
    if (/blockdevice/.test(line) || /DNS Hostname|Customer Reference/.test(line)) assert.equal(answer, typed, line);
  }
  assert.equal(text('which blockdevice do you want to use for node cluster2? '), answers.blockDevices.cluster2);
  assert.equal(text('Do you want to add ssl certificate? y/n '), 'n', 'the key never goes to a file on the node');
  assert.equal(text('? Enable Kloudhybrid (y/N) '), 'y');
  assert.equal(text('? Enable KloudManage (y/N) '), 'n');
  assert.equal(text('? Stream processing elasticsearch (GB) '), '10');
  assert.equal(text('? Kloudinsights database (GB) (10) '), '12');
  assert.equal(text('? Zookeeper coordinator (GB) '), '3');
  assert.equal(text('? DNS Hostname (kloudspot.local) '), 'dibble.net');
  // survey's colours and redraws around the same prompt.
  assert.equal(text('\u001b[1;92m? \u001b[0m\u001b[1;99mCustomer Reference \u001b[0m'), 'steve');
  assert.equal(text('junk\r\u001b[2K? Enable KloudInsights [? for help] (y/N) '), 'n');
});

test('a prompt the table does not know, or one it will not answer, is never guessed', () => {
  assert.deepEqual(reply('? Enter admin password: '), { kind: 'unknown' });
  assert.deepEqual(reply('? DNS Hostname please '), { kind: 'unknown' }, 'strict: a longer prompt is another prompt');
  assert.deepEqual(reply('which blockdevice do you want to use for node cluster1 ? extra'), { kind: 'unknown' });
  assert.equal(reply('which blockdevice do you want to use for node cluster9 ? ').kind, 'refuse', 'no pool device for that node');
  assert.equal(reply('? Enter ssl key filepath: ').kind, 'refuse', 'asked for a key file after n');
  assert.equal(reply('').kind, 'unknown');
});

test('hostile prompt text is sanitised before it is matched or shown', () => {
  const hostile = '\u001b]52;c;ZXZpbA==\u0007\u001b[31m? Wipe disks?\u0000\u202e (y/N)\u0007 ' + 'x'.repeat(500);
  const shown = shownPrompt(hostile);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(shown, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
  assert.ok(shown.length < 220, shown);
  assert.match(shown, /^"\? Wipe disks\? \(y\/N\) x+\.\.\."$/);
  assert.equal(reply(hostile).kind, 'unknown');
});

test('the read-back names each value the written file gets wrong, the node\'s text sanitised', () => {
  const file = (hostname: string, es = '10Gi') => [
    'global:', `  hostname: ${JSON.stringify(hostname)}`, '  customerRef: "steve"',
    'features:', '  kloudManage: false', '  kloudInsights: false', '  kloudHybrid: true',
    'storage:', '  volumes:', `    elasticsearch: ${JSON.stringify(es)}`, '    insightsDatabase: "12Gi"', '',
  ].join('\n');
  assert.deepEqual(initValuesMismatches(parseInitValues(file('dibble.net')), answers), []);
  assert.deepEqual(initValuesMismatches(parseInitValues(file('other.net', '9Gi')), answers), [
    'global.hostname is "other.net", the spec says "dibble.net"', 'storage.volumes.elasticsearch is "9Gi", the spec says "10Gi"',
  ]);
  const [m] = initValuesMismatches(parseInitValues(file('\u001b]52;c;eA==\u0007evil')), answers);
  assert.equal(m, 'global.hostname is "evil", the spec says "dibble.net"');
  assert.ok(initValuesMismatches(parseInitValues('global: {}\n'), answers).includes('storage.volumes.elasticsearch is missing'));
});

// A node whose sshd runs a scripted interactive program on a PTY.
let fleet: Fleet;
let pool: SshPool;
let server: NodeServer;
let script: (req: ExecRequest) => Promise<number>;
before(async () => {
  fleet = await startFleet({ nodes: 3, seed: 61, latency: 'fast' });
  pool = new SshPool({ killGraceMs: 200 });
  const node = fleet.fleetNodes[0];
  server = new NodeServer(node.state, 0, ed25519KeyPair().private, fleet.clientKey, fleet.spec.ssh.user, (req) => script(req));
  await server.listen();
});
after(async () => {
  await pool?.closeAll();
  await server?.close();
  server?.dropAll();
  await fleet?.stop();
});
const target = (): SshTarget => ({ node: 'scripted', host: fleet.fleetNodes[0].address, port: server.boundPort(), username: fleet.spec.ssh.user, privateKeyFile: fleet.keyFile });

test('over a PTY: known prompts answered in turn, an unknown one stops the command and is named, sanitised', async () => {
  const typed: string[] = [];
  script = async (req) => {
    if (!req.tty) { req.err('no tty\n'); return 1; }
    for (const q of ['? DNS Hostname ', '? Enable Kloudhybrid (y/N) ', '\u001b[31m? Root password:\u0007 ']) {
      req.out(q);
      const line = await req.stdin.readLine();
      if (line === null) return 1;
      typed.push(line);
    }
    return 0;
  };
  const started = Date.now();
  const err = await pool.dialogue(target(), 'fake-init', { reply: (p) => replyTo(p, answers), promptTimeoutMs: 10_000, unknownAfterMs: 300 }).then(
    () => assert.fail('an unknown prompt must not be answered'), (e: unknown) => e);
  assert.ok(err instanceof DialogueError, String(err));
  assert.equal(err.why, 'unknown-prompt');
  assert.match(err.message, /it asked "\? Root password:", a prompt the installer does not know/);
  assert.deepEqual(typed, ['dibble.net', 'y'], 'the two known prompts were answered, the unknown one was not');
  assert.deepEqual(err.transcript.map((t) => t.answer), ['dibble.net', 'y']);
  assert.ok(Date.now() - started < 8_000, 'stopped, not waited out');
});

test('over a PTY: a command that never asks again ends at the prompt timeout, not in a hang', async () => {
  script = async (req) => {
    // The seed's progress line, left unfinished: waited on (not an unknown prompt), up to the prompt timeout.
    req.out('CSPI up now!\n\u001b[1mWaiting for all CSPI UP...');
    await new Promise((resolve) => req.signal.addEventListener('abort', resolve, { once: true }));
    return 1;
  };
  const err = await pool.dialogue(target(), 'fake-init', { reply: (p) => replyTo(p, answers), promptTimeoutMs: 1500, unknownAfterMs: 200 }).then(
    () => assert.fail('must not resolve'), (e: unknown) => e);
  assert.ok(err instanceof DialogueError);
  assert.equal(err.why, 'prompt-timeout', err.message);
  assert.match(err.message, /no prompt and no end within 1500 ms after 0 answer\(s\); last line "Waiting for all CSPI UP\.\.\."/);
});

test('over a PTY: an answer marked secret reaches the program only; its terminal echo and the transcript are redacted', async () => {
  const secret = 'pw-7f3a9c-secret';
  let received: string | null = null;
  script = async (req) => {
    req.out('? Admin password ');
    received = await req.stdin.readLine();
    req.out(`stored ${received}\n`);
    return 0;
  };
  const r = await pool.dialogue(target(), 'fake-init', {
    reply: (p) => (p === '? Admin password' ? { kind: 'answer', id: 'password', text: secret, secret: true } : { kind: 'unknown' }), promptTimeoutMs: 5_000,
  });
  assert.equal(r.code, 0);
  assert.equal(received, secret, 'the program got the answer');
  assert.ok(!r.output.includes(secret), r.output);
  assert.match(r.output, /stored \[REDACTED\]/);
  assert.deepEqual(r.transcript, [{ prompt: '? Admin password', answer: '[REDACTED]' }]);
});
