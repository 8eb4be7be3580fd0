// Starts `temporal server start-dev` ourselves rather than through the SDK's ephemeral server, whose
// start gives up after ~5 s of polling (sdk-typescript#1687): a cold start on a slow disk takes longer.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { resolveTemporalCli } from './cli-path';
import { SEARCH_ATTRIBUTES } from './search-attributes';

const execFileAsync = promisify(execFile);

/** The frontend refuses a payload over this (limit.blobSize.error); the production stack should set the same. */
export const MAX_PAYLOAD_BYTES = 512 * 1024;

export interface DevServerOptions {
  /** Persist to this SQLite file (survives restarts); in memory when absent. */
  dbFilename?: string;
  ip?: string;
  port?: number;
  /** Web UI port; `false` for headless. */
  uiPort?: number | false;
  namespace?: string;
  /** Namespace retention, e.g. '720h' (the dev server defaults to 24 h). */
  retention?: string;
  codecEndpoint?: string;
  /** Register the installer's search attributes at start (default true); false: a plain server, as a user's may be. */
  searchAttributes?: boolean;
  /** How long to wait for the server to answer. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = resolveTemporalCli(opts.log);
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(ip));
  const namespace = opts.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--namespace', namespace, '--log-level', 'error'];
  if (opts.dbFilename) args.push('--db-filename', opts.dbFilename);
  let uiUrl: string | undefined;
  if (opts.uiPort === false) {
    args.push('--headless');
  } else {
    const uiPort = opts.uiPort ?? (await freePort(ip));
    args.push('--ui-port', String(uiPort));
    uiUrl = `http://${ip}:${uiPort}`;
  }
  if (opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  if (opts.searchAttributes !== false) for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  // Updates are used by the CLI to get validated answers.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  // No payload over 512 KiB (default 2 MB): a flood of large signals is refused at the frontend instead of filling
  // the history to its 50 MB limit, which terminates the install (issue 17). The installer's largest payload, a
  // certificate upload, is capped at 64 KiB per PEM in the workflow.
  args.push('--dynamic-config-value', `limit.blobSize.error=${MAX_PAYLOAD_BYTES}`, '--dynamic-config-value', `limit.blobSize.warn=${MAX_PAYLOAD_BYTES / 2}`);

  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const address = `${ip}:${port}`;

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal server start-dev exited with ${child.exitCode}: ${stderr.trim()}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.describeNamespace({ namespace });
      await conn.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal dev server on ${address} did not answer within ${opts.startTimeoutMs ?? 60_000} ms: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  if (opts.retention) {
    await execFileAsync(cli, ['operator', 'namespace', 'update', '--address', address, '--retention', opts.retention, namespace]);
  }
  return {
    address,
    namespace,
    uiUrl,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
