// The testbed's tools server speaks https, as the installer demands of a tools URL (the script runs as root):
// a self-signed certificate for the host's testbed address, trusted by every node as a site's internal CA is.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec';

export interface TestbedTls { cert: string; key: string }

export function makeServerCertificate(dir: string, address: string): TestbedTls {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, 'tools-server.crt');
  const keyFile = join(dir, 'tools-server.key');
  run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '7',
    '-subj', '/CN=kloudspot testbed tools server', '-addext', `subjectAltName=IP:${address}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', keyFile, '-out', certFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/**
 * Adds the certificate to a node's trust store (before its first boot), so curl on the node verifies it: in
 * /usr/local/share/ca-certificates, which every later update-ca-certificates (a ca-certificates upgrade) keeps,
 * and appended to the bundle curl reads now (running update-ca-certificates itself takes half a minute here).
 */
export function trustOnNode(root: string, cert: string): void {
  writeFileSync(join(root, 'usr/local/share/ca-certificates/kloudspot-testbed.crt'), cert);
  appendFileSync(join(root, 'etc/ssl/certs/ca-certificates.crt'), cert);
}
