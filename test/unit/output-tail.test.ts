// The SSH layer's output helpers: redaction across chunk boundaries and bounded tails (pure; the SSH layer
// itself runs against a real sshd in test/e2e/ssh-openssh.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputTail, StreamRedactor } from '../../src/activities/output-tail';

test('output helpers: secrets split at any byte are caught; tails never split a UTF-8 character', () => {
  const secret = 'pa55-wörd';
  const text = `a ${secret} b ${secret}${secret} é€😀`;
  const bytes = Buffer.from(text);
  for (let cut = 1; cut < bytes.length; cut++) {
    const r = new StreamRedactor([secret, 'pa55']);
    const out = r.push(bytes.subarray(0, cut)) + r.push(bytes.subarray(cut)) + r.flush();
    assert.equal(out, 'a [REDACTED] b [REDACTED][REDACTED] é€😀', `cut at ${cut}`);
  }
  for (const max of [64, 65, 66, 67, 100]) {
    const t = new OutputTail(max);
    for (let i = 0; i < 200; i++) t.push('é€😀');
    const s = t.toString();
    assert.ok(Buffer.byteLength(s) <= max, `${max}: ${Buffer.byteLength(s)}`);
    assert.ok(!s.includes('\uFFFD'));
    assert.match(s, /^\[\.\.\. \d+ bytes cut\]\n/);
  }
});
