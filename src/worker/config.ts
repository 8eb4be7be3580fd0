// The worker service's configuration: flags first, then environment variables, then defaults. The variable
// names are a contract shared with the Dockerfile, docker-compose.yml and the README (test/unit/production.test.ts
// checks they agree), so they are listed once here.
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import type { LogLevel } from '@temporalio/common';
import { TASK_QUEUE } from '../workflows/api';

export const ENV = {
  address: 'TEMPORAL_ADDRESS',
  namespace: 'TEMPORAL_NAMESPACE',
  tls: 'TEMPORAL_TLS',
  tlsCert: 'TEMPORAL_TLS_CERT',
  tlsKey: 'TEMPORAL_TLS_KEY',
  tlsCa: 'TEMPORAL_TLS_CA',
  tlsServerName: 'TEMPORAL_TLS_SERVER_NAME',
  apiKey: 'TEMPORAL_API_KEY',
  apiKeyFile: 'TEMPORAL_API_KEY_FILE',
  taskQueue: 'KLOUDSPOT_TASK_QUEUE',
  identity: 'KLOUDSPOT_WORKER_IDENTITY',
  maxConcurrentActivities: 'KLOUDSPOT_MAX_CONCURRENT_ACTIVITIES',
  maxConcurrentWorkflowTasks: 'KLOUDSPOT_MAX_CONCURRENT_WORKFLOW_TASKS',
  maxCachedWorkflows: 'KLOUDSPOT_MAX_CACHED_WORKFLOWS',
  shutdownGrace: 'KLOUDSPOT_SHUTDOWN_GRACE',
  connectTimeout: 'KLOUDSPOT_CONNECT_TIMEOUT',
  codecKeyFile: 'KLOUDSPOT_CODEC_KEY_FILE',
  healthAddress: 'KLOUDSPOT_HEALTH_ADDRESS',
  metricsAddress: 'KLOUDSPOT_METRICS_ADDRESS',
  logFormat: 'KLOUDSPOT_LOG_FORMAT',
  logLevel: 'KLOUDSPOT_LOG_LEVEL',
  workflowBundle: 'KLOUDSPOT_WORKFLOW_BUNDLE',
} as const;

/** The names Temporal's own client environment configuration uses, accepted as aliases of the short ones. */
export const ENV_ALIASES: Record<string, string> = {
  [ENV.tlsCert]: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  [ENV.tlsKey]: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  [ENV.tlsCa]: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
};

export const DEFAULTS = {
  address: '127.0.0.1:7233',
  namespace: 'default',
  taskQueue: TASK_QUEUE,
  shutdownGrace: '30s',
  connectTimeout: '2m',
  logFormat: 'json' as LogFormat,
  logLevel: 'INFO' as LogLevel,
};

export type LogFormat = 'json' | 'text';
const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** What the `worker` command's flags give; every field is optional (the environment fills in). */
export interface WorkerFlags {
  address?: string;
  namespace?: string;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsServerName?: string;
  taskQueue?: string;
  identity?: string;
  maxConcurrentActivities?: string;
  maxConcurrentWorkflowTasks?: string;
  maxCachedWorkflows?: string;
  shutdownGrace?: string;
  connectTimeout?: string;
  healthAddress?: string;
  metricsAddress?: string;
  logFormat?: string;
  logLevel?: string;
  workflowBundle?: string;
}

export interface TlsFiles { cert?: string; key?: string; ca?: string; serverName?: string }

export interface WorkerServiceConfig {
  address: string;
  namespace: string;
  /** undefined: plaintext gRPC; an object (possibly empty): TLS, with client certificates for mTLS. */
  tls?: TlsFiles;
  /** Temporal Cloud API key (never from a flag: it would show in `ps`). */
  apiKey?: string;
  taskQueue: string;
  identity: string;
  maxConcurrentActivities?: number;
  maxConcurrentWorkflowTasks?: number;
  /** Workflows kept in memory; the SDK derives its default from the V8 heap limit (600 a GiB above 200 MiB). */
  maxCachedWorkflows?: number;
  shutdownGraceMs: number;
  connectTimeoutMs: number;
  health?: HostPort;
  metrics?: HostPort;
  logFormat: LogFormat;
  logLevel: LogLevel;
  workflowBundle?: string;
}

export interface HostPort { host: string; port: number }

export class ConfigError extends Error {}

export function parseDuration(value: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m) throw new ConfigError(`${what} must be a duration like 30s, 2m or 1500ms, not "${value}"`);
  const n = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(n);
}

function parseCount(value: string | undefined, what: string, min = 1): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 10_000) throw new ConfigError(`${what} must be a whole number from ${min} to 10000, not "${value}"`);
  return n;
}

