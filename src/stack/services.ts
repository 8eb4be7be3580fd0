// Starting each piece of the native stack, in the compose file's order: schema (deploy/temporal/
// setup-postgres.sh), the Temporal server, the namespace (deploy/temporal/setup-namespace.sh), the codec
// server, the Web UI, the workers. Each long-running piece is a process group with its log in <dir>/logs.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import type { ServerBinaries } from '../temporal/server-path';
import type { Postgres } from './postgres';
import { startGroup, type GroupProcess } from './process-group';
import { temporalServerConfig, type TemporalPorts } from './temporal-config';
import { clientCert, connectionTls, serverTlsYaml, temporalCliTlsEnv, type ClientCert, type MtlsFiles } from './mtls';
import { uiServerConfig } from './ui-config';

export const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'kloudspot-installer.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: GroupProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (proc && !proc.running()) throw new Error(`${what}: ${proc.name} exited; last lines of ${proc.logFile}:\n${proc.tail()}`);
    if (Date.now() > deadline) throw new Error(`${what} within ${Math.round(timeoutMs / 1000)} s${proc ? `; last lines of ${proc.logFile}:\n${proc.tail()}` : ''}`);
    await sleep(250);
  }
}

/** Runs one of deploy/temporal's set-up scripts with `env`, its output appended to `logFile`. */
export function runSetupScript(script: string, env: NodeJS.ProcessEnv, logFile: string): void {
  // Only what the scripts read (and HOME, for the temporal CLI's config lookup): as a container would see it.
  const r = spawnSync('sh', [join(ROOT, 'deploy', 'temporal', script)], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8' });
  writeFileSync(logFile, `$ ${script}\n${r.stdout}${r.stderr}`, { flag: 'a', mode: 0o600 });
  if (r.status !== 0) throw new Error(`deploy/temporal/${script} failed (exit ${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-2000)}`);
}

export function setupSchema(bin: ServerBinaries, pg: Postgres, passwordFile: string, logFile: string): void {
  runSetupScript('setup-postgres.sh', {
    POSTGRES_SEEDS: pg.host, DB_PORT: String(pg.port), POSTGRES_USER: pg.user, SQL_PASSWORD_FILE: passwordFile,
    TEMPORAL_SQL_TOOL: bin.sql, TEMPORAL_SCHEMA_DIR: join(bin.moduleDir, 'schema', 'postgresql', 'v12'),
  }, logFile);
}

export function setupNamespace(cli: string, address: string, namespace: string, logFile: string, tls?: ClientCert): void {
  runSetupScript('setup-namespace.sh', {
    ...(tls ? temporalCliTlsEnv(tls) : {}),
    TEMPORAL_CLI: cli, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, NAMESPACE_RETENTION: '30d',
    KLOUDSPOT_SEARCH_ATTRIBUTES: Object.entries(SEARCH_ATTRIBUTES).map(([n, t]) => `${n}=${t}`).join(' '),
  }, logFile);
}

export interface ServerStart { bin: ServerBinaries; dir: string; ports: TemporalPorts; pg: Postgres; password: string; mtls?: MtlsFiles }

/** Starts the server (config rewritten each time) and waits until its frontend answers. */
export async function startTemporalServer(o: ServerStart): Promise<GroupProcess> {
  const configDir = join(o.dir, 'temporal-config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'kloudspot.yaml'), temporalServerConfig({
    ports: o.ports, postgres: { host: o.pg.host, port: o.pg.port, user: o.pg.user },
    dynamicConfigFile: join(ROOT, 'deploy', 'temporal', 'dynamicconfig', 'production.yaml'),
    tlsYaml: o.mtls ? serverTlsYaml(o.mtls) : undefined,
  }), { mode: 0o600 });
  const proc = startGroup('temporal-server', o.bin.server, ['--root', o.dir, '--config', 'temporal-config', '--env', 'kloudspot', '--allow-no-auth', 'start'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, POSTGRES_PWD: o.password }, logFile: join(o.dir, 'logs', 'temporal-server.log'),
  });
  const address = `127.0.0.1:${o.ports.frontend}`;
  await waitFor(`the Temporal server did not answer on ${address}`, async () => {
    const c = await Connection.connect({ address, connectTimeout: 1000, tls: o.mtls ? connectionTls(clientCert(o.mtls, 'cli')) : undefined });
    try {
      await c.withDeadline(Date.now() + 2000, () => c.workflowService.describeNamespace({ namespace: 'temporal-system' }));
      return true;
    } finally {
      await c.close();
    }
  }, 120_000, proc);
  return proc;
}

