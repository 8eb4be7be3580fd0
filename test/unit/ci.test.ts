// CI and the README cannot drift: .ci/run runs exactly the README's test command, every npm script that
// command names exists, and setup installs every Debian package the tests look for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

test('.ci/run runs exactly the README quick start\'s test command, and the scripts it names exist', () => {
  const quickStart = /## Quick start\n+```sh\n([\s\S]*?)```/.exec(read('README.md'))?.[1];
  assert.ok(quickStart, 'README has a Quick start code block');
  const line = quickStart.split('\n').find((l) => /npm test\b/.test(l));
  assert.ok(line, 'the Quick start has a test command');
  const command = line.replace(/\s+#.*$/, '').trim();
  const ciCommands = read('.ci/run').split('\n').filter((l) => /^\s*npm /.test(l)).map((l) => l.trim());
  assert.deepEqual(ciCommands, [command], '.ci/run runs the README command and nothing else');

  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  for (const m of command.matchAll(/npm run ([\w:-]+)/g)) assert.ok(scripts[m[1]], `package.json has a "${m[1]}" script`);
  for (const tier of ['unit', 'sim', 'integration', 'e2e']) assert.match(scripts[`test:${tier}`] ?? '', new RegExp(`test/${tier}`), `test:${tier} runs test/${tier}`);
  assert.match(scripts.lint, /eslint/);
});

test('npm run setup installs every Debian package the tests and the testbed use', () => {
  const setup = read('scripts/setup.sh');
  const listed = [...setup.matchAll(/^ {2}"([a-z0-9-]+):/gm)].map((m) => m[1]);
  for (const name of ['openssh-server', 'chromium', 'openssl', 'debootstrap', 'systemd-container', 'dnsmasq-base', 'apt-cacher-ng', 'postgresql', 'iproute2']) {
    assert.ok(listed.includes(name), `scripts/setup.sh installs ${name}`);
  }
  // The e2e tests look for these binaries; each comes from a listed package.
  assert.match(read('test/helpers/openssh.ts'), /\/usr\/sbin\/sshd/);
  assert.match(read('test/e2e/webui.test.ts'), /\/usr\/bin\/chromium/);
});
