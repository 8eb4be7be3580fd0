// AES-256-GCM payload codec: every payload the worker, the CLI and the tests send through Temporal is
// encrypted before it leaves the process, so the server's history (and anyone reading it) sees ciphertext.
// The whole Payload proto (metadata + data) is encrypted, so even the original encoding stays private.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { EXIT_BAD_INPUT, UserError } from '../errors';
import { refusedPayload } from './refused';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
export const ENV_CODEC_KEYS = 'KLOUDSPOT_CODEC_KEYS';
export const ENV_CODEC_KEY_FILE = 'KLOUDSPOT_CODEC_KEY_FILE';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The keys a codec knows: `current` encrypts, every entry (current included) decrypts. */
export interface CodecKeys {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** The on-disk / environment form: `{ "current": "<id>", "keys": { "<id>": "<base64 of 32 bytes>" } }`. */
export interface CodecKeyFile {
  current: string;
  keys: Record<string, string>;
}

/** A configuration problem a person must fix (exit code 2); messages never contain key material. */
export class CodecKeyError extends UserError {
  constructor(message: string) {
    super(message, EXIT_BAD_INPUT);
    this.name = 'CodecKeyError';
  }
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined): string | undefined => (b ? Buffer.from(b).toString('utf8') : undefined);

export interface AesGcmCodecOptions {
  /**
   * What decode does with a payload that is not encrypted. 'refuse' (the worker, the CLI): it becomes the
   * refusal marker (refused.ts), so a plaintext start or signal is refused with a reason instead of acted on.
   * 'pass' (the codec server, which only displays): returned as it is.
   */
  plaintext?: 'refuse' | 'pass';
}

export class AesGcmCodec implements PayloadCodec {
  private readonly currentKey: Buffer;
  private readonly refusePlaintext: boolean;

  constructor(private readonly keys: CodecKeys, o: AesGcmCodecOptions = {}) {
    this.refusePlaintext = (o.plaintext ?? 'refuse') === 'refuse';
    const key = keys.keys.get(keys.current);
    if (!key) throw new CodecKeyError(`codec keys: the current key "${keys.current}" is not among the keys`);
    this.currentKey = key;
  }

  get currentKeyId(): string { return this.keys.current; }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encryptOne(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decryptOne(p));
  }

  private encryptOne(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.currentKey, iv);
    // The key id is authenticated too: relabelling a payload with another id makes it fail, not decrypt oddly.
    cipher.setAAD(utf8(this.keys.current));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: utf8(this.keys.current) },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  private decryptOne(payload: Payload): Payload {
    const encoding = text(payload.metadata?.[METADATA_ENCODING_KEY]);
    if (encoding !== ENCRYPTED_ENCODING) return this.refusePlaintext ? plainPayload(refusedPayload(encoding)) : payload;
    const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
    if (!keyId) throw new ValueError(`encrypted payload has no ${METADATA_KEY_ID} metadata; it was not written by this codec`);
    const key = this.keys.keys.get(keyId);
    if (!key) {
      throw new ValueError(
        `payload was encrypted with key "${keyId}", which is not configured (known: ${[...this.keys.keys.keys()].join(', ')}); ` +
        'keep retired keys in the key file\'s "keys" so old histories still decode');
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError(`encrypted payload (key "${keyId}") is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(utf8(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new ValueError(`encrypted payload (key "${keyId}") failed authentication: it was altered, or the key under that id is not the one that encrypted it`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

function plainPayload(value: unknown): Payload {
  return { metadata: { [METADATA_ENCODING_KEY]: utf8('json/plain') }, data: utf8(JSON.stringify(value)) };
}

/** Validates the JSON form; `source` names where it came from (a file path or an environment variable). */
export function parseCodecKeys(json: string, source: string): CodecKeys {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    // JSON.parse's message quotes the input, which may be key material: say only where and what.
    throw new CodecKeyError(`${source} is not valid JSON; expected {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}} (create one with \`kloudspot-installer codec-key new FILE\`)`);
  }
  const fix = 'expected {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CodecKeyError(`${source}: ${fix}`);
  const { current, keys } = raw as Record<string, unknown>;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys) || Object.keys(keys).length === 0) {
    throw new CodecKeyError(`${source}: "keys" must be an object with at least one key; ${fix}`);
  }
  const map = new Map<string, Buffer>();
  for (const [id, value] of Object.entries(keys as Record<string, unknown>)) {
    if (!KEY_ID.test(id)) throw new CodecKeyError(`${source}: key id "${id.slice(0, 64)}" must be 1-64 characters of letters, digits, '.', '_' or '-'`);
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
    // Buffer.from(…, 'base64') skips junk silently; a round trip proves the value was clean base64.
    if (!bytes || bytes.length !== KEY_BYTES || bytes.toString('base64') !== (value as string).replace(/\s+/g, '')) {
      throw new CodecKeyError(`${source}: key "${id}" must be the base64 encoding of exactly ${KEY_BYTES} random bytes (generate a file with \`kloudspot-installer codec-key new FILE\`)`);
    }
    map.set(id, bytes);
  }
  if (typeof current !== 'string' || !map.has(current)) {
    throw new CodecKeyError(`${source}: "current" must name one of the keys (${[...map.keys()].join(', ')})`);
  }
  return { current, keys: map };
}

