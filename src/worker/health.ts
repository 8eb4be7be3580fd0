// The worker's health endpoint, for Docker's HEALTHCHECK, Kubernetes probes and a load balancer:
//   GET /healthz  liveness: 200 while the process is doing its job (connecting, polling, draining),
//                 503 once the worker failed or stopped, so the orchestrator restarts it;
//   GET /readyz   readiness: 200 only while the worker polls and the Temporal server answers.
// Both answer a small JSON document with the worker's state; neither reveals configuration secrets.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ServiceState = 'STARTING' | 'CONNECTING' | 'INITIALIZED' | 'RUNNING' | 'STOPPING' | 'DRAINING' | 'DRAINED' | 'STOPPED' | 'FAILED';

export interface HealthSource {
  state(): ServiceState;
  /** Extra facts for the JSON body (identity, task queue, in-flight counts). */
  details(): Record<string, unknown>;
  /** Whether the Temporal server answers; called at most every few seconds. */
  serverReachable(): Promise<boolean>;
}

export interface HealthServer { url: string; port: number; close(): Promise<void> }

const LIVE: ReadonlySet<ServiceState> = new Set(['STARTING', 'CONNECTING', 'INITIALIZED', 'RUNNING', 'STOPPING', 'DRAINING', 'DRAINED']);

export function isLive(s: ServiceState): boolean {
  return LIVE.has(s);
}

export async function startHealthServer(o: { host: string; port: number; source: HealthSource; cacheMs?: number }): Promise<HealthServer> {
  const cacheMs = o.cacheMs ?? 5000;
  let checked: { at: number; ok: boolean } | undefined;
  let inFlight: Promise<boolean> | undefined;

  async function reachable(): Promise<boolean> {
    if (checked && Date.now() - checked.at < cacheMs) return checked.ok;
    inFlight ??= o.source.serverReachable().catch(() => false).then((ok) => {
      checked = { at: Date.now(), ok };
      inFlight = undefined;
      return ok;
    });
    return inFlight;
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: Record<string, unknown>) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'use GET' });
    void (async () => {
      const state = o.source.state();
      if (path === '/healthz' || path === '/livez') {
        const live = isLive(state);
        return send(live ? 200 : 503, { status: live ? 'ok' : 'down', state, ...o.source.details() });
      }
      if (path === '/readyz') {
        if (state !== 'RUNNING') return send(503, { status: 'not ready', state, reason: `worker is ${state.toLowerCase()}` });
        const ok = await reachable();
        return send(ok ? 200 : 503, ok ? { status: 'ready', state } : { status: 'not ready', state, reason: 'the Temporal server does not answer' });
      }
      return send(404, { error: `no such endpoint ${path}; try /healthz or /readyz` });
    })().catch(() => { if (!res.headersSent) send(500, { error: 'internal error' }); });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = o.host === '0.0.0.0' ? '127.0.0.1' : o.host === '::' ? '[::1]' : o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
