// A throwaway self-signed certificate with a chosen lifetime, for the health fault that puts an ingress TLS
// Secret near its end (the doctor reads its notAfter). Made by the openssl CLI, which the tests need anyway.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function selfSignedPair(host: string, days: number): { certPem: string; keyPem: string } {
  if (!Number.isInteger(days) || days < 1) throw new Error('openssl req -days takes a whole number of days, at least 1');
  const dir = mkdtempSync(join(tmpdir(), 'sim-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(days),
      '-subj', `/CN=${host}`, '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    return { certPem: readFileSync(join(dir, 'c.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'k.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
