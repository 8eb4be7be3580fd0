// A throwaway certificate for the demo's auto-answer and the tests, made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertificatePair { certificatePem: string; privateKeyPem: string }

export function makeCertificate(dnsHostname: string, opts: { days?: number } = {}): CertificatePair {
  const dir = mkdtempSync(join(tmpdir(), 'ks-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-days', String(opts.days ?? 30), '-subj', `/CN=${dnsHostname}`, '-addext', `subjectAltName=DNS:${dnsHostname}`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { certificatePem: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKeyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
