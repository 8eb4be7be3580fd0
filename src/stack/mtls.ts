// mTLS between the stack's frontend and everything that calls it (workers, the CLI, the Web UI server, the
// namespace setup, the server's own system worker): deploy/gen-mtls-certs.sh makes the CA and certificates,
// and each party is configured from that directory. docs/security.md; README "Run in production".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';

const ROOT = join(__dirname, '..', '..');
/** The frontend certificate's SANs include this name (gen-mtls-certs.sh FRONTEND_NAMES); clients verify it. */
export const FRONTEND_SERVER_NAME = 'localhost';

export interface MtlsFiles { dir: string; ca: string; serverCert: string; serverKey: string }
export interface ClientCert { cert: string; key: string; ca: string; serverName: string }

/** The directory's certificates, made by deploy/gen-mtls-certs.sh on first use (kept between runs). */
export function ensureMtlsCertificates(dir: string): MtlsFiles {
  if (!existsSync(join(dir, 'cli.key'))) {
    const r = spawnSync('bash', [join(ROOT, 'deploy', 'gen-mtls-certs.sh'), dir], { encoding: 'utf8', env: { ...process.env, FRONTEND_NAMES: 'temporal localhost 127.0.0.1' } });
    if (r.status !== 0) throw new Error(`deploy/gen-mtls-certs.sh failed (exit ${r.status ?? r.signal}): ${(r.stdout + r.stderr).slice(-1000)}`);
  }
  return { dir, ca: join(dir, 'ca.crt'), serverCert: join(dir, 'frontend.crt'), serverKey: join(dir, 'frontend.key') };
}

/** A party's client certificate: `worker` (workers, the server's system worker, the UI server) or `cli` (people). */
export const clientCert = (m: MtlsFiles, who: 'worker' | 'cli'): ClientCert =>
  ({ cert: join(m.dir, `${who}.crt`), key: join(m.dir, `${who}.key`), ca: m.ca, serverName: FRONTEND_SERVER_NAME });

/** What @temporalio/client and NativeConnection take. */
export function connectionTls(c: ClientCert): TLSConfig {
  return {
    serverNameOverride: c.serverName,
    serverRootCACertificate: readFileSync(c.ca),
    clientCertPair: { crt: readFileSync(c.cert), key: readFileSync(c.key) },
  };
}

/** Our CLI's and worker's settings (src/worker/config.ts). */
export const kloudspotTlsEnv = (c: ClientCert): NodeJS.ProcessEnv =>
  ({ TEMPORAL_TLS_CERT: c.cert, TEMPORAL_TLS_KEY: c.key, TEMPORAL_TLS_CA: c.ca, TEMPORAL_TLS_SERVER_NAME: c.serverName });

/** The temporal CLI's environment names for the same settings (its --tls-cert-path etc.). */
export const temporalCliTlsEnv = (c: ClientCert): NodeJS.ProcessEnv => ({
  TEMPORAL_TLS_CLIENT_CERT_PATH: c.cert, TEMPORAL_TLS_CLIENT_KEY_PATH: c.key,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: c.ca, TEMPORAL_TLS_SERVER_NAME: c.serverName,
});

/** The server's `global.tls` (go.temporal.io/server common/config RootTLS): the frontend requires a client certificate. */
export function serverTlsYaml(m: MtlsFiles): string[] {
  const worker = clientCert(m, 'worker');
  const client = ['        serverName: "' + FRONTEND_SERVER_NAME + '"', '        rootCaFiles:', `          - "${m.ca}"`];
  return [
    '  tls:',
    '    frontend:',
    '      server:',
    `        certFile: "${m.serverCert}"`,
    `        keyFile: "${m.serverKey}"`,
    '        requireClientAuth: true',
    '        clientCaFiles:',
    `          - "${m.ca}"`,
    '      client:',
    ...client,
    // The server's own system worker calls the frontend like any client: it needs a certificate too.
    '    systemWorker:',
    `      certFile: "${worker.cert}"`,
    `      keyFile: "${worker.key}"`,
    '      client:',
    ...client,
  ];
}
