// `kubectl create secret tls NAME --cert=F --key=F [--dry-run=client] [-o yaml]`: kubectl reads both
// files and checks the pair with Go's tls.X509KeyPair, whose errors it prints as `error: tls: ...`.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';

/** The check tls.X509KeyPair makes, with its messages (crypto/tls/tls.go). */
export function checkKeyPair(certPem: string, keyPem: string): string | null {
  if (!/-----BEGIN CERTIFICATE-----/.test(certPem)) return 'tls: failed to find any PEM data in certificate input';
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) return 'tls: failed to find any PEM data in key input';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return 'x509: malformed certificate';
  }
  try {
    const key = createPrivateKey(keyPem);
    if (!cert.checkPrivateKey(key)) return 'tls: private key does not match public key';
  } catch {
    return 'tls: failed to parse private key';
  }
  return null;
}

export async function createSecretTls(p: Proc, c: Cluster, name: string | undefined, ns: string, other: Map<string, string>, output?: string): Promise<number> {
  if (!name) { p.err('error: exactly one NAME is required, got 0\nSee \'kubectl create secret tls -h\' for help and examples\n'); return 1; }
  const certFile = other.get('--cert');
  const keyFile = other.get('--key');
  if (!certFile || !keyFile) { p.err('error: key and cert must be specified\n'); return 1; }
  // kubectl pkg/cmd/create/create_secret_tls.go readFile(): "Cannot read file %v, %v".
  for (const f of [certFile, keyFile]) {
    if (p.readFile(f) === undefined) { p.err(`error: Cannot read file ${f}, open ${f}: no such file or directory\n`); return 1; }
    if (!p.node.canRead(f, p.root)) { p.err(`error: Cannot read file ${f}, open ${f}: permission denied\n`); return 1; }
  }
  const certPem = p.readFile(certFile)!;
  const keyPem = p.readFile(keyFile)!;
  const problem = checkKeyPair(certPem, keyPem);
  if (problem) { p.err(`error: ${problem}\n`); return 1; }
  await p.work('command');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const dryRun = other.get('--dry-run');
  if (dryRun === 'client' || dryRun === 'true') {
    if (output === 'yaml') {
      p.out(`apiVersion: v1\ndata:\n  tls.crt: ${b64(certPem)}\n  tls.key: ${b64(keyPem)}\nkind: Secret\nmetadata:\n  creationTimestamp: null\n  name: ${name}\n  namespace: ${ns}\ntype: kubernetes.io/tls\n`);
    } else if (output === 'json') {
      p.out(`${JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name, namespace: ns, creationTimestamp: null }, data: { 'tls.crt': b64(certPem), 'tls.key': b64(keyPem) }, type: 'kubernetes.io/tls' }, null, 4)}\n`);
    } else {
      p.out(`secret/${name} created (dry run)\n`);
    }
    return 0;
  }
  if (c.store.get('Secret', ns, name)) { p.err(`error: failed to create secret secrets "${name}" already exists\n`); return 1; }
  c.store.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, data: { 'tls.crt': b64(certPem), 'tls.key': b64(keyPem) }, type: 'kubernetes.io/tls' });
  p.out(`secret/${name} created\n`);
  p.effect(`kubectl create secret ${ns}/${name}`);
  return 0;
}
