// Issue 17, finding 1 (last part): docker-compose.yml runs the Temporal frontend with mTLS. Without a Docker
// engine here, the compose file is parsed and held to it: the frontend requires client certificates of the
// private CA, every service that talks to the frontend presents one under the variable names its image reads,
// each from a mounted secret, and the mounted files are exactly what deploy/gen-mtls-certs.sh writes (run here
// for real, its certificates checked with openssl: names, key usages, chain).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as yaml from 'js-yaml';

const ROOT = join(__dirname, '..', '..');
type Service = Record<string, any>;
const compose = yaml.load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; secrets: Record<string, { file: string }> };
const envOf = (s: Service): Record<string, string> => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
const secretsOf = (s: Service): string[] => (s.secrets ?? []).map((x: string | { source: string }) => (typeof x === 'string' ? x : x.source));
const interpolate = (s: string) => s.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

/** Each client image's own names for: client certificate, its key, the CA, the server name to verify. */
const CLIENT_VARS: { image: RegExp; vars: [string, string, string, string] }[] = [
  // src/worker/config.ts (our image: worker, CLI)
  { image: /^kloudspot-installer:/, vars: ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME'] },
  // temporalio/ui's server configuration
  { image: /^temporalio\/ui:/, vars: ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME'] },
  // the temporal CLI in temporalio/admin-tools (its --tls-cert-path, --tls-key-path, --tls-ca-path, --tls-server-name)
  { image: /^temporalio\/admin-tools:/, vars: ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_NAME'] },
];

/** The secret a service mounts at `path` (/run/secrets/<name>), and the host file it comes from. */
function mounted(service: string, path: string): string {
  const s = compose.services[service];
  const m = /^\/run\/secrets\/([a-z0-9_]+)$/.exec(path);
  assert.ok(m, `${service}: ${path} is a mounted secret`);
  assert.ok(secretsOf(s).includes(m[1]), `${service} mounts secret ${m[1]}`);
  assert.ok(compose.secrets[m[1]], `secret ${m[1]} is declared`);
  return interpolate(compose.secrets[m[1]].file);
}

const dir = mkdtempSync(join(tmpdir(), 'ks-compose-mtls-'));
const certs = join(dir, 'mtls');
const gen = spawnSync('bash', [join(ROOT, 'deploy', 'gen-mtls-certs.sh'), certs], { encoding: 'utf8', env: { ...process.env, FRONTEND_NAMES: undefined } });
const written = gen.status === 0 ? readdirSync(certs) : [];
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('gen-mtls-certs.sh writes the CA and the frontend, worker and cli pairs', () => {
  assert.equal(gen.status, 0, gen.stderr);
  assert.deepEqual(new Set(written), new Set(['ca.crt', 'ca.key', 'ca.srl', 'frontend.crt', 'frontend.key', 'worker.crt', 'worker.key', 'cli.crt', 'cli.key']));
  for (const f of written.filter((n) => n.endsWith('.key'))) assert.equal(statSync(join(certs, f)).mode & 0o777, 0o600, `${f} is 0600`);
});

test('compose: the frontend requires client certificates of the private CA, from the files gen-mtls-certs.sh writes', () => {
  const env = envOf(compose.services.temporal);
  assert.equal(env.TEMPORAL_TLS_REQUIRE_CLIENT_AUTH, 'true');
  const files: Record<string, string> = {
    TEMPORAL_TLS_FRONTEND_CERT: 'frontend.crt', TEMPORAL_TLS_FRONTEND_KEY: 'frontend.key', TEMPORAL_TLS_CLIENT1_CA_CERT: 'ca.crt',
    // internode, and the system worker's client certificate to the frontend
    TEMPORAL_TLS_SERVER_CERT: 'frontend.crt', TEMPORAL_TLS_SERVER_KEY: 'frontend.key', TEMPORAL_TLS_SERVER_CA_CERT: 'ca.crt',
  };
  for (const [name, file] of Object.entries(files)) {
    assert.ok(env[name], `temporal sets ${name}`);
    const host = mounted('temporal', env[name]);
    assert.equal(host, `./deploy/secrets/mtls/${file}`, `${name} is gen-mtls-certs.sh's ${file}`);
    assert.ok(written.includes(basename(host)), `gen-mtls-certs.sh writes ${file}`);
  }
  // The names the server verifies on internode and system-worker calls are in the frontend certificate.
  const san = openssl('x509', '-in', join(certs, 'frontend.crt'), '-noout', '-ext', 'subjectAltName,extendedKeyUsage');
  for (const name of [env.TEMPORAL_TLS_FRONTEND_SERVER_NAME, env.TEMPORAL_TLS_INTERNODE_SERVER_NAME]) assert.match(san, new RegExp(`DNS:${name}\\b`));
  assert.match(san, /TLS Web Server Authentication/);
  assert.match(san, /TLS Web Client Authentication/, 'the frontend certificate also serves as the system worker\'s client certificate');
});

test('compose: every service that talks to the frontend presents a client certificate of the CA, mounted from deploy/secrets/mtls', () => {
  const clients = Object.entries(compose.services).filter(([, s]) => envOf(s).TEMPORAL_ADDRESS);
  assert.deepEqual(clients.map(([n]) => n).sort(), ['temporal-setup', 'temporal-ui', 'worker']);
  const frontendSan = openssl('x509', '-in', join(certs, 'frontend.crt'), '-noout', '-ext', 'subjectAltName');
  for (const [name, s] of clients) {
    assert.match(envOf(s).TEMPORAL_ADDRESS, /^temporal:7233$/, `${name} calls the frontend`);
    const kind = CLIENT_VARS.find((k) => k.image.test(interpolate(s.image)));
    assert.ok(kind, `${name}: image ${s.image} is one whose TLS settings this test knows`);
    const env = envOf(s);
    const [certVar, keyVar, caVar, serverNameVar] = kind.vars;
    for (const v of kind.vars) assert.ok(env[v], `${name} sets ${v}`);
    const cert = mounted(name, env[certVar]);
    const key = mounted(name, env[keyVar]);
    const ca = mounted(name, env[caVar]);
    assert.equal(ca, './deploy/secrets/mtls/ca.crt', `${name} trusts the private CA`);
    const who = /^\.\/deploy\/secrets\/mtls\/(worker|cli)\.crt$/.exec(cert)?.[1];
    assert.ok(who, `${name}: ${cert} is a client certificate gen-mtls-certs.sh writes`);
    assert.equal(key, `./deploy/secrets/mtls/${who}.key`, `${name}: the key of ${who}.crt`);
    for (const f of [cert, key, ca]) assert.ok(written.includes(basename(f)), `gen-mtls-certs.sh writes ${basename(f)}`);
    // The certificate is one the frontend accepts: signed by the CA, for client authentication.
    assert.match(openssl('verify', '-CAfile', join(certs, 'ca.crt'), '-purpose', 'sslclient', join(certs, `${who}.crt`)), /: OK/);
    assert.match(frontendSan, new RegExp(`DNS:${env[serverNameVar]}\\b`), `${name} verifies a name the frontend's certificate carries`);
  }
  // The worker image's own user reads its mounts; the CA's private key never leaves the host.
  for (const [name, s] of Object.entries(compose.services)) {
    for (const secret of secretsOf(s)) assert.notEqual(basename(compose.secrets[secret].file), 'ca.key', `${name} does not mount ca.key`);
  }
});

test('compose: the mTLS files live in the git-ignored deploy/secrets/mtls', () => {
  const mtls = Object.entries(compose.secrets).filter(([n]) => n.startsWith('mtls_'));
  assert.equal(mtls.length, 7);
  for (const [, s] of mtls) execFileSync('git', ['check-ignore', '-q', interpolate(s.file)], { cwd: ROOT });
});
