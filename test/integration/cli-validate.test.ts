// `kloudspot-installer validate` as a user runs it, in a child process (no server needed, but each case pays a
// CLI start, so these live outside the fast unit tier; the spec rules themselves are test/unit/site-spec.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'ks-spec-'));
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'site.yaml');
const example = readFileSync(EXAMPLE, 'utf8');

test('examples/site.yaml is valid and the CLI says so', async () => {
  const r = await runCli(['validate', EXAMPLE]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'OK: acme-hq (4 nodes: 3 managers, 1 workers)\n');
});

// The CLI: bad input exits 2, names the path, prints no stack trace.
const cliCases: [string, string, RegExp][] = [
  ['empty file', '', /is empty/],
  ['comment-only file', '# nothing here\n', /is empty/],
  ['YAML syntax error', 'site: acme\n  customer: [x\n', /YAML syntax error at line 2, column \d+/],
  ['a list instead of a mapping', '- a\n- b\n', /not a mapping/],
  ['a bad field', example.replace('virtualIp: 192.168.1.50', 'virtualIp: 192.168.1.106'), /virtualIp: .*is the address of nodes\[0\]/],
  ['several problems at once', example.replace('site: acme-hq', 'site: ACME').replace('kafka: 2', 'kafka: two'), /site: .*\n.*storage\.kafka/s],
];
for (const [name, text, expect] of cliCases) {
  test(`validate exits 2 on ${name}`, async () => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, text);
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, expect);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '');
  });
}

test('validate exits 2 on a missing file and names it', async () => {
  const r = await runCli(['validate', join(dir, 'nope.yaml')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.yaml: 1 problem:\n  - does not exist/);
});
