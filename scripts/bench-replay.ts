// Replay timing in a process of its own (the benchmark's own heap, with 150 simulated nodes' state, would slow
// it): forked by scripts/bench.ts with the histories in a file; answers with the times.
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { readCodecKeyFile } from '../src/codec/codec';
import { createDataConverter } from '../src/codec/data-converter';
import { replayMs } from './bench-history';

export interface ReplayConfig { bundleFile: string; codecKeyFile: string; historiesFile: string }
/** The histories file: one install (parent first, then its children) and up to 50 install histories. */
export interface ReplayInput { install: { workflowId: string; history: unknown }[]; many: { workflowId: string; history: unknown }[] }
export interface ReplayTimes { oneMs: number; startMs: number; installMs: number; manyMs: number; many: number }
export type FromReplay = { type: 'done'; times: ReplayTimes } | { type: 'error'; message: string };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_REPLAY_CONFIG ?? '') as ReplayConfig;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const bundle = { code: readFileSync(config.bundleFile, 'utf8') };
  const dc = createDataConverter(readCodecKeyFile(config.codecKeyFile));
  const input = JSON.parse(readFileSync(config.historiesFile, 'utf8')) as ReplayInput;
  const parse = (hs: ReplayInput['install']) => hs.map((h) => ({ workflowId: h.workflowId, history: historyFromJSON(h.history) }));
  const install = parse(input.install);
  const many = parse(input.many);
  await replayMs(install.slice(0, 1), bundle, dc); // warm-up: module loading and JIT of this process
  const one: number[] = [];
  for (let i = 0; i < 3; i++) one.push(await replayMs(install.slice(0, 1), bundle, dc));
  const times: ReplayTimes = {
    oneMs: median(one),
    startMs: await replayMs([], bundle, dc),
    installMs: await replayMs(install, bundle, dc),
    manyMs: many.length ? await replayMs(many, bundle, dc) : NaN,
    many: many.length,
  };
  process.send?.({ type: 'done', times } satisfies FromReplay);
  process.exit(0);
}

main().catch((err) => {
  process.send?.({ type: 'error', message: (err as Error).stack ?? String(err) } satisfies FromReplay);
  process.exit(1);
});