/** "host:port", "[v6]:port" or ":port" (all interfaces). Port 0 asks for a free one (health endpoint only). */
export function parseHostPort(value: string, what: string): HostPort {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(value.trim()) ?? /^([^:[\]]*):(\d+)$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${what} must be host:port (e.g. 0.0.0.0:9464 or 127.0.0.1:8080), not "${value}"`);
  }
  return { host: m[1] === '' ? '0.0.0.0' : m[1], port };
}

/** The Prometheus exporter binds a socket address: an IP, not a name. */
function socketAddress(hp: HostPort, what: string): HostPort {
  const host = hp.host === 'localhost' ? '127.0.0.1' : hp.host;
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(host) && !host.includes(':')) throw new ConfigError(`${what} needs an IP address (e.g. 0.0.0.0:9464), not the name "${hp.host}"`);
  if (hp.port === 0) throw new ConfigError(`${what} needs a fixed port for Prometheus to scrape`);
  return { host, port: hp.port };
}

export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

function truthy(v: string | undefined): boolean | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(v.trim())) return true;
  if (/^(0|false|no|off)$/i.test(v.trim())) return false;
  throw new ConfigError(`${ENV.tls} must be true or false, not "${v}"`);
}

/** Resolves flags over environment over defaults, checking every value; throws ConfigError with a fix. */
export function resolveWorkerConfig(flags: WorkerFlags, env: NodeJS.ProcessEnv = process.env): WorkerServiceConfig {
  const pick = (flag: string | undefined, name: string): string | undefined => {
    const v = flag ?? env[name] ?? (ENV_ALIASES[name] ? env[ENV_ALIASES[name]] : undefined);
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const cert = pick(flags.tlsCert, ENV.tlsCert);
  const key = pick(flags.tlsKey, ENV.tlsKey);
  const ca = pick(flags.tlsCa, ENV.tlsCa);
  const serverName = pick(flags.tlsServerName, ENV.tlsServerName);
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(`mTLS needs both the client certificate and its key: set ${ENV.tlsCert} and ${ENV.tlsKey} (or --tls-cert and --tls-key) together`);
  }
  const apiKeyFile = env[ENV.apiKeyFile]?.trim();
  let apiKey = env[ENV.apiKey]?.trim() || undefined;
  if (apiKeyFile) {
    if (apiKey) throw new ConfigError(`both ${ENV.apiKey} and ${ENV.apiKeyFile} are set; unset one`);
    try { apiKey = readFileSync(apiKeyFile, 'utf8').trim(); } catch (err) {
      throw new ConfigError(`${ENV.apiKeyFile} ${apiKeyFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  const tlsWanted = flags.tls ?? truthy(env[ENV.tls]);
  // An API key or any TLS file implies TLS, as in Temporal's own clients; TEMPORAL_TLS=false turns it off.
  const useTls = tlsWanted ?? Boolean(cert || ca || serverName || apiKey);
  const tls: TlsFiles | undefined = useTls ? { cert, key, ca, serverName } : undefined;
  if (!useTls && (cert || ca)) throw new ConfigError(`TLS files are set but ${ENV.tls}=false; remove one or the other`);

  const logFormat = (pick(flags.logFormat, ENV.logFormat) ?? DEFAULTS.logFormat).toLowerCase();
  if (logFormat !== 'json' && logFormat !== 'text') throw new ConfigError(`log format must be json or text, not "${logFormat}"`);
  const logLevel = (pick(flags.logLevel, ENV.logLevel) ?? DEFAULTS.logLevel).toUpperCase() as LogLevel;
  if (!LEVELS.includes(logLevel)) throw new ConfigError(`log level must be one of ${LEVELS.join(', ')}, not "${logLevel}"`);

  const health = pick(flags.healthAddress, ENV.healthAddress);
  const metrics = pick(flags.metricsAddress, ENV.metricsAddress);
  const grace = pick(flags.shutdownGrace, ENV.shutdownGrace) ?? DEFAULTS.shutdownGrace;
  const connect = pick(flags.connectTimeout, ENV.connectTimeout) ?? DEFAULTS.connectTimeout;
  return {
    address: pick(flags.address, ENV.address) ?? DEFAULTS.address,
    namespace: pick(flags.namespace, ENV.namespace) ?? DEFAULTS.namespace,
    tls,
    apiKey,
    taskQueue: pick(flags.taskQueue, ENV.taskQueue) ?? DEFAULTS.taskQueue,
    identity: pick(flags.identity, ENV.identity) ?? `${process.pid}@${hostname()}`,
    maxConcurrentActivities: parseCount(pick(flags.maxConcurrentActivities, ENV.maxConcurrentActivities), 'max concurrent activities'),
    maxConcurrentWorkflowTasks: parseCount(pick(flags.maxConcurrentWorkflowTasks, ENV.maxConcurrentWorkflowTasks), 'max concurrent workflow tasks', 2),
    maxCachedWorkflows: parseCount(pick(flags.maxCachedWorkflows, ENV.maxCachedWorkflows), 'max cached workflows', 2),
    shutdownGraceMs: parseDuration(grace, `shutdown grace (${ENV.shutdownGrace})`),
    connectTimeoutMs: parseDuration(connect, `connect timeout (${ENV.connectTimeout})`),
    health: health ? parseHostPort(health, `health address (${ENV.healthAddress})`) : undefined,
    metrics: metrics ? socketAddress(parseHostPort(metrics, `metrics address (${ENV.metricsAddress})`), `metrics address (${ENV.metricsAddress})`) : undefined,
    logFormat,
    logLevel,
    workflowBundle: pick(flags.workflowBundle, ENV.workflowBundle),
  };
}

/** Reads the TLS files into what NativeConnection wants; a missing file is a ConfigError naming it. */
export function loadTls(t: TlsFiles): { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } } {
  const read = (file: string, what: string): Buffer => {
    try { return readFileSync(file); } catch (err) {
      throw new ConfigError(`${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  return {
    serverNameOverride: t.serverName,
    serverRootCACertificate: t.ca ? read(t.ca, `TLS CA certificate (${ENV.tlsCa})`) : undefined,
    clientCertPair: t.cert && t.key ? { crt: read(t.cert, `TLS client certificate (${ENV.tlsCert})`), key: read(t.key, `TLS client key (${ENV.tlsKey})`) } : undefined,
  };
}
