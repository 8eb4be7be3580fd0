// The worker as a long-running service: Runtime with JSON logs and Prometheus metrics, a connection (TLS,
// mTLS or an API key) retried until the server answers, the installer worker, a health endpoint, and a
// graceful shutdown on SIGTERM/SIGINT: stop polling, give running activities `shutdownGraceMs` to finish,
// then cancel what is left so the server retries it on another worker (every activity is idempotent).
import { IllegalStateError, type DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { SshPool } from '../activities/ssh';
import { NamespaceNotReadyError, requireNamespaceReady } from '../temporal/namespace-check';
import { ConfigError, formatHostPort, loadTls, type WorkerServiceConfig } from './config';
import { startHealthServer, type HealthServer, type ServiceState } from './health';
import { createServiceLogger, sshEventLogger, type ServiceLogger } from './logging';
import { createInstallerWorker } from './worker';

export interface WorkerServiceOptions {
  config: WorkerServiceConfig;
  /** The encrypting converter (undefined only with --insecure-plaintext). */
  dataConverter: DataConverter | undefined;
  /** Where log lines go; stdout by default. */
  write?: (line: string) => void;
  /** Listen for SIGTERM/SIGINT (default true). */
  handleSignals?: boolean;
  /** How a second signal ends the process at once (default process.exit). */
  exit?: (code: number) => void;
}

export interface WorkerService {
  logger: ServiceLogger;
  health?: HealthServer;
  /** Resolves with the process exit code once the worker stopped and everything is closed. */
  done: Promise<number>;
  /** What a signal does: a graceful shutdown (idempotent). */
  shutdown(reason: string): void;
  /** Why it refused to start when the namespace is not set up (the paragraph for the person). */
  notReady(): NamespaceNotReadyError | undefined;
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** After the grace time, how long cancelled activities get to report back before the worker gives up on them. */
const FORCE_AFTER_GRACE_MS = 15_000;

function installRuntime(cfg: WorkerServiceConfig, logger: ServiceLogger): void {
  const verbose = cfg.logLevel === 'DEBUG' || cfg.logLevel === 'TRACE';
  try {
    Runtime.install({
      logger,
      // We handle signals ourselves, to log them, flip readiness at once and force on a second one.
      shutdownSignals: [],
      telemetryOptions: {
        // Core's own logs (polling, connection trouble) go through the same JSON logger.
        logging: { forward: {}, filter: { core: verbose ? cfg.logLevel : 'WARN', other: 'ERROR' } },
        ...(cfg.metrics ? { metrics: { prometheus: { bindAddress: formatHostPort(cfg.metrics) } } } : {}),
      },
    });
  } catch (err) {
    // Something in this process already created the Runtime (an embedding test, say): carry on with it.
    if (err instanceof IllegalStateError) {
      logger.warn('Temporal Runtime already installed: log and metrics settings of this worker not applied', { error: err });
      return;
    }
    // Otherwise the telemetry could not start, e.g. the metrics port is taken.
    throw new ConfigError(`cannot start the Temporal runtime${cfg.metrics ? ` (metrics on ${formatHostPort(cfg.metrics)})` : ''}: ${(err as Error).message}`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

async function connect(
  cfg: WorkerServiceConfig, tls: ReturnType<typeof loadTls> | undefined, logger: ServiceLogger, stop: AbortSignal,
): Promise<NativeConnection | undefined> {
  const deadline = Date.now() + cfg.connectTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    if (stop.aborted) return undefined;
    try {
      return await NativeConnection.connect({ address: cfg.address, tls, apiKey: cfg.apiKey });
    } catch (err) {
      const message = (err as Error).message;
      if (Date.now() >= deadline) {
        throw new Error(`cannot reach the Temporal server at ${cfg.address} within ${Math.round(cfg.connectTimeoutMs / 1000)} s: ${message}`);
      }
      const delay = Math.min(1000 * 2 ** (attempt - 1), 10_000);
      logger.warn('Temporal server not reachable yet; retrying', { address: cfg.address, attempt, retryInMs: delay, error: err as Error });
      await sleep(delay, stop);
    }
  }
}

export async function startWorkerService(o: WorkerServiceOptions): Promise<WorkerService> {
  const cfg = o.config;
  // TLS files are read now, so a missing one is a configuration error before anything starts.
  const tls = cfg.tls ? loadTls(cfg.tls) : undefined;
  const logger = createServiceLogger({ format: cfg.logFormat, level: cfg.logLevel, write: o.write });
  installRuntime(cfg, logger);
  const started = Date.now();
  const stop = new AbortController();
  let state: ServiceState = 'STARTING';
  let worker: Worker | undefined;
  let connection: NativeConnection | undefined;
  let stopRequestedAt: number | undefined;
  let fatal: NamespaceNotReadyError | undefined;

  const currentState = (): ServiceState => {
    if (state === 'FAILED' || state === 'STOPPED' || !worker) return state;
    return worker.getState();
  };

  let health: HealthServer | undefined;
  if (cfg.health) {
    const at = formatHostPort(cfg.health);
    health = await startHealthServer({
      host: cfg.health.host,
      port: cfg.health.port,
      source: {
        state: currentState,
        details: () => {
          const s = worker?.getStatus();
          return {
            identity: cfg.identity, namespace: cfg.namespace, taskQueue: cfg.taskQueue,
            uptimeSeconds: Math.round((Date.now() - started) / 1000),
            ...(s ? { activitiesInFlight: s.numInFlightActivities, workflowActivationsInFlight: s.numInFlightWorkflowActivations } : {}),
          };
        },
        serverReachable: async () => {
          const c = connection;
          if (!c) return false;
          await c.withDeadline(Date.now() + 2000, () => c.workflowService.getSystemInfo({}));
          return true;
        },
      },
    }).catch(async (err: NodeJS.ErrnoException) => {
      // The Runtime's log forwarding keeps the event loop alive: stop it, so the process can end.
      await Runtime.instance().shutdown().catch(() => undefined);
      throw new ConfigError(`cannot serve the health endpoint on ${at}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`);
    });
  }

  const shutdown = (reason: string): void => {
    if (stopRequestedAt !== undefined) return;
    stopRequestedAt = Date.now();
    const s = worker?.getStatus();
    logger.info('shutdown requested: no new tasks; running activities get the grace time, then are handed back', {
      reason, graceMs: cfg.shutdownGraceMs, activitiesInFlight: s?.numInFlightActivities ?? 0,
    });
    stop.abort();
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
  };

  const handlers = new Map<string, () => void>();
  if (o.handleSignals !== false) {
    for (const sig of SHUTDOWN_SIGNALS) {
      const h = () => {
        if (stopRequestedAt === undefined) return shutdown(sig);
        logger.warn('second signal during shutdown: exiting now; running activities will time out and be retried elsewhere', { signal: sig });
        (o.exit ?? process.exit)(1);
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
  }

  const done = (async (): Promise<number> => {
    const pool = new SshPool({ log: sshEventLogger(logger) });
    let code = 0;
    try {
      state = 'CONNECTING';
      logger.info('connecting to Temporal', { address: cfg.address, namespace: cfg.namespace, tls: Boolean(cfg.tls), mtls: Boolean(cfg.tls?.cert), apiKey: Boolean(cfg.apiKey) });
      connection = await connect(cfg, tls, logger, stop.signal);
      if (!connection) { state = 'STOPPED'; return 0; }
      // Missing search attributes would fail every workflow task: refuse to start, naming them and the fix.
      await connection.withDeadline(Date.now() + 10_000, () => requireNamespaceReady(connection!, cfg.namespace, cfg.address));
      const extra = {
        identity: cfg.identity,
        shutdownGraceTime: cfg.shutdownGraceMs,
        shutdownForceTime: cfg.shutdownGraceMs + FORCE_AFTER_GRACE_MS,
        ...(cfg.maxConcurrentActivities ? { maxConcurrentActivityTaskExecutions: cfg.maxConcurrentActivities } : {}),
        ...(cfg.maxConcurrentWorkflowTasks ? { maxConcurrentWorkflowTaskExecutions: cfg.maxConcurrentWorkflowTasks } : {}),
        ...(cfg.maxCachedWorkflows ? { maxCachedWorkflows: cfg.maxCachedWorkflows } : {}),
      };
      ({ worker } = await createInstallerWorker({
        connection, namespace: cfg.namespace, taskQueue: cfg.taskQueue, dataConverter: o.dataConverter, pool, extra,
        workflowBundle: cfg.workflowBundle ? { codePath: cfg.workflowBundle } : undefined,
      }));
      if (stop.signal.aborted) { state = 'STOPPED'; return 0; }
      logger.info('worker started', {
        identity: cfg.identity, address: cfg.address, namespace: cfg.namespace, taskQueue: cfg.taskQueue,
        encryption: o.dataConverter ? 'on' : 'OFF (--insecure-plaintext)',
        workflowBundle: cfg.workflowBundle ?? 'built at start',
        maxConcurrentActivities: cfg.maxConcurrentActivities, maxConcurrentWorkflowTasks: cfg.maxConcurrentWorkflowTasks,
        maxCachedWorkflows: cfg.maxCachedWorkflows,
        health: health?.url, metrics: cfg.metrics ? `http://${formatHostPort(cfg.metrics)}/metrics` : undefined,
      });
      await worker.run();
      state = 'STOPPED';
      logger.info('worker stopped', { drainMs: stopRequestedAt ? Date.now() - stopRequestedAt : undefined });
    } catch (err) {
      state = 'FAILED';
      code = 1;
      if (err instanceof NamespaceNotReadyError) fatal = err;
      logger.error('worker failed', { error: err as Error });
    } finally {
      for (const [sig, h] of handlers) process.off(sig, h);
      await pool.closeAll().catch(() => undefined);
      await connection?.close().catch(() => undefined);
      await health?.close();
    }
    return code;
  })();

  return { logger, health, done, shutdown, notReady: () => fatal };
}
