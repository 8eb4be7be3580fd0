// `npm run stack [-- --dir D] [--workers N] [--free-ports] [--no-ui]`: the production topology of
// docker-compose.yml run natively (PostgreSQL, the Temporal server built from source, the Web UI with our
// codec server, two workers). Prints the addresses; Ctrl-C stops everything it started.
import { Command } from 'commander';
import { defaultStackDir, startStack } from '../src/stack/stack';

const o = new Command('stack')
  .option('--dir <dir>', 'state: PostgreSQL data, configs, logs, codec key (kept between runs)', defaultStackDir())
  .option('--workers <n>', 'workers to run', '2')
  .option('--free-ports', 'pick free ports instead of 7233 (frontend), 8080 (UI), 8888 (codec), 54320 (PostgreSQL)')
  .option('--no-ui', 'no Web UI and codec server')
  .option('--mtls', 'mTLS on the frontend: certificates from deploy/gen-mtls-certs.sh in <dir>/mtls; workers, UI and setup present theirs')
  .parse()
  .opts<{ dir: string; workers: string; freePorts?: boolean; ui: boolean; mtls?: boolean }>();

async function main(): Promise<void> {
  const workers = Number(o.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 16) throw new Error(`--workers ${o.workers}: give a whole number from 0 to 16`);
  const say = (l: string) => process.stdout.write(`${l}\n`);
  const t0 = Date.now();
  // Ctrl-C at any time: during start-up it stops what has started; afterwards, everything.
  const interrupted = new AbortController();
  const stopped = new Promise<void>((r) => {
    const onSignal = () => { interrupted.abort(); r(); };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const stack = await startStack({ dir: o.dir, workers, ui: o.ui, mtls: o.mtls, ports: o.freePorts ? 'free' : undefined, log: say, signal: interrupted.signal });
  say('');
  say(`Stack up in ${Math.round((Date.now() - t0) / 1000)} s (state in ${stack.dir}):`);
  say(`  PostgreSQL     127.0.0.1:${stack.postgres.port} (user temporal, password in ${stack.dir}/postgres-password)`);
  say(`  Temporal       ${stack.address} (namespace ${stack.namespace})`);
  if (stack.uiUrl) say(`  Web UI         ${stack.uiUrl}`);
  if (stack.codecUrl) say(`  Codec server   ${stack.codecUrl}`);
  say(`  Workers        ${stack.workers.map((w) => w.name).join(', ')} (logs in ${stack.dir}/logs)`);
  if (stack.tls) say(`  mTLS           client certificates in ${stack.dir}/mtls (cli.crt for people, worker.crt for workers)`);
  const tlsEnv = stack.tls ? `${Object.entries(stack.tls.env).map(([k, v]) => `${k}=${v}`).join(' ')} ` : '';
  say(`Install with:   ${tlsEnv}npx kloudspot-installer install site.yaml --watch --address ${stack.address} --codec-key-file ${stack.codecKeyFile}`);
  say('Ctrl-C to stop.');
  await stopped;
  say('Stopping the workers, the Web UI, the codec server, the Temporal server and PostgreSQL...');
  await stack.stop();
  say('Stopped.');
}

main().catch((err) => {
  process.stderr.write(`npm run stack: ${(err as Error).message}\n`);
  process.exit(1);
});
