// `npm run chaos [-- --seed N --sites 3 --kills 10 --reboots 4 --restarts 2 ...]`: installs several sites
// at once while the worker is `kill -9`ed (mid-command, right after an effect, at random), the Temporal dev
// server is restarted on its database file, nodes reboot, connections drop, a command hangs, commands fail
// for a while, and answers arrive twice, late, or for steps that are not waiting. Then it checks that every
// install completed, that the machines are as a clean install leaves them, and that no change happened twice.
// The seed fixes the plan (which faults, kill kinds, pauses, reboot and restart times); the interleaving
// with real processes still varies from run to run. Last line: the figures (docs/reliability.md).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { generateKeyFile, readCodecKeyFile } from '../src/codec/codec';
import { createDataConverter } from '../src/codec/data-converter';
import { startInstall } from '../src/client/installs';
import { startFleet, type Fleet } from '../src/sim';
import { Rng } from '../src/sim/random';
import { freePort, startDevServer, type DevServer, type DevServerOptions } from '../src/temporal/dev-server';
import { installerBundle } from '../src/worker/worker';
import type { InstallStatus } from '../src/workflows/api';
import { Answerer, newAnswerStats } from './chaos-answers';
import { commandStats, duplicatedEffects, finalStateProblems, type Duplicate } from './chaos-checks';
import { NetworkCuts, armCommandFaults, hookAudit, type AuditListener } from './chaos-faults';
import { KillController, killPlan } from './chaos-kills';
import { WorkerSupervisor } from './chaos-supervisor';

interface ChaosFlags {
  seed?: string; sites: string; nodes: string; kills: string; reboots: string; restarts: string; cuts: string; faultRate: string;
  commandTimeout: string; latencyScale: string; window: string; timeout: string; dir?: string; commandFaults: boolean;
}
const o = new Command('chaos')
  .option('--seed <n>', 'seed of the fault plan (default: random, printed)')
  .option('--sites <n>', 'installs run at once, one simulated fleet each', '3')
  .option('--nodes <n>', 'nodes per site', '3')
  .option('--kills <n>', 'kill -9 of the worker', '10')
  .option('--reboots <n>', 'nodes rebooted at random moments', '4')
  .option('--restarts <n>', 'restarts of the Temporal dev server', '2')
  .option('--cuts <n>', 'network cuts in the middle of long commands', '3')
  .option('--no-command-faults', 'arm no command faults (a baseline run)')
  .option('--fault-rate <p>', 'share of all commands given a random fault', '0.01')
  .option('--command-timeout <ms>', 'the worker\'s default per-command timeout', '8000')
  .option('--latency-scale <x>', 'simulated node speed (1 = realistic: a 3-node install is ~30 s of node work)', '0.25')
  .option('--window <s>', 'server restarts, reboots and network cuts fall in the first this many seconds of the installs', '150')
  .option('--timeout <s>', 'give up after this many seconds', '840')
  .option('--dir <dir>', 'keep the run\'s files (dev server db, worker log, keys) here')
  .parse(process.argv)
  .opts<ChaosFlags>();

const seed = o.seed !== undefined ? Number(o.seed) : Math.floor(Math.random() * 1e6);
const n = {
  sites: Number(o.sites), nodes: Number(o.nodes), kills: Number(o.kills), reboots: Number(o.reboots), restarts: Number(o.restarts), cuts: Number(o.cuts),
};
const numbers = {
  seed, ...n, faultRate: Number(o.faultRate), commandTimeout: Number(o.commandTimeout), latencyScale: Number(o.latencyScale),
  window: Number(o.window), timeout: Number(o.timeout),
};
for (const [k, v] of Object.entries(numbers)) {
  if (!Number.isFinite(v) || v < 0) { process.stderr.write(`chaos: --${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a non-negative number\n`); process.exit(2); }
}
if (n.sites < 1 || n.nodes < 3) { process.stderr.write('chaos: at least 1 site of at least 3 nodes\n'); process.exit(2); }
const rng = new Rng(seed);
const t0 = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What must not outlive an interrupted run (Ctrl-C): the worker child and the dev server. */
const onInterrupt: (() => void)[] = [];
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    process.stderr.write(`chaos: ${sig}, stopping the worker and the dev server\n`);
    for (const f of onInterrupt) { try { f(); } catch { /* going anyway */ } }
    process.exit(130);
  });
}

