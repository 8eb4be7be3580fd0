// Child processes of the benchmark: the worker (scripts/bench-worker.ts), the plain scripts
// (scripts/bench-script.ts) and replay (scripts/bench-replay.ts), each forked with `node --require tsx/cjs` so its pid is the process doing the work.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './bench-worker';
import type { FromScript, ScriptConfig } from './bench-script';
import type { ReplayConfig, ReplayTimes } from './bench-replay';

/** The worker's heap cap as docker-compose.yml runs it (NODE_OPTIONS); BENCH_NODE_FLAGS replaces it. */
export const NODE_FLAGS = process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=384';

function spawnTs(file: string, env: Record<string, string>): ChildProcess {
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each child (main thread and workflow threads), for finding where time goes.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const flags = NODE_FLAGS.split(' ').filter(Boolean);
  // tsx/cjs as bin/kloudspot-installer.js loads it (`--import tsx` would add an ESM loader thread, ~20 MB of RSS).
  return fork(join(__dirname, file), [], { execArgv: ['--require', 'tsx/cjs', ...prof, ...flags], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** VmHWM (peak) and VmRSS of a process, in bytes, from /proc. */
export function procMemory(pid: number): { hwm: number; rss: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

/** utime + stime of a process in seconds, from /proc (covers every thread, the native core's too). */
export function procCpuSeconds(pid: number | 'self', withExitedChildren = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  // USER_HZ is 100 on Linux; cutime/cstime count children that have exited (the plain scripts).
  return (fields[11] + fields[12] + (withExitedChildren ? fields[13] + fields[14] : 0)) / 100;
}

export interface WorkerProcess {
  pid: number;
  stats(clearConnects?: boolean): Promise<WorkerStats>;
  /** Highest VmRSS sampled (every 100 ms) and VmHWM, since start. */
  peakRss(): number;
  stop(): Promise<void>;
}

export async function startWorkerProcess(config: WorkerConfig): Promise<WorkerProcess> {
  const child = spawnTs('bench-worker.ts', { BENCH_WORKER_CONFIG: JSON.stringify(config) });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let waiting: ((m: FromWorker) => void)[] = [];
  child.on('message', (m: FromWorker) => {
    if (m.type === 'error') console.error(`bench worker: ${m.message}`);
    const w = waiting;
    waiting = [];
    w.forEach((fn) => fn(m));
  });
  const next = () => new Promise<FromWorker>((resolve, reject) => {
    waiting.push(resolve);
    void exited.then(() => reject(new Error('the bench worker exited')));
  });
  const first = await next();
  if (first.type !== 'ready') throw new Error(`bench worker did not start: ${JSON.stringify(first)}`);
  const pid = child.pid!;
  let sampled = 0;
  const sample = () => {
    try {
      const m = procMemory(pid);
      sampled = Math.max(sampled, m.rss, m.hwm);
    } catch { /* exited */ }
  };
  const sampler = setInterval(sample, 100);
  return {
    pid,
    async stats(clearConnects = false) {
      const reply = next();
      child.send({ type: 'stats', clearConnects } satisfies ToWorker);
      const m = await reply;
      if (m.type !== 'stats') throw new Error(`unexpected reply from the bench worker: ${m.type}`);
      return m.stats;
    },
    peakRss() {
      sample();
      return sampled;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      sample();
      clearInterval(sampler);
      child.send({ type: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a child to its end and returns what it sent with its 'done' message. */
function runChild<T>(file: string, env: Record<string, string>, what: string): Promise<T> {
  const child = spawnTs(file, env);
  return new Promise((resolve, reject) => {
    let result: { type: 'done' } & T | { type: 'error'; message: string } | undefined;
    child.on('message', (m: typeof result) => { result = m; });
    child.once('exit', (code) => {
      if (result?.type === 'done') resolve(result);
      else reject(new Error(`${what} failed (exit ${code}): ${result?.type === 'error' ? result.message : 'no result'}`));
    });
  });
}

/** Runs one plain script to its end; its wall time in ms. */
export async function runScriptProcess(config: ScriptConfig): Promise<{ wallMs: number; startedAt: number; endedAt: number }> {
  const r = await runChild<Extract<FromScript, { type: 'done' }>>('bench-script.ts', { BENCH_SCRIPT_CONFIG: JSON.stringify(config) }, `${config.mode} script`);
  return { wallMs: r.endedAt - r.startedAt, startedAt: r.startedAt, endedAt: r.endedAt };
}

/** Replays histories in a fresh process (scripts/bench-replay.ts). */
export async function runReplayProcess(config: ReplayConfig): Promise<ReplayTimes> {
  return (await runChild<{ times: ReplayTimes }>('bench-replay.ts', { BENCH_REPLAY_CONFIG: JSON.stringify(config) }, 'replay')).times;
}

/** CPU seconds the whole machine spent busy (every process, all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
}
