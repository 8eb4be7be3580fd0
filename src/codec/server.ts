// The codec server the Temporal Web UI and CLI call (the "remote data encoder"): POST /encode and /decode
// with proto3-JSON bodies, {"payloads": [{"metadata": {"<k>": "<base64>"}, "data": "<base64>"}]}.
// The UI sends Content-Type: application/json and X-Namespace, Authorization only when the codec endpoint is
// https and passAccessToken is on. The CLI (`--codec-endpoint URL --codec-auth "Bearer …"`) may prefix the
// paths with a namespace (`/{namespace}/decode`), so both forms are served.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { AesGcmCodec, type CodecKeys } from './codec';
import { redactPayloads } from './redact';

export interface CodecServerOptions {
  port: number;
  /** Loopback by default: the codec server hands out plaintext. */
  host?: string;
  keys: CodecKeys;
  /** Origin(s) of the Web UI allowed to call from a browser, e.g. http://localhost:8233. */
  allowedOrigin: string | string[];
  /** The bearer token required on /encode and /decode. */
  token?: string;
  /**
   * `false` for the local dev/demo setup only. The dev server's UI is plain http, and the UI never sends a
   * token to an http codec endpoint, so a token would lock it out. What is left to guard the endpoint then:
   * it listens on loopback only (startCodecServer refuses another host), browsers may call it only from the
   * allowed UI origin (preflight refused and requests with another Origin rejected), only JSON bodies are
   * accepted (so no "simple" cross-site form post reaches it), and the Host header must name loopback (so a
   * DNS-rebinding page cannot pass as same-origin). Any local process can still decode: that is the trade-off.
   */
  requireToken?: boolean;
  /** One line per request (method, path, status); never payload content. */
  log?: (line: string) => void;
  maxBodyBytes?: number;
}

export interface CodecServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface JsonPayload { metadata?: Record<string, string> | null; data?: string | null }

export const CORS_ALLOW_HEADERS = 'content-type,x-namespace,authorization,authorization-extras';
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) { super(message); }
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
/** Hashing first makes both sides the same length, so the comparison leaks neither content nor length. */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function fromJson(p: unknown, i: number): Payload {
  if (typeof p !== 'object' || p === null) throw new HttpError(400, `payloads[${i}] must be an object`);
  const { metadata, data } = p as JsonPayload;
  const out: Payload = { metadata: {} };
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object') throw new HttpError(400, `payloads[${i}].metadata must be an object of base64 strings`);
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new HttpError(400, `payloads[${i}].metadata.${k} must be a base64 string`);
      out.metadata![k] = Buffer.from(v, 'base64');
    }
  }
  if (data !== undefined && data !== null) {
    if (typeof data !== 'string') throw new HttpError(400, `payloads[${i}].data must be a base64 string`);
    out.data = Buffer.from(data, 'base64');
  }
  return out;
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader) ?? /^([^:]+)(?::\d+)?$/.exec(hostHeader);
  return (m?.[1] ?? hostHeader).toLowerCase();
}

export async function startCodecServer(o: CodecServerOptions): Promise<CodecServer> {
  const host = o.host ?? '127.0.0.1';
  const requireToken = o.requireToken !== false;
  const origins = new Set((Array.isArray(o.allowedOrigin) ? o.allowedOrigin : [o.allowedOrigin]).map((s) => s.replace(/\/+$/, '')));
  if (origins.size === 0) throw new Error('codec server: at least one allowed UI origin is required');
  if (requireToken && (!o.token || o.token.length < 16)) throw new Error('codec server: a bearer token of at least 16 characters is required (or requireToken: false on loopback)');
  if (!requireToken && !LOOPBACK.has(host)) throw new Error(`codec server: without a token it may only listen on loopback (127.0.0.1, ::1), not ${host}`);
  // The UI shows plaintext payloads (search attributes, patch markers, a refused start) as they are.
  const codec = new AesGcmCodec(o.keys, { plaintext: 'pass' });
  const limit = o.maxBodyBytes ?? 16 * 1024 * 1024;

  function cors(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (!origin || !origins.has(origin)) return {};
    return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' };
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function authorize(req: IncomingMessage): void {
    const origin = req.headers.origin;
    // Browsers send Origin on every cross-origin request and on same-origin POSTs; a foreign one is refused
    // even though CORS would hide the answer, so nothing is decrypted for it at all.
    if (origin !== undefined && !origins.has(origin)) throw new HttpError(403, `origin ${origin} is not allowed; start the codec server with --ui-origin ${origin} if that is your Web UI`);
    if (!requireToken) {
      if (!LOOPBACK.has(hostName(req.headers.host))) throw new HttpError(403, 'without a token, requests must address the server by a loopback name (127.0.0.1, localhost)');
      return;
    }
    const auth = req.headers.authorization;
    const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!m) throw new HttpError(401, 'missing bearer token: send "Authorization: Bearer <token>" (temporal CLI: --codec-auth "Bearer <token>")', { 'WWW-Authenticate': 'Bearer' });
    if (!tokensEqual(m[1], o.token!)) throw new HttpError(403, 'wrong bearer token');
  }

  async function convert(req: IncomingMessage, op: 'encode' | 'decode'): Promise<{ payloads: JsonPayload[] }> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') throw new HttpError(415, 'send Content-Type: application/json');
    let body: unknown;
    try { body = JSON.parse(await readBody(req, limit)); } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'request body is not valid JSON');
    }
    const raw = (body as { payloads?: unknown } | null)?.payloads;
    if (!Array.isArray(raw)) throw new HttpError(400, 'expected {"payloads": [{"metadata": {...}, "data": "<base64>"}]}');
    const payloads = raw.map(fromJson);
    let out: Payload[];
    try {
      out = op === 'encode' ? await codec.encode(payloads) : redactPayloads(await codec.decode(payloads));
    } catch (err) {
      throw new HttpError(422, `cannot ${op}: ${(err as Error).message}`);
    }
    return { payloads: out.map(toJson) };
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const op = /^(?:\/[^/]+)?\/(encode|decode)$/.exec(path)?.[1] as 'encode' | 'decode' | undefined;
    const done = (status: number) => o.log?.(`codec-server ${req.method} ${path} ${status}`);
    void (async () => {
      const corsHeaders = cors(req);
      try {
        if (req.method === 'GET' && path === '/healthz') { send(res, 200, { status: 'ok' }); return done(200); }
        if (!op) throw new HttpError(404, `no such endpoint ${path}; the codec server answers POST /encode and POST /decode`);
        if (req.method === 'OPTIONS') {
          // Preflight: answered for the allowed UI origin only; anything else gets no CORS headers, so the browser stops.
          if (!corsHeaders['Access-Control-Allow-Origin']) throw new HttpError(403, `origin ${req.headers.origin ?? '(none)'} is not allowed`);
          res.writeHead(204, {
            ...corsHeaders,
            'Access-Control-Allow-Methods': 'POST',
            'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
            'Access-Control-Max-Age': '600',
          });
          res.end();
          return done(204);
        }
        if (req.method !== 'POST') throw new HttpError(405, `use POST for /${op}`, { Allow: 'POST, OPTIONS' });
        authorize(req);
        send(res, 200, await convert(req, op), corsHeaders);
        done(200);
      } catch (err) {
        const e = err instanceof HttpError ? err : new HttpError(500, 'internal error');
        if (!(err instanceof HttpError)) o.log?.(`codec-server error: ${(err as Error).message}`);
        if (!res.headersSent) send(res, e.status, { error: e.message }, { ...corsHeaders, ...e.headers });
        else res.destroy();
        done(e.status);
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}
