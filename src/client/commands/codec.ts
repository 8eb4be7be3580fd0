import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { CodecKeyError, generateKeyFile, loadCodecKeys, rotateKeyFile } from '../../codec/codec';
import { NO_KEY_MESSAGE } from '../../codec/data-converter';
import { startCodecServer } from '../../codec/server';
import { EXIT_BAD_INPUT, UserError } from '../errors';

const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

interface CodecServerFlags {
  port: string;
  host: string;
  uiOrigin?: string[];
  codecKeyFile?: string;
  tokenFile?: string;
  /** commander's --no-token: false when given. */
  token: boolean;
}

/** Where the token lives when no flag names a file: never printed, so it stays out of terminals and logs. */
export const defaultTokenFile = (): string =>
  process.env.KLOUDSPOT_CODEC_TOKEN_FILE || join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'kloudspot', 'codec-server.token');

/** Reads the token from the file, or creates the file with a fresh token (mode 0600) when it does not exist. */
function tokenFromFile(file: string): { token: string; created: boolean } {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const token = randomBytes(32).toString('base64url');
    writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
    return { token, created: true };
  }
  const st = statSync(file);
  if (!st.isFile() || st.size > 4096) throw new UserError(`token file ${file} must be a regular file of at most 4 KiB holding the token`, EXIT_BAD_INPUT);
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16) throw new UserError(`token file ${file} must hold a token of at least 16 characters (delete it to have one generated)`, EXIT_BAD_INPUT);
  return { token, created: false };
}

export function registerCodec(program: Command): void {
  program.command('codec-server')
    .description('serve /encode and /decode for the Temporal Web UI and CLI, so they show decrypted payloads (private keys and tokens redacted)')
    .option('--port <port>', 'port to listen on', '8888')
    .option('--host <address>', 'address to listen on; keep loopback unless behind an https proxy', '127.0.0.1')
    .option('--ui-origin <url...>', `Web UI origin(s) allowed to call it (default ${DEFAULT_UI_ORIGINS.join(' ')})`)
    .option('--codec-key-file <file>', 'payload encryption keys (env KLOUDSPOT_CODEC_KEY_FILE or KLOUDSPOT_CODEC_KEYS)')
    .option('--token-file <file>', 'bearer token callers must send; created with a fresh token if missing (default $KLOUDSPOT_CODEC_TOKEN_FILE, else ~/.config/kloudspot/codec-server.token)')
    .option('--no-token', 'no bearer token (loopback only): for the local dev server, whose http UI cannot send one')
    .addHelpText('after', [
      '',
      'Local dev server (its UI is http, so it cannot send a token):',
      '  $ kloudspot-installer codec-server --no-token --codec-key-file ks-keys.json',
      '  $ temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8888',
      'Temporal CLI with a token:',
      '  $ kloudspot-installer codec-server --token-file codec.token   # the token is never printed',
      '  $ temporal workflow show -w install/acme-hq --codec-endpoint http://127.0.0.1:8888 --codec-auth "Bearer $(cat codec.token)"',
    ].join('\n'))
    .action(async (_o: CodecServerFlags, cmd: Command) => {
      const o = cmd.optsWithGlobals<CodecServerFlags>();
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a port number, not "${o.port}"`, EXIT_BAD_INPUT);
      if (o.tokenFile && o.token === false) throw new UserError('--token-file and --no-token contradict each other; pass one', EXIT_BAD_INPUT);
      const keys = loadCodecKeys({ keyFile: o.codecKeyFile });
      if (!keys) throw new CodecKeyError(NO_KEY_MESSAGE.replace(/, or pass --insecure-plaintext.*$/, ''));
      const allowedOrigin = o.uiOrigin?.length ? o.uiOrigin : DEFAULT_UI_ORIGINS;

      let token: string | undefined;
      let tokenNote: string;
      if (o.token === false) {
        tokenNote = 'no token (loopback only, CORS limited to the UI origin)';
      } else {
        const file = o.tokenFile ?? defaultTokenFile();
        const t = tokenFromFile(file);
        token = t.token;
        tokenNote = `${t.created ? 'new token written to' : 'token from'} ${file} (send it as "Authorization: Bearer <token>")`;
      }
      let server;
      try {
        server = await startCodecServer({ port, host: o.host, keys, allowedOrigin, token, requireToken: o.token !== false });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new UserError(`port ${port} on ${o.host} is in use; pick another with --port`);
        throw new UserError((err as Error).message, EXIT_BAD_INPUT);
      }
      process.stdout.write([
        `Codec server on ${server.url} (keys: current ${keys.current}, ${keys.keys.size} known); ${tokenNote}.`,
        `Allowed UI origins: ${allowedOrigin.join(', ')}`,
        `Point the UI at it: temporal server start-dev --ui-codec-endpoint ${server.url}  (or the UI's "Configure data encoder")`,
        'Ctrl-C to stop.',
        '',
      ].join('\n'));
      await new Promise<void>((resolve) => {
        const stop = () => { void server.close().finally(resolve); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  const key = program.command('codec-key').description('manage the payload encryption key file')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer codec-key new ks-keys.json\n  $ kloudspot-installer codec-key rotate ks-keys.json');
  key.command('new')
    .argument('<file>', 'where to write the key file (mode 0600); must not exist')
    .description('create a key file with one fresh AES-256 key')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer codec-key new ~/.config/kloudspot/codec-keys.json\n  $ export KLOUDSPOT_CODEC_KEY_FILE=~/.config/kloudspot/codec-keys.json')
    .action((file: string) => {
      const { keyId } = generateKeyFile(file);
      process.stdout.write(`Wrote key ${keyId} to ${file} (mode 0600). Give the same file to the worker, the CLI and the codec server: KLOUDSPOT_CODEC_KEY_FILE=${file} or --codec-key-file ${file}. Losing it makes existing histories unreadable.\n`);
    });
  key.command('rotate')
    .argument('<file>', 'an existing key file')
    .description('add a fresh key and make it current; older keys stay so existing histories still decode')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer codec-key rotate ~/.config/kloudspot/codec-keys.json')
    .action((file: string) => {
      const { keyId, previous } = rotateKeyFile(file);
      process.stdout.write(`New current key ${keyId} in ${file} (previous ${previous} kept for decoding). Restart workers and codec servers to pick it up.\n`);
    });
}
