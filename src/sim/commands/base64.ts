// `base64 [-w COLS] FILE` (GNU coreutils 8.32): how the installer copies a file off a node through its exec
// channel (backups, support bundles; binary files are kept base64-encoded, node-state.ts). MicroK8s'
// certificates and keys exist once the snap is installed; their PEM bodies here are placeholders named after
// the node and file (the simulator makes no real keys).
import type { Proc } from '../process';
import type { CommandDef } from './types';

const CERTS_DIR = '/var/snap/microk8s/current/certs/';
export const MICROK8S_CERT_FILES = ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'front-proxy-ca.crt', 'front-proxy-ca.key',
  'front-proxy-client.crt', 'front-proxy-client.key', 'serviceaccount.key'];

function pem(node: string, file: string): string {
  const label = file.endsWith('.key') ? 'PRIVATE KEY' : 'CERTIFICATE';
  const body = Buffer.from(`simulated ${file} of ${node}`).toString('base64');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function bytesOf(p: Proc, path: string): Buffer | undefined {
  const f = p.node.files.get(path);
  if (f) return Buffer.from(f.content, f.binary ? 'base64' : 'utf8');
  if (path.startsWith(CERTS_DIR) && p.node.microk8s.installed && MICROK8S_CERT_FILES.includes(path.slice(CERTS_DIR.length))) {
    return Buffer.from(pem(p.node.name, path.slice(CERTS_DIR.length)));
  }
  const v = p.readFile(path);
  return v === undefined ? undefined : Buffer.from(v);
}

async function base64(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  let wrap = 76;
  const files: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '-w' || a[i] === '--wrap') wrap = Number(a[++i]);
    else if (a[i].startsWith('-w')) wrap = Number(a[i].slice(2));
    else if (a[i].startsWith('--wrap=')) wrap = Number(a[i].slice(7));
    else files.push(a[i]);
  }
  const [file] = files;
  if (!file) { p.out(Buffer.from(await p.stdin.readAll()).toString('base64') + '\n'); return 0; }
  await p.work('command');
  const secret = file.startsWith(CERTS_DIR) || (p.node.files.has(file) && !p.node.canRead(file, p.root));
  if (!p.root && secret) { p.err(`base64: ${file}: Permission denied\n`); return 1; }
  const bytes = bytesOf(p, file);
  if (!bytes) { p.err(`base64: ${file}: No such file or directory\n`); return 1; }
  const text = bytes.toString('base64');
  p.out(wrap > 0 ? `${text.match(new RegExp(`.{1,${wrap}}`, 'g'))?.join('\n') ?? ''}\n` : text);
  return 0;
}

export const BASE64: Record<string, CommandDef> = {
  base64: { path: '/usr/bin/base64', run: base64 },
};
