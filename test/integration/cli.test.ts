// Every CLI command as a user runs it: the real bin in a child process, against a real dev server with a
// worker in this process (the CLI and the worker share the test codec key) and simulated nodes.
// Exit codes as DESIGN.md section 6 says: 0 success, 1 a failed operation, 2 bad input; errors are one
// readable paragraph on stderr, with no stack trace unless --debug. `validate` is covered in site-spec.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim';
import { makeCertificate } from '../../src/client/certs';
import { installHandle } from '../../src/client/installs';
import type { InstallStatus, Question } from '../../src/workflows/api';
import { CLI, runCli, type CliResult } from '../helpers/cli';
import { TEST_CODEC_KEY_FILE, startInstallEnv, waitForQuestion, type InstallEnv } from '../helpers/install';

// Nothing from the developer's own shell may leak into the runs.
const CLEAN_ENV: NodeJS.ProcessEnv = {
  KLOUDSPOT_CODEC_KEY_FILE: undefined, KLOUDSPOT_CODEC_KEYS: undefined, KLOUDSPOT_UI_URL: undefined,
  TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined,
};
const cli = (args: string[], opts: { timeoutMs?: number } = {}): Promise<CliResult> =>
  runCli(args, { env: CLEAN_ENV, timeoutMs: opts.timeoutMs ?? 90_000 });

/** Runs `tasks` with at most `n` at a time (each CLI start costs a second of CPU on a 2-core machine). */
async function limited<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  }));
  return out;
}