export function readCodecKeyFile(path: string): CodecKeys {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${code ?? 'error'})`;
    throw new CodecKeyError(`codec key file ${path} ${why}; create one with \`kloudspot-installer codec-key new ${path}\` or point ${ENV_CODEC_KEY_FILE} / --codec-key-file at the existing one`);
  }
  return parseCodecKeys(content, `codec key file ${path}`);
}

/**
 * Keys from, in order: `keyFile` (the --codec-key-file flag), `KLOUDSPOT_CODEC_KEY_FILE`, `KLOUDSPOT_CODEC_KEYS`.
 * Undefined when none is configured; the caller decides whether that is allowed.
 */
export function loadCodecKeys(o: { keyFile?: string; env?: NodeJS.ProcessEnv } = {}): CodecKeys | undefined {
  const env = o.env ?? process.env;
  if (o.keyFile) return readCodecKeyFile(o.keyFile);
  const file = env[ENV_CODEC_KEY_FILE]?.trim();
  const inline = env[ENV_CODEC_KEYS]?.trim();
  if (file && inline) throw new CodecKeyError(`both ${ENV_CODEC_KEY_FILE} and ${ENV_CODEC_KEYS} are set; unset one so it is clear which keys are used`);
  if (file) return readCodecKeyFile(file);
  if (inline) return parseCodecKeys(inline, `environment variable ${ENV_CODEC_KEYS}`);
  return undefined;
}

export function newKeyId(now = new Date()): string {
  return `k${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
}

function writeKeyFile(path: string, file: CodecKeyFile, flag: 'wx' | 'w'): void {
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag });
  chmodSync(path, 0o600); // mode is only applied on creation; a rotated file may have been loosened since
}

/** Writes a new key file with one fresh key (mode 0600); refuses to overwrite, since that would orphan old payloads. */
export function generateKeyFile(path: string): { keyId: string } {
  if (existsSync(path)) throw new CodecKeyError(`${path} already exists; a new key file would make payloads encrypted with it unreadable. Use \`kloudspot-installer codec-key rotate ${path}\` to add a key, or choose another path`);
  const keyId = newKeyId();
  try {
    writeKeyFile(path, { current: keyId, keys: { [keyId]: randomBytes(KEY_BYTES).toString('base64') } }, 'wx');
  } catch (err) {
    throw new CodecKeyError(`cannot write codec key file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { keyId };
}

/** Adds a fresh key and makes it current; old keys stay so existing histories still decode. */
export function rotateKeyFile(path: string): { keyId: string; previous: string } {
  const existing = readCodecKeyFile(path);
  const keyId = newKeyId();
  const keys: Record<string, string> = {};
  for (const [id, k] of existing.keys) keys[id] = k.toString('base64');
  keys[keyId] = randomBytes(KEY_BYTES).toString('base64');
  writeKeyFile(path, { current: keyId, keys }, 'w');
  return { keyId, previous: existing.current };
}
