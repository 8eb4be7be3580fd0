// Issue 17, finding 9: the codec server keeps its bearer token in a file (0600) by default and never prints it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli';

test('codec-server without flags writes a 0600 token file, prints its path but not the token, and requires it', { timeout: 60_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'ks-codec-token-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: '', KLOUDSPOT_CODEC_TOKEN_FILE: '', KLOUDSPOT_CODEC_KEY_FILE: join(__dirname, '..', 'fixtures', 'test-codec-keys.json') };
  const child = spawn(process.execPath, [CLI, 'codec-server', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  try {
    for (let i = 0; i < 300 && !/Codec server on/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const url = /Codec server on (http:\/\/\S+?) /.exec(out)?.[1];
    assert.ok(url, out);
    const file = join(home, '.config', 'kloudspot', 'codec-server.token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const token = readFileSync(file, 'utf8').trim();
    assert.ok(token.length >= 32);
    assert.ok(out.includes(file), 'the path is printed');
    assert.ok(!out.includes(token), 'the token is not printed');
    const body = JSON.stringify({ payloads: [] });
    const post = (headers: Record<string, string>) => fetch(`${url}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ Authorization: `Bearer ${token}` })).status, 200);
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    rmSync(home, { recursive: true, force: true });
  }
});
