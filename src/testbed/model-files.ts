// Files the cluster model and the real node share: MicroK8s' join-token file and server certificate live on the
// real node (the installer writes the token with a real `tee` and hashes the certificate with a real `openssl`),
// and the model's cluster agent reads them there, as the real agent would. The host reaches each node's files
// through its root file system (an overlay mount); every model run loads them first and writes back what it changed.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_TOKENS } from '../sim/cluster-tokens';
import type { SimNode } from '../sim/node-state';
import { run } from './exec';

export const SERVER_CERT = '/var/snap/microk8s/current/certs/server.crt';

/** The SHA-256 (hex) of a PEM certificate's DER, what utils.sh server_cert_check hashes. */
export function derSha256(pem: string): string {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (!body) throw new Error('not a PEM certificate');
  return createHash('sha256').update(Buffer.from(body.replace(/\s+/g, ''), 'base64')).digest('hex');
}

export class ModelFiles {
  /** What each node's token file held when the model last loaded it (undefined: absent). */
  private readonly loaded = new Map<SimNode, string | undefined>();

  constructor(private readonly rootOf: (node: SimNode) => string | undefined) {}

  /** Before a model run: the real token files, and each installed node's real server certificate, as the model's. */
  load(nodes: SimNode[]): void {
    for (const node of nodes) {
      const root = this.rootOf(node);
      if (!root) continue;
      const tokens = join(root, CLUSTER_TOKENS);
      const text = existsSync(tokens) ? readFileSync(tokens, 'utf8') : undefined;
      this.loaded.set(node, text);
      if (text === undefined) node.files.delete(CLUSTER_TOKENS); else node.put(CLUSTER_TOKENS, text, 0o660);
      if (node.microk8s.installed) node.microk8s.certCheck = derSha256(this.serverCert(root));
    }
  }

  /** After a model run: a token file the model changed (the agent consumed a token) is written back to the node. */
  save(nodes: SimNode[]): void {
    for (const node of nodes) {
      const root = this.rootOf(node);
      if (!root) continue;
      if (node.microk8s.installed) node.microk8s.certCheck = derSha256(this.serverCert(root));
      const now = node.files.get(CLUSTER_TOKENS)?.content;
      if (now === this.loaded.get(node)) continue;
      const tokens = join(root, CLUSTER_TOKENS);
      if (now === undefined) rmSync(tokens, { force: true });
      else {
        writeFileSync(tokens, now);
        chmodSync(tokens, 0o660);
      }
      this.loaded.set(node, now);
    }
  }

  /** The node's server.crt, made at its first need (the snap makes it at install): a real certificate, so real openssl reads it. */
  private serverCert(root: string): string {
    const cert = join(root, SERVER_CERT);
    if (!existsSync(cert)) {
      mkdirSync(join(root, '/var/snap/microk8s/current/credentials'), { recursive: true, mode: 0o750 });
      mkdirSync(join(cert, '..'), { recursive: true, mode: 0o750 });
      const key = join(cert, '../server.key');
      run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '365',
        '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: ['ignore', 'ignore', 'pipe'] });
      chmodSync(key, 0o600);
    }
    return readFileSync(cert, 'utf8');
  }
}