export async function startCodecServer(dir: string, port: number, keyFile: string, uiPort: number): Promise<GroupProcess> {
  const proc = startGroup('codec-server', process.execPath, [CLI, 'codec-server', '--host', '127.0.0.1', '--port', String(port), '--no-token',
    '--codec-key-file', keyFile, '--ui-origin', `http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`], { logFile: join(dir, 'logs', 'codec-server.log') });
  await waitFor('the codec server did not start', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, proc);
  return proc;
}

export interface UiStart { port: number; address: string; codecEndpoint: string; namespace: string; tls?: ClientCert }

export async function startUi(dir: string, uiBinary: string, o: UiStart): Promise<GroupProcess> {
  const configDir = join(dir, 'ui-config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'kloudspot.yaml'), uiServerConfig({ port: o.port, temporalAddress: o.address, codecEndpoint: o.codecEndpoint, namespace: o.namespace, tls: o.tls }));
  const proc = startGroup('temporal-ui', uiBinary, ['--root', dir, '--config', 'ui-config', '--env', 'kloudspot', 'start'], { logFile: join(dir, 'logs', 'temporal-ui.log') });
  await waitFor(`the Web UI did not answer on 127.0.0.1:${o.port}`, async () => (await fetch(`http://127.0.0.1:${o.port}/healthz`)).ok, 60_000, proc);
  return proc;
}

/** Writes the workflow bundle once, as the image build does; the workers start from it. In a child process, so the rest starts meanwhile. */
export function buildBundle(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src', 'worker', 'build-bundle.ts'), file], { cwd: ROOT }, (err, stdout, stderr) => {
      if (err) reject(new Error(`building the workflow bundle failed: ${(stderr || stdout || err.message).slice(-2000)}`));
      else resolve();
    });
  });
}

export interface WorkerStart {
  dir: string; index: number; address: string; namespace: string; keyFile: string; bundle: string; healthPort: number; env?: NodeJS.ProcessEnv;
}

/** `kloudspot-installer worker` configured like compose's worker service; resolves once /readyz says so. */
export async function startWorker(o: WorkerStart): Promise<GroupProcess> {
  const proc = startGroup(`worker-${o.index}`, process.execPath, [CLI, 'worker'], {
    cwd: ROOT,
    logFile: join(o.dir, 'logs', `worker-${o.index}.log`),
    env: {
      ...process.env, TEMPORAL_ADDRESS: o.address, TEMPORAL_NAMESPACE: o.namespace, KLOUDSPOT_CODEC_KEY_FILE: o.keyFile,
      KLOUDSPOT_WORKFLOW_BUNDLE: o.bundle, KLOUDSPOT_HEALTH_ADDRESS: `127.0.0.1:${o.healthPort}`, KLOUDSPOT_WORKER_IDENTITY: `stack-worker-${o.index}`,
      KLOUDSPOT_LOG_FORMAT: 'json', KLOUDSPOT_LOG_LEVEL: 'INFO', KLOUDSPOT_SHUTDOWN_GRACE: '10s', ...o.env,
    },
  });
  await waitFor(`worker ${o.index} did not become ready`, async () => (await fetch(`http://127.0.0.1:${o.healthPort}/readyz`)).ok, 120_000, proc);
  return proc;
}