interface Site { fleet: Fleet; handle?: WorkflowHandle; answerer: Answerer; done: boolean; result?: InstallStatus; error?: string }

async function main(): Promise<number> {
  process.stdout.write(`chaos: seed ${seed} (repeat: npm run chaos -- --seed ${seed} --sites ${n.sites} --kills ${n.kills} --reboots ${n.reboots} --restarts ${n.restarts} --window ${o.window})\n`);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = o.dir ? resolve(o.dir) : mkdtempSync(join(tmpdir(), 'ks-chaos-'));
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, `codec-keys-${seed}-${Date.now()}.json`);
  generateKeyFile(keyFile);
  const dataConverter = createDataConverter(readCodecKeyFile(keyFile));
  const bundleFile = join(dir, 'workflow-bundle.js');
  writeFileSync(bundleFile, (await installerBundle()).code);

  // The dev server keeps its state in a file, so a restart on the same port continues every install.
  const serverOpts: DevServerOptions = { dbFilename: join(dir, `temporal-${seed}-${Date.now()}.db`), port: await freePort(), uiPort: false, startTimeoutMs: 120_000 };
  let server: DevServer = await startDevServer(serverOpts);
  onInterrupt.push(() => server.process.kill('SIGKILL'));
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter });
  say(`dev server on ${server.address}, data in ${serverOpts.dbFilename}`);

  const answerStats = newAnswerStats();
  const sites: Site[] = [];
  const listeners = new Set<AuditListener>();
  const active = (fleet: Fleet) => sites.some((s) => s.fleet === fleet && !s.done);
  for (let i = 0; i < n.sites; i++) {
    const site = `chaos-${i + 1}`;
    const fleet = await startFleet({
      nodes: n.nodes, site, seed: seed * 100 + i, latency: 'realistic', latencyScale: Number(o.latencyScale),
      severalBlockDevices: [rng.int(0, n.nodes - 1)], dir: join(dir, site), confirmHostKeys: true,
    });
    hookAudit(fleet, listeners);
    const armed = o.commandFaults ? armCommandFaults(fleet, rng.derive(`faults-${i}`), Number(o.faultRate)) : ['none'];
    say(`${site}: ${n.nodes} nodes on ${fleet.spec.nodes[0].address}..; faults: ${armed.join('; ')}`);
    sites.push({ fleet, done: false, answerer: new Answerer(client, site, fleet.spec.dnsHostname, rng.derive(`answers-${i}`), answerStats, say) });
  }

  const supervisor = new WorkerSupervisor({
    logFile: join(dir, 'worker.log'), say,
    env: { CHAOS_ADDRESS: server.address, CHAOS_CODEC_KEY_FILE: keyFile, CHAOS_BUNDLE: bundleFile, CHAOS_POLL_MS: '100', CHAOS_COMMAND_TIMEOUT_MS: o.commandTimeout },
  });
  onInterrupt.push(() => supervisor.killNow());
  await supervisor.startWithRetry();
  say(`worker up (a child process; log ${join(dir, 'worker.log')})`);
  const kills = new KillController(supervisor, rng.derive('kill-moments'), say, active);
  const cuts = new NetworkCuts(rng.derive('cuts'), say, active);
  listeners.add(kills);
  listeners.add(cuts);

  for (const s of sites) s.handle = await startInstall(client, s.fleet.spec);
  say(`started ${sites.length} installs`);
  const allDone = () => sites.every((s) => s.done);
  const answering = sites.map((s) => s.answerer.run(() => s.done));
  const deadline = t0 + Number(o.timeout) * 1000;

  // kill -9, then a random pause, then a new worker: the plan's kinds in order.
  const killing = (async () => {
    const plan = killPlan(rng.derive('kill-plan'), n.kills);
    const krng = rng.derive('kill-times');
    for (let i = 0; i < plan.length && !allDone(); i++) {
      while (!supervisor.up && !allDone()) await sleep(100);
      await sleep(krng.int(2000, 9000));
      if (allDone()) break;
      const rec = await kills.killOnce(plan[i], i + 1);
      if (!rec) break;
      const pause = krng.int(300, 4000);
      say(`kill -9 #${supervisor.kills} (${rec.what}); worker back in ${(pause / 1000).toFixed(1)} s`);
      await sleep(pause);
      await supervisor.startWithRetry();
    }
  })();

  // Server restarts, reboots, network cuts and answers for steps nobody asked about, at planned times.
  let restarts = 0;
  let reboots = 0;
  const planned: Promise<void>[] = [];
  const at = (ms: number, fn: () => Promise<void> | void) => planned.push(sleep(ms).then(() => (allDone() ? undefined : fn())));
  const srng = rng.derive('schedule');
  const windowMs = Number(o.window) * 1000;
  for (let i = 0; i < n.restarts; i++) {
    // Spread over the window, one restart per slice, never in the first seconds (the installs just began).
    at(Math.max(10_000, Math.round(windowMs * (i + 0.2 + 0.6 * srng.next()) / n.restarts)), async () => {
      const down = srng.int(1000, 5000);
      say(`stopping the dev server (back in ${(down / 1000).toFixed(1)} s on the same port and database)`);
      await server.stop();
      await sleep(down);
      server = await startDevServer(serverOpts);
      restarts++;
      say('dev server restarted');
    });
  }
  for (let i = 0; i < n.reboots; i++) {
    at(srng.int(3_000, windowMs), () => {
      const running = sites.filter((s) => !s.done);
      if (running.length === 0) return;
      const s = srng.pick(running);
      const node = srng.pick(s.fleet.spec.nodes).name;
      s.fleet.faults.reboot(node);
      reboots++;
      say(`rebooting ${s.fleet.spec.site}/${node} (as if by itself)`);
    });
  }
  for (let i = 0; i < n.cuts; i++) at(srng.int(5_000, windowMs), () => cuts.arm());
  for (const s of sites) at(srng.int(5_000, Math.max(6_000, windowMs / 2)), () => s.answerer.notPending(srng.pick(s.fleet.spec.nodes).name));

  // Wait for every install to end, through server restarts.
  const progress = setInterval(() => {
    say(`progress: ${sites.map((s) => `${s.fleet.spec.site} ${s.done ? (s.result?.state ?? 'failed') : 'running'}`).join(', ')}; ${supervisor.kills} kills, ${restarts} restarts, ${reboots} reboots`);
  }, 30_000);
  await Promise.all(sites.map(async (s) => {
    while (!s.done) {
      if (Date.now() > deadline) { s.error = 'timed out'; s.done = true; break; }
      try {
        const d = await s.handle!.describe();
        if (d.status.name === 'RUNNING') { await sleep(1000); continue; }
        s.result = await s.handle!.result() as InstallStatus;
        s.done = true;
        say(`${s.fleet.spec.site}: install ${s.result.state}`);
      } catch (err) {
        if (err instanceof WorkflowFailedError) { s.error = err.cause?.message ?? err.message; s.done = true; say(`${s.fleet.spec.site}: install FAILED: ${s.error}`); } else await sleep(1000);
      }
    }
  }));
  clearInterval(progress);
  kills.cancel();
  await killing;
  await Promise.all(planned);
  await Promise.all(answering);

  // The verdict, from the machines themselves.
  const failures: string[] = [];
  const duplicates: Duplicate[] = [];
  let faults = cuts.done;
  for (const s of sites) {
    const site = s.fleet.spec.site;
    if (s.result?.state !== 'completed') {
      failures.push(`${site}: install ${s.error ?? s.result?.state ?? 'did not end'}`);
      const st = await s.handle!.query<InstallStatus>('status').catch(() => undefined);
      if (st) failures.push(`${site}: phase ${st.phase}, state ${st.state}; questions: ${st.questions.map((q) => `${q.kind} ${q.step ?? q.node ?? ''}: ${q.prompt.slice(0, 200)}`).join(' | ') || 'none'}; nodes: ${st.nodes.map((x) => `${x.name} ${x.step} ${x.state}`).join(', ')}`);
    } else {
      for (const p of finalStateProblems(s.fleet, s.answerer.chosen, s.answerer.certificate !== undefined)) failures.push(`${site}: ${p}`);
    }
    const dups = duplicatedEffects(site, s.fleet);
    duplicates.push(...dups);
    if (dups.length || failures.some((f) => f.startsWith(`${site}:`))) {
      writeFileSync(join(dir, `audit-${site}.jsonl`), s.fleet.audit().map((e) => JSON.stringify(e)).join('\n') + '\n');
    }
    faults += s.fleet.faults.fired.length;
    const audit = s.fleet.audit();
    for (const f of s.fleet.faults.fired) {
      const e = audit.find((x) => x.node === f.node && x.command.includes(f.command) && x.start >= f.at - 50 && x.fault);
      const ended = e ? (e.exitCode !== null ? `exit ${e.exitCode}` : `ended by ${e.signal ?? '?'} after ${((e.end ?? Date.now()) - e.start) / 1000} s`) : '';
      say(`  ${site}/${f.node}: ${f.describe} on \`${f.command.slice(0, 80)}\`${ended ? ` (${ended})` : ''}`);
    }
    const c = commandStats(s.fleet);
    say(`${site}: ${c.commands} SSH commands, ${c.interrupted} cut off before their exit status, ${c.reranAfterInterruption} commands that change something ran again after a cut-off run, ${c.noOpRepeats} repeats of such commands changed nothing; faults fired: ${s.fleet.faults.fired.length}`);
  }
  const st = answerStats;
  say(`answers: ${st.answers} (${st.duplicates} sent twice at once, ${st.late} late, ${st.notPending} for steps not waiting, ${st.resent} resent while the server was down)`);
  if (st.failedSteps.size) say(`steps that failed after their retries and were answered retry: ${[...st.failedSteps].map(([k, v]) => `${k} x${v}`).join(', ')}`);
  say(`worker: ${supervisor.kills} kills (${kills.records.map((r) => r.mode).join(', ')}), ${supervisor.unexpectedExits} exits by itself`);
  for (const d of duplicates) say(`DUPLICATE on ${d.site}/${d.node}: "${d.effect}" x${d.count}`);
  for (const f of failures) say(`FAILED ${f}`);

  await supervisor.stop();
  await Promise.all(sites.map((s) => s.fleet.stop()));
  await connection.close();
  await server.stop();
  const ok = failures.length === 0 && duplicates.length === 0;
  if (ok && !o.dir) rmSync(dir, { recursive: true, force: true });
  else say(`run files kept in ${dir}`);
  process.stdout.write(`chaos: ${sites.length} installs, ${supervisor.kills} worker kills, ${restarts} server restarts, ${reboots} reboots, ${faults} faults, ${duplicates.length} duplicated side effects\n`);
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`chaos run failed: ${(err as Error).stack ?? err}\n`);
  // A crash of the run itself must not leave the worker or the dev server behind.
  for (const f of onInterrupt) { try { f(); } catch { /* exiting anyway */ } }
  process.exit(1);
});