function show(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** The exit code, and for failures the error contract: a message, one paragraph, no stack trace (`usage`: the help text instead). */
function expectExit(r: CliResult, code: number, what: string, stderr?: RegExp, opts: { usage?: boolean } = {}): void {
  assert.equal(r.code, code, `${what}: ${show(r)}`);
  if (code !== 0 && !opts.usage) {
    const text = r.stderr.trim();
    assert.ok(text.length > 0, `${what}: says why on stderr\n${show(r)}`);
    assert.doesNotMatch(text, /^\s+at .+:\d+/m, `${what}: no stack trace without --debug\n${show(r)}`);
    assert.doesNotMatch(text, /\n\s*\n/, `${what}: one paragraph on stderr\n${show(r)}`);
  }
  if (stderr) assert.match(r.stderr, stderr, `${what}: ${show(r)}`);
}

const dir = mkdtempSync(join(tmpdir(), 'ks-cli-'));
let env: InstallEnv;
let conn: string[];

describe('kloudspot-installer CLI', { concurrency: 2 }, () => {
  before(async () => {
    env = await startInstallEnv();
    conn = ['--address', env.h.server.address, '--codec-key-file', TEST_CODEC_KEY_FILE];
  });
  after(async () => {
    await env?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('install, status, watch, list, answer, upload-cert, self-signed, resolve, history, replay on two real installs', { timeout: 240_000 }, async () => {
    // Site a: a block-device question and a certificate upload. Site b: a failing step resolved with retry,
    // then the self-signed certificate; started with `install --watch`.
    const fa = await startFleet({ nodes: 3, site: 'cli-a', severalBlockDevices: [1], seed: 41 });
    const fb = await startFleet({ nodes: 3, site: 'cli-b', seed: 42 });
    const fleets: Fleet[] = [fa, fb];
    try {
      const fault = fb.faults.add({ kind: 'transient', node: 'k8s-vm-3', match: 'lvcreate', times: Infinity,
        error: { stderr: '  Volume group "ubuntu-vg" has insufficient free space (1279 extents): 5120 required.\n', code: 5 } });
      const specA = join(dir, 'cli-a.yaml');
      const specB = join(dir, 'cli-b.yaml');
      writeFileSync(specA, fa.specYaml());
      writeFileSync(specB, fb.specYaml());

      const started = await cli(['install', specA, ...conn]);
      expectExit(started, 0, 'install');
      assert.match(started.stdout, /^Started install\/cli-a for cli-a \(3 nodes: 3 managers, 0 workers\)$/m);
      assert.match(started.stdout, /kloudspot-installer watch cli-a/);
      const watchA = cli(['watch', 'cli-a', ...conn], { timeoutMs: 200_000 });
      const installB = cli(['install', specB, '--watch', ...conn], { timeoutMs: 200_000 });
      expectExit(await cli(['install', specA, ...conn]), 1, 'a second install of a running site', /install\/cli-a is already running/);

      const siteA = async () => {
        const handle = installHandle(env.client, 'cli-a');
        const bd = await waitForQuestion(handle, (q) => q.kind === 'blockDevice');
        assert.equal(bd.node, 'k8s-vm-2');
        const [json, human, list, wrong, noWatch, noAnswer] = await limited(3, [
          () => cli(['status', 'cli-a', '--json', ...conn]),
          () => cli(['status', 'cli-a', ...conn]),
          () => cli(['list', ...conn]),
          () => cli(['answer', 'cli-a', 'blockdevice', '--node', 'k8s-vm-2', '--device', 'blockdevice-nope', ...conn]),
          () => cli(['watch', 'nosuch', ...conn]),
          () => cli(['answer', 'nosuch', 'blockdevice', '--node', 'k8s-vm-2', '--device', bd.options![0], ...conn]),
        ]);

        // status --json: the status query's shape (DESIGN.md section 4).
        expectExit(json, 0, 'status --json');
        const s = JSON.parse(json.stdout) as InstallStatus;
        assert.equal(s.site, 'cli-a');
        assert.ok(['preflight', 'prepare-nodes', 'form-cluster', 'configure-storage', 'deploy-chart', 'done'].includes(s.phase), s.phase);
        assert.equal(s.state, 'waiting');
        assert.deepEqual(s.nodes.map((n) => n.name), ['k8s-vm-1', 'k8s-vm-2', 'k8s-vm-3']);
        for (const n of s.nodes) {
          assert.equal(typeof n.step, 'string');
          assert.ok(['pending', 'running', 'done', 'skipped', 'waiting', 'failed'].includes(n.state), n.state);
        }
        const q = s.questions.find((x: Question) => x.kind === 'blockDevice')!;
        assert.ok(q, 'the block-device question is listed');
        assert.equal(typeof q.id, 'string');
        assert.equal(q.node, 'k8s-vm-2');
        assert.match(q.prompt, /block devices/);
        assert.deepEqual(q.options, bd.options);
        assert.ok(!Number.isNaN(Date.parse(s.startedAt)) && !Number.isNaN(Date.parse(s.updatedAt)), 'startedAt and updatedAt are timestamps');

        expectExit(human, 0, 'status');
        assert.match(human.stdout, /^cli-a {2}phase configure-storage {2}waiting/m);
        assert.match(human.stdout, /Waiting for you:/);
        assert.match(human.stdout, new RegExp(`answer: kloudspot-installer answer cli-a blockdevice --node k8s-vm-2 --device ${bd.options![0]}`));

        expectExit(list, 0, 'list');
        assert.match(list.stdout, /^SITE +STATE +PHASE +STARTED +HEALTH +WAITING FOR$/m);
        assert.match(list.stdout, /^cli-a +running +configure-storage +\d{4}-\d\d-\d\d \d\d:\d\d +- +blockDevice k8s-vm-2$/m);

        expectExit(wrong, 2, 'a device that is not offered', /Refused: blockdevice-nope is not a candidate on k8s-vm-2; choose one of: /);
        expectExit(noWatch, 1, 'watch of an unknown site', /No install of site "nosuch"/);
        expectExit(noAnswer, 1, 'answer for an unknown site', /site "nosuch"/);

        const answered = await cli(['answer', 'cli-a', 'blockdevice', '--node', 'k8s-vm-2', '--device', bd.options![1], ...conn]);
        expectExit(answered, 0, 'answer blockdevice');
        assert.match(answered.stdout, new RegExp(`using ${bd.options![1]} on k8s-vm-2`));

        await waitForQuestion(handle, (x) => x.kind === 'certificate');
        const good = makeCertificate(fa.spec.dnsHostname);
        const other = makeCertificate('someone-else.example');
        const files = { goodCrt: join(dir, 'good.crt'), goodKey: join(dir, 'good.key'), otherCrt: join(dir, 'other.crt'), otherKey: join(dir, 'other.key') };
        writeFileSync(files.goodCrt, good.certificatePem);
        writeFileSync(files.goodKey, good.privateKeyPem, { mode: 0o600 });
        writeFileSync(files.otherCrt, other.certificatePem);
        writeFileSync(files.otherKey, other.privateKeyPem, { mode: 0o600 });
        const [otherHost, otherKey, missing] = await limited(3, [
          () => cli(['upload-cert', 'cli-a', '--cert', files.otherCrt, '--key', files.otherKey, ...conn]),
          () => cli(['upload-cert', 'cli-a', '--cert', files.goodCrt, '--key', files.otherKey, ...conn]),
          () => cli(['upload-cert', 'cli-a', '--cert', files.goodCrt, '--key', join(dir, 'no-such.key'), ...conn]),
        ]);
        expectExit(otherHost, 2, 'a certificate for another host', new RegExp(`does not cover ${fa.spec.dnsHostname.replace(/\./g, '\\.')}`));
        expectExit(otherKey, 2, 'a key that does not match the certificate', /private key does not match the certificate/);
        expectExit(missing, 2, 'a missing key file', /Cannot read the private key file .*no-such\.key: ENOENT/);
        const uploaded = await cli(['upload-cert', 'cli-a', '--cert', files.goodCrt, '--key', files.goodKey, ...conn]);
        expectExit(uploaded, 0, 'upload-cert');
        assert.match(uploaded.stdout, /certificate accepted/);
      };

      const siteB = async () => {
        const handle = installHandle(env.client, 'cli-b');
        const failure = await waitForQuestion(handle, (q) => q.kind === 'failure' && q.step === 'k8s-vm-3:shared-volume');
        const [badAction, wrongStep] = await limited(2, [
          () => cli(['resolve', 'cli-b', '--step', failure.step!, '--action', 'later', ...conn]),
          () => cli(['resolve', 'cli-b', '--step', 'k8s-vm-3:nothing', '--action', 'retry', ...conn]),
        ]);
        expectExit(badAction, 2, 'resolve with an unknown action', /--action must be retry, skip or abort \(or wait, force after a blocked drain\), not "later"/);
        expectExit(wrongStep, 2, 'resolve of the wrong step', /Refused: no failed step k8s-vm-3:nothing.*pending/);
        fb.faults.remove(fault);
        const resolved = await cli(['resolve', 'cli-b', '--step', failure.step!, '--action', 'retry', ...conn]);
        expectExit(resolved, 0, 'resolve --action retry');
        assert.match(resolved.stdout, /retry k8s-vm-3:shared-volume/);
        await waitForQuestion(handle, (q) => q.kind === 'certificate');
        const selfSigned = await cli(['self-signed', 'cli-b', ...conn]);
        expectExit(selfSigned, 0, 'self-signed');
        assert.match(selfSigned.stdout, /self-signed/);
      };
      await Promise.all([siteA(), siteB()]);

      // watch (not a terminal): one line per change, the questions with the command that answers them, a summary.
      const watched = await watchA;
      expectExit(watched, 0, 'watch');
      // eslint-disable-next-line no-control-regex -- the escape character is exactly what must be absent
      assert.doesNotMatch(watched.stdout, /\x1b\[/, 'no terminal escapes when stdout is not a TTY');
      const [changes, summary] = watched.stdout.split('\n\n');
      for (const line of changes.split('\n')) assert.match(line, /^\d\d:\d\d:\d\d cli-a: /, `a change line: ${line}`);
      assert.match(changes, /cli-a: phase configure-storage$/m);
      assert.match(changes, /cli-a: phase done$/m);
      assert.match(changes, /cli-a: waiting for blockDevice on k8s-vm-2: .* -> kloudspot-installer answer cli-a blockdevice --node k8s-vm-2 --device blockdevice-/);
      assert.match(changes, /cli-a: waiting for certificate: .* -> kloudspot-installer upload-cert cli-a/);
      assert.match(changes, /cli-a: completed$/);
      assert.match(summary, /^cli-a: install completed after \S+ \(phase done\)$/m);
      assert.match(summary, /nodes: k8s-vm-1 \(manager\), k8s-vm-2 \(manager\), k8s-vm-3 \(manager\)/);

      const watchedB = await installB;
      expectExit(watchedB, 0, 'install --watch');
      assert.match(watchedB.stdout, /^Started install\/cli-b/);
      assert.match(watchedB.stdout, /cli-b: waiting for failure on k8s-vm-3: .* -> kloudspot-installer resolve cli-b --step k8s-vm-3:shared-volume --action retry\|skip\|abort/);
      assert.match(watchedB.stdout, /^cli-b: install completed after/m);

      // list after both: completed, phase done; --json for scripts.
      const [list, listJson] = await limited(2, [() => cli(['list', ...conn]), () => cli(['list', '--json', ...conn])]);
      expectExit(list, 0, 'list');
      assert.match(list.stdout, /^cli-a +completed +done /m);
      assert.match(list.stdout, /^cli-b +completed +done /m);
      expectExit(listJson, 0, 'list --json');
      const rows = JSON.parse(listJson.stdout) as { site: string; status: string; phase: string; waitingFor: string }[];
      assert.deepEqual(rows.map((r) => [r.site, r.status, r.phase]).sort(), [['cli-a', 'COMPLETED', 'done'], ['cli-b', 'COMPLETED', 'done']]);

      // history -o, then replay: compatible; a tampered copy is caught.
      const historyFile = join(dir, 'cli-a.history.json');
      const [exported, noHistory] = await limited(2, [
        () => cli(['history', 'cli-a', '-o', historyFile, ...conn]),
        () => cli(['history', 'nosuch', '-o', join(dir, 'nosuch.json'), ...conn]),
      ]);
      expectExit(exported, 0, 'history -o');
      assert.match(exported.stdout, /^Wrote .*cli-a\.history\.json \(\d+ events\)$/m);
      assert.equal(statSync(historyFile).mode & 0o777, 0o600, 'the history file is private (issue 17)');
      expectExit(noHistory, 1, 'history of an unknown site', /No install of site "nosuch"/);
      const history = JSON.parse(readFileSync(historyFile, 'utf8'));
      const scheduled = history.events.find((e: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }) =>
        e.activityTaskScheduledEventAttributes?.activityType?.name === 'preflightNode');
      scheduled.activityTaskScheduledEventAttributes.activityType.name = 'somethingElse';
      const tampered = join(dir, 'tampered.json');
      writeFileSync(tampered, JSON.stringify(history));
      const [replayed, caught] = await limited(2, [
        () => cli(['replay', historyFile, ...conn]),
        () => cli(['replay', historyFile, tampered, ...conn]),
      ]);
      expectExit(replayed, 0, 'replay of a recorded history');
      assert.match(replayed.stdout, /^compatible +\S*cli-a\.history\.json$/m);
      expectExit(caught, 1, 'replay of a tampered history', /1 of 2 histories do not replay/);
      assert.match(caught.stdout, /^compatible +\S*cli-a\.history\.json$/m);
      assert.match(caught.stdout, /^INCOMPATIBLE +\S*tampered\.json: \[TMPRL1100\] Nondeterminism error: .*somethingElse/m);
      assert.doesNotMatch(caught.stderr, /WARN|INFO/, 'no worker logs in the report');
    } finally {
      await Promise.all(fleets.map((f) => f.stop()));
    }
  });

  test('--help of every command exits 0 and shows an example', { timeout: 120_000 }, async () => {
    // The commands are read from the help itself, so a command added later is held to the same rule.
    const commandsOf = (help: string) => (/\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(help)?.[1] ?? '')
      .split('\n').map((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1]).filter((c): c is string => !!c && c !== 'help');
    const root = await cli(['--help']);
    expectExit(root, 0, '--help');
    const top = commandsOf(root.stdout);
    for (const c of ['validate', 'install', 'status', 'watch', 'list', 'answer', 'upload-cert', 'self-signed', 'resolve', 'history', 'replay', 'worker', 'dev', 'sim', 'codec-server', 'codec-key']) {
      assert.ok(top.includes(c), `${c} is listed in --help: ${top.join(' ')}`);
    }
    const first = await limited(3, top.map((c) => () => cli([c, '--help'])));
    const nested = top.flatMap((c, i) => commandsOf(first[i].stdout).map((sub) => [c, sub]));
    assert.deepEqual(nested.filter(([c]) => c === 'codec-key').map(([, sub]) => sub), ['new', 'rotate']);
    const second = await limited(3, nested.map((c) => () => cli([...c, '--help'])));
    const all: [string[], CliResult][] = [
      [[], root], ...top.map((c, i): [string[], CliResult] => [[c], first[i]]), ...nested.map((c, i): [string[], CliResult] => [c, second[i]]),
    ];
    for (const [c, r] of all) {
      const name = ['kloudspot-installer', ...c].join(' ');
      expectExit(r, 0, `${name} --help`);
      assert.match(r.stdout, new RegExp(`^Usage: ${name.replace(/-/g, '\\-')} `, 'm'), `${name} --help: ${show(r)}`);
      assert.match(r.stdout, /^ {2}\$ (sudo )?(\S+=\S+ )*kloudspot-installer /m, `${name} --help shows an example: ${show(r)}`);
    }
  });

  test('bad flags, bad input, no key, an unreachable server: exit 2 or 1 with one readable paragraph', { timeout: 120_000 }, async () => {
    const unreachable = ['--address', '127.0.0.1:1', '--codec-key-file', TEST_CODEC_KEY_FILE];
    const notHistory = join(dir, 'not-history.json');
    writeFileSync(notHistory, '{"site": "acme"}\n');
    const cases: { args: string[]; code: number; stderr: RegExp; what: string; usage?: boolean }[] = [
      { what: 'an unknown flag', args: ['status', 'acme', '--bogus'], code: 2, stderr: /unknown option '--bogus'/ },
      { what: 'an unknown command', args: ['frobnicate'], code: 2, stderr: /unknown command 'frobnicate'/ },
      { what: 'no command', args: [], code: 2, stderr: /^Usage: kloudspot-installer [\s\S]*Examples:/, usage: true },
      { what: 'a missing required flag', args: ['answer', 'acme', 'blockdevice', '--node', 'k8s-vm-2'], code: 2, stderr: /answer blockdevice needs --node <name> and --device <blockdevice>/ },
      { what: 'hostkeys without a verdict', args: ['answer', 'acme', 'hostkeys', ...unreachable], code: 2, stderr: /exactly one of --accept .* or --reject/ },
      { what: 'a missing argument', args: ['status'], code: 2, stderr: /missing required argument 'site'/ },
      { what: 'an unknown question', args: ['answer', 'acme', 'disk', '--node', 'x', '--device', 'y', ...unreachable], code: 2, stderr: /Unknown question "disk"/ },
      { what: 'a bad resolve action', args: ['resolve', 'acme', '--step', 'x', '--action', 'later', ...unreachable], code: 2, stderr: /--action must be retry, skip or abort/ },
      { what: 'a missing certificate file', args: ['upload-cert', 'acme', '--cert', join(dir, 'none.crt'), '--key', join(dir, 'none.key'), ...unreachable], code: 2, stderr: /Cannot read the certificate file .*none\.crt: ENOENT/ },
      { what: 'a missing site spec', args: ['install', join(dir, 'none.yaml'), ...unreachable], code: 2, stderr: /none\.yaml/ },
      { what: 'a missing history file', args: ['replay', join(dir, 'none.json'), ...unreachable], code: 2, stderr: /none\.json: not a readable history JSON file/ },
      { what: 'a JSON file that is not a history', args: ['replay', notHistory, ...unreachable], code: 2, stderr: /not-history\.json: not a readable history JSON file/ },
      { what: 'sim with too few nodes', args: ['sim', '--nodes', '2'], code: 2, stderr: /--nodes 2: give a whole number from 3 to 64/ },
      { what: 'no codec key and no --insecure-plaintext', args: ['status', 'acme', '--address', env.h.server.address], code: 2,
        stderr: /no payload encryption key configured: set KLOUDSPOT_CODEC_KEY_FILE or --codec-key-file \(create one with `kloudspot-installer codec-key new FILE`\), or pass --insecure-plaintext/ },
      { what: 'a codec key file that does not exist', args: ['list', '--address', env.h.server.address, '--codec-key-file', join(dir, 'none-keys.json')], code: 2, stderr: /codec key file .*none-keys\.json does not exist; create one with `kloudspot-installer codec-key new/ },
      { what: 'an unreachable server', args: ['status', 'acme', ...unreachable], code: 1, stderr: /^Cannot reach the Temporal server at 127\.0\.0\.1:1: .*--address/ },
      { what: 'an unknown site', args: ['status', 'nosuch', ...conn], code: 1, stderr: /No install of site "nosuch" \(workflow install\/nosuch\) on this server: check the name with `kloudspot-installer list`/ },
    ];
    const results = await limited(3, cases.map((c) => () => cli(c.args)));
    cases.forEach((c, i) => expectExit(results[i], c.code, c.what, c.stderr, { usage: c.usage }));

    // --debug adds the stack trace the default leaves out.
    const debug = await cli(['status', 'acme', ...unreachable, '--debug']);
    assert.equal(debug.code, 1, show(debug));
    assert.match(debug.stderr, /Cannot reach the Temporal server/);
    assert.match(debug.stderr, /^\s+at .+:\d+/m, `--debug prints the stack: ${show(debug)}`);
  });

  test('codec-key new writes a 0600 key file the CLI accepts; it refuses to overwrite one', { timeout: 60_000 }, async () => {
    const file = join(dir, 'keys.json');
    const made = await cli(['codec-key', 'new', file]);
    expectExit(made, 0, 'codec-key new');
    assert.match(made.stdout, /^Wrote key \S+ to .*keys\.json \(mode 0600\)/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const keys = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(typeof keys.current, 'string');
    const [again, used] = await limited(2, [
      () => cli(['codec-key', 'new', file]),
      () => cli(['list', '--address', env.h.server.address, '--codec-key-file', file]),
    ]);
    expectExit(again, 2, 'codec-key new over an existing file', /already exists.*codec-key rotate/);
    expectExit(used, 0, 'list with the new key file');
  });

  test('sim --nodes 3 --spec-out F: starts the nodes, writes a valid spec, stops on Ctrl-C', { timeout: 60_000 }, async () => {
    const specOut = join(dir, 'sim.yaml');
    const child = spawn(process.execPath, [CLI, 'sim', '--nodes', '3', '--spec-out', specOut, '--latency', 'fast', '--site', 'simcli'],
      { env: { ...process.env, ...CLEAN_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!stdout.includes('Ctrl-C to stop.')) {
        if (child.exitCode !== null) assert.fail(`sim exited early (${child.exitCode}): ${stdout}${stderr}`);
        if (Date.now() > deadline) assert.fail(`sim did not start within 30 s: ${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(stdout, /^Simulated site simcli: 3 nodes \(fast latency, seed 1\)$/m);
      assert.equal(stdout.match(/^ {2}k8s-vm-\d +ssh \S+@127\.\d+\.\d+\.\d+ -p \d+ +host key SHA256:/gm)?.length, 3, stdout);
      assert.ok(existsSync(specOut), 'the spec was written');
      const validated = await cli(['validate', specOut]);
      expectExit(validated, 0, 'validate of the simulated spec');
      assert.match(validated.stdout, /^OK: simcli \(3 nodes: 3 managers, 0 workers\)$/m);
    } finally {
      if (child.exitCode === null) child.kill('SIGINT');
    }
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    assert.equal(code, 0, `sim stops cleanly on Ctrl-C: ${stdout}${stderr}`);
    assert.match(stdout, /Stopping: \d+ commands run, \d+ changes made\./);
  });
});
