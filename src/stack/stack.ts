// The native production stack: docker-compose.yml's topology without Docker. PostgreSQL (our own cluster),
// the Temporal server built from source, the Web UI server with our codec server, and two workers, set up
// by the compose stack's own scripts. `npm run stack` runs it; the e2e tests drive it (kill, restart).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { generateKeyFile } from '../codec/codec';
import { resolveTemporalCli, kloudspotCacheBase } from '../temporal/cli-path';
import { resolveServerBinaries, type ServerBinaries } from '../temporal/server-path';
import { startPostgres, type Postgres } from './postgres';
import type { GroupProcess } from './process-group';
import {
  buildBundle, setupNamespace, setupSchema, startCodecServer, startTemporalServer, startUi, startWorker, type WorkerStart,
} from './services';
import { PORT_NAMES, type TemporalPorts } from './temporal-config';
import { clientCert, connectionTls, ensureMtlsCertificates, kloudspotTlsEnv, type ClientCert } from './mtls';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';

export interface StackOptions {
  /** State: PostgreSQL data, configs, logs, codec key. Kept between runs. */
  dir?: string;
  /** Preferred ports (a busy one is replaced by a free one); `'free'` picks free ports for everything. */
  ports?: 'free' | Partial<StackPorts>;
  workers?: number;
  /** Start the Web UI server (and the codec server for it). Default true. */
  ui?: boolean;
  log?: (line: string) => void;
  /** mTLS on the frontend: certificates from deploy/gen-mtls-certs.sh in <dir>/mtls; every client presents one. */
  mtls?: boolean;
  /** Aborted (Ctrl-C during start-up): what has started is stopped, and startStack rejects. */
  signal?: AbortSignal;
}

export interface StackPorts { frontend: number; ui: number; codec: number; postgres: number }
const DEFAULT_PORTS: StackPorts = { frontend: 7233, ui: 8080, codec: 8888, postgres: 54320 };
// The server's other ports, as in the module's development config.
const DEFAULT_SERVER_PORTS: Omit<TemporalPorts, 'frontend'> = {
  frontendHttp: 7243, history: 7234, matching: 7235, worker: 7239,
  frontendMembership: 6933, historyMembership: 6934, matchingMembership: 6935, workerMembership: 6939, metrics: 8000,
};

export interface Stack {
  dir: string;
  address: string;
  namespace: string;
  uiUrl?: string;
  codecUrl?: string;
  codecKeyFile: string;
  /** With mtls: the CLI's client certificate (cli.crt), and what a connection or our CLI's environment needs. */
  tls?: { cli: ClientCert; connection: TLSConfig; env: NodeJS.ProcessEnv };
  postgres: Postgres;
  binaries: ServerBinaries;
  server(): GroupProcess;
  workers: GroupProcess[];
  /** SIGKILL to the server's process group (a crash), then waits for it to be gone. */
  killServer(): Promise<void>;
  startServer(): Promise<void>;
  /**
   * A deployment: the workflow bundle rebuilt from the code on disk now, then each worker in turn stopped
   * (SIGTERM, graceful) and a new one started in its place, so one always polls.
   */
  redeployWorkers(env?: NodeJS.ProcessEnv): Promise<void>;
  stop(): Promise<void>;
}

/** As root the state must be reachable by the postgres user: not under /root. */
export function defaultStackDir(): string {
  return process.getuid?.() === 0 && kloudspotCacheBase().startsWith(homedir()) ? '/var/tmp/kloudspot-installer/stack' : join(kloudspotCacheBase(), 'stack');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const taken = new Set<number>();
/**
 * `preferred` if free, else a free port below 32768: the server keeps its ports in PostgreSQL smallint
 * columns (cluster membership), which the kernel's ephemeral range (32768 and up) overflows.
 */
async function portOr(preferred: number | undefined): Promise<number> {
  if (preferred !== undefined && !taken.has(preferred) && await canListen(preferred)) { taken.add(preferred); return preferred; }
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && await canListen(port)) { taken.add(port); return port; }
  }
  throw new Error('no free port between 20000 and 32000 on 127.0.0.1');
}

