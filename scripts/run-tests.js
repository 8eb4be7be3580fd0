#!/usr/bin/env node
// `npm test`: the test tiers in order, through node's test runner with tsx, each tier timed.
//   test/unit         pure, no server: the fast loop (`npm run test:unit`), under 15 s; all in one process
//   test/sim          the simulator's own tests (simulated nodes over real SSH, no Temporal)
//   test/integration  a Temporal dev server, a worker and simulated nodes
//   test/e2e          real OpenSSH, the Web UI in Chromium, the chaos variant, real nodes, the PostgreSQL stack
// Arguments: tier folders (run only those, in the order given) and/or substrings of file paths
// (`npm test -- install`). A failing unit tier stops the run: the slow tiers would only repeat its news.
// Integration files each start their own dev server, so files run two at a time on this 2-core machine.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join, relative, sep } = require('node:path');
const { spawnSync } = require('node:child_process');

const TIERS = ['test/unit', 'test/sim', 'test/integration', 'test/e2e'];
const UNIT_BUDGET_S = 15;

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : name.endsWith('.test.ts') ? [p] : [];
  });
}

const root = join(__dirname, '..');
process.chdir(root);
const args = process.argv.slice(2);
const isDir = (a) => existsSync(a) && statSync(a).isDirectory();
const tierOf = (dir) => relative(root, join(root, dir)).split(sep).join('/');
const tiers = args.filter(isDir).map(tierOf);
const filters = args.filter((a) => !isDir(a));
for (const t of tiers) {
  if (!TIERS.includes(t)) {
    console.error(`run-tests: ${t} is not a test tier; use one of ${TIERS.join(', ')}`);
    process.exit(2);
  }
}

// Every test file belongs to a tier: a file elsewhere would silently escape `npm run test:unit` and CI's order.
const stray = find('test').filter((f) => !TIERS.some((t) => f.startsWith(t + sep)));
if (stray.length > 0) {
  console.error(`run-tests: ${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} in no tier; move ${stray.length === 1 ? 'it' : 'them'} (git mv) into ` +
    'test/unit (pure, no server), test/integration (dev server + simulated nodes) or test/e2e (real OpenSSH, Chromium, real nodes, PostgreSQL)');
  process.exit(2);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const results = [];
let failed = false;
for (const tier of tiers.length > 0 ? tiers : TIERS) {
  const files = find(tier).sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
  if (files.length === 0) continue;
  const started = process.hrtime.bigint();
  // Unit files are pure: one process for all of them (scripts/load-tests.js). The others, one process per file.
  const runner = tier === 'test/unit' ? [join(__dirname, 'load-tests.js')] : ['--test', `--test-concurrency=${concurrency}`];
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test-reporter=spec', ...runner, ...files], { stdio: 'inherit' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const ok = r.status === 0;
  results.push({ tier, files: files.length, seconds, ok });
  console.log(`\n${tier}: ${files.length} files in ${seconds.toFixed(1)} s, ${ok ? 'passed' : 'FAILED'}\n`);
  if (!ok) failed = true;
  if (!ok && tier === 'test/unit') break;
}

if (results.length === 0) {
  console.error(`run-tests: no test file matches ${filters.join(', ')}`);
  process.exit(2);
}
console.log('tier summary:');
for (const r of results) {
  const budget = r.tier === 'test/unit' && filters.length === 0 ? ` (budget ${UNIT_BUDGET_S} s${r.seconds > UNIT_BUDGET_S ? ': OVER' : ''})` : '';
  console.log(`  ${r.tier.padEnd(17)} ${String(r.files).padStart(3)} files ${r.seconds.toFixed(1).padStart(7)} s  ${r.ok ? 'passed' : 'FAILED'}${budget}`);
}
process.exit(failed ? 1 : 0);
