// The production image's build, as the Dockerfile does it: tsc with deploy/tsconfig.build.json, then the
// development-only code removed (src/client/dev-only.ts lists it). What is left must start, build the
// workflow bundle, and say "not in this build" for the commands that need what was removed.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_ONLY_PATHS } from '../../src/client/dev-only';

const ROOT = join(__dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'ks-build-'));
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: out, encoding: 'utf8', timeout: 120_000, env: { ...process.env, TEMPORAL_ADDRESS: undefined } });

before(() => {
  // tsc's own exit status also reflects type errors elsewhere; what matters here is what it emitted.
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'deploy', 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT, encoding: 'utf8' });
  assert.ok(existsSync(join(out, 'src', 'client', 'cli.js')), 'tsc emitted the CLI');
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const rm = /rm -rf (dist\/src\/sim[^\\\n]*)/.exec(dockerfile)?.[1] ?? '';
  for (const p of DEV_ONLY_PATHS) {
    assert.ok(rm.split(/\s+/).includes(`dist/${p}`), `the Dockerfile removes dist/${p}: ${rm}`);
    rmSync(join(out, p), { recursive: true, force: true });
    rmSync(join(out, `${p}.map`), { force: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
}, { timeout: 240_000 });
after(() => rmSync(out, { recursive: true, force: true }));

test('the production build leaves out the simulator, the demo and the throwaway certificates', () => {
  assert.equal(existsSync(join(out, 'src', 'sim')), false);
  assert.equal(existsSync(join(out, 'src', 'client', 'demo.js')), false);
  assert.equal(existsSync(join(out, 'src', 'client', 'certs.js')), false);
  // Nothing left behind still needs them.
  const left = spawnSync('grep', ['-rlE', "require\\(['\"](\\./|(\\.\\./)+)(client/)?(sim|certs|demo)['\"]\\)", join(out, 'src')], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  assert.deepEqual(left.map((f) => f.slice(out.length + 1)).sort(), ['src/client/commands/dev.js', 'src/client/commands/sim.js'], 'only the guarded loads remain');
});

test('in that build the CLI starts, and sim / dev --simulate say they are not in this build', () => {
  const help = node(['src/client/cli.js', '--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /setup/);
  for (const args of [['sim', '--nodes', '3'], ['dev', '--simulate', '3', '--dir', join(out, 'dev')]]) {
    const r = node(['src/client/cli.js', ...args]);
    assert.equal(r.status, 1, `${args[0]}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /is not in this build: the production image leaves out the node simulator, the demo and the throwaway-certificate code/);
    assert.doesNotMatch(r.stderr, /MODULE_NOT_FOUND|Cannot find module|\n\s+at /);
  }
  assert.equal(existsSync(join(out, 'dev', 'temporal.db')), false, 'dev --simulate stopped before starting a server');
});

test('in that build the workflow bundle is written, as the image build does', { timeout: 180_000 }, () => {
  const r = node(['src/worker/build-bundle.js', join(out, 'workflow-bundle.js')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Wrote workflow bundle/);
  assert.doesNotMatch(readFileSync(join(out, 'workflow-bundle.js'), 'utf8'), /src\/sim\//, 'the bundle has no simulator code');
});
