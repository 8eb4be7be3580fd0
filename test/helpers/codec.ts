// Shared by the codec's unit tests and its dev-server test: keys, payload (de)serialisation as the Web UI sends
// it, and a raw HTTP call to the codec server.
import { request } from 'node:http';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { CodecKeys } from '../../src/codec/codec';

export const keysOf = (entries: Record<string, Buffer>, current: string): CodecKeys => ({ current, keys: new Map(Object.entries(entries)) });
export const value = (p: Payload) => defaultPayloadConverter.fromPayload(p);

/** A raw HTTP call, so the test controls every header (Origin and Host included) the way a browser would send them. */
export interface CallResult { status: number; headers: Record<string, string | string[] | undefined>; json: any }
export function call(url: string, o: { method?: string; path: string; headers?: Record<string, string>; body?: unknown }): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    const req = request(url + o.path, { method: o.method ?? 'POST', headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode!, headers: res.headers, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const UI = 'http://localhost:8233';
export const TOKEN = 'test-token-0123456789abcdef';
export const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
export const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

/** The base64 body of a PEM block, as it would appear in a payload. */
export function body64(pem: string): string { return pem.split('\n').slice(1, -2).join(''); }