function secretFile(file: string, make: () => string): string {
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const log = o.log ?? (() => undefined);
  const dir = o.dir ?? defaultStackDir();
  mkdirSync(join(dir, 'logs'), { recursive: true });
  chmodSync(dir, 0o755); // the postgres user reaches its data directory through here
  const want = (name: keyof StackPorts) => (o.ports === 'free' ? undefined : (o.ports?.[name] ?? DEFAULT_PORTS[name]));
  const wantServer = (name: keyof TemporalPorts) => (o.ports === 'free' ? undefined : DEFAULT_SERVER_PORTS[name as keyof typeof DEFAULT_SERVER_PORTS]);

  const binaries = resolveServerBinaries(log);
  const cli = resolveTemporalCli(log);
  const passwordFile = join(dir, 'postgres-password');
  const password = secretFile(passwordFile, () => randomBytes(24).toString('hex'));
  const codecKeyFile = join(dir, 'codec-keys.json');
  if (!existsSync(codecKeyFile)) generateKeyFile(codecKeyFile);

  const started: GroupProcess[] = [];
  let postgres: Postgres | undefined;
  const stopAll = async () => {
    for (const p of [...started].reverse()) await p.stop().catch(() => undefined);
    postgres?.stop();
  };
  const step = <T>(v: T): T => {
    if (o.signal?.aborted) throw new Error('start-up interrupted');
    return v;
  };
  const track = (p: GroupProcess): GroupProcess => { started.push(p); return step(p); };
  const bundle = join(dir, 'workflow-bundle.js');
  const bundled = buildBundle(bundle);
  bundled.catch(() => undefined); // awaited below; a failure before then must not go unhandled
  try {
    postgres = startPostgres({ dataDir: join(dir, 'postgres'), port: await portOr(want('postgres')), passwordFile, log });
    step(setupSchema(binaries, postgres, passwordFile, join(dir, 'logs', 'setup.log')));
    log('schema: temporal and temporal_visibility up to date (deploy/temporal/setup-postgres.sh)');

    const ports = { frontend: await portOr(want('frontend')) } as TemporalPorts;
    for (const name of PORT_NAMES) if (name !== 'frontend') ports[name] = await portOr(wantServer(name));
    const address = `127.0.0.1:${ports.frontend}`;
    const mtls = o.mtls ? ensureMtlsCertificates(join(dir, 'mtls')) : undefined;
    const serverStart = { bin: binaries, dir, ports, pg: postgres, password, mtls };
    let server = track(await startTemporalServer(serverStart));
    log(`temporal server: ${address} (log ${server.logFile})`);
    const namespace = 'default';
    step(setupNamespace(cli, address, namespace, join(dir, 'logs', 'setup.log'), mtls && clientCert(mtls, 'cli')));
    log(`namespace ${namespace}: retention 30d, search attributes registered (deploy/temporal/setup-namespace.sh)`);

    let uiUrl: string | undefined;
    let codecUrl: string | undefined;
    if (o.ui !== false) {
      const uiPort = await portOr(want('ui'));
      const codecPort = await portOr(want('codec'));
      codecUrl = `http://127.0.0.1:${codecPort}`;
      track(await startCodecServer(dir, codecPort, codecKeyFile, uiPort));
      track(await startUi(dir, binaries.ui, { port: uiPort, address, codecEndpoint: codecUrl, namespace, tls: mtls && clientCert(mtls, 'worker') }));
      uiUrl = `http://127.0.0.1:${uiPort}`;
      log(`web ui: ${uiUrl} (codec server ${codecUrl})`);
    }

    step(await bundled);
    const workerStart = async (i: number, env?: NodeJS.ProcessEnv): Promise<WorkerStart> =>
      ({ dir, index: i, address, namespace, keyFile: codecKeyFile, bundle, healthPort: await portOr(undefined), env: { ...(mtls ? kloudspotTlsEnv(clientCert(mtls, 'worker')) : {}), ...env } });
    const results = await Promise.allSettled(Array.from({ length: o.workers ?? 2 }, async (_, i) => startWorker(await workerStart(i + 1))));
    const workers = results.flatMap((r) => (r.status === 'fulfilled' ? [track(r.value)] : []));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    log(`workers: ${workers.length} (logs ${join(dir, 'logs')}/worker-N.log)`);

    return {
      dir, address, namespace, uiUrl, codecUrl, codecKeyFile, postgres, binaries, workers,
      tls: mtls && { cli: clientCert(mtls, 'cli'), connection: connectionTls(clientCert(mtls, 'cli')), env: kloudspotTlsEnv(clientCert(mtls, 'cli')) },
      server: () => server,
      async killServer() {
        server.signal('SIGKILL');
        await server.exited;
      },
      async startServer() {
        server = await startTemporalServer(serverStart);
        started.push(server);
      },
      async redeployWorkers(env) {
        await buildBundle(bundle);
        for (let i = 0; i < workers.length; i++) {
          await workers[i].stop(30_000);
          workers[i] = await startWorker(await workerStart(i + 1, env));
          started.push(workers[i]);
        }
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
