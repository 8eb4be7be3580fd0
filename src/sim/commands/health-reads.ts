// What the doctor reads that no install step does: certificate end dates (openssl x509 -enddate, as microk8s'
// refresh_certs.py runs it), the datastore directory's size (du -s -b) and the clock (date +%s.%N). Each reads
// SimNode.health, which the health faults (../health-faults.ts) change. Formats cited in docs/commands.md.
import type { Proc } from '../process';
import type { SimNode } from '../node-state';
import type { CommandDef } from './types';
import { BASIC } from './basic';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** ASN1_TIME_print (crypto/asn1/a_time.c): `notAfter=Jan 15 14:38:14 2027 GMT`, the day padded with a space. */
function formatEndDate(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `notAfter=${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT\n`;
}

const CERTS_DIR = '/var/snap/microk8s/current/certs/';
const DAY = 86_400_000;
/** microk8s' certs/csr.conf.template and the snap's CA: server and front-proxy 365 days, the CA 3650. */
const LIFETIME_DAYS: Record<string, number> = { 'ca.crt': 3650, 'server.crt': 365, 'front-proxy-client.crt': 365 };

/** The certificate's notAfter, fixed the first time anyone reads it (about when the snap was installed). */
export function certNotAfter(node: SimNode, file: string): number | undefined {
  if (!node.microk8s.installed || !(file in LIFETIME_DAYS)) return undefined;
  const known = node.health.certNotAfter.get(file);
  if (known !== undefined) return known;
  const at = Math.floor((Date.now() + LIFETIME_DAYS[file] * DAY) / 1000) * 1000;
  node.health.certNotAfter.set(file, at);
  return at;
}

async function openssl(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  if (a[0] !== 'x509') return BASIC.openssl.run(p);
  const file = a[a.indexOf('-in') + 1];
  if (!a.includes('-in') || !file) { p.err('x509: Use -help for summary.\n'); return 1; }
  const notAfter = file.startsWith(CERTS_DIR) ? certNotAfter(p.node, file.slice(CERTS_DIR.length)) : undefined;
  if (notAfter === undefined) {
    // OpenSSL 3.0 apps/lib/apps.c load_cert(): the file cannot be opened.
    p.err(`Could not open file or uri for loading certificate from ${file}\nUnable to load certificate\n`);
    return 1;
  }
  await p.work('command');
  // -outform der: the certificate's bytes (server_cert_check hashes them); the simulator's stand-in for server.crt.
  const der = a[a.indexOf('-outform') + 1] === 'der' && file === `${CERTS_DIR}server.crt`;
  p.out(a.includes('-enddate') ? formatEndDate(notAfter) : der ? p.node.microk8s.serverCertDer : '');
  return 0;
}

async function du(p: Proc): Promise<number> {
  const path = p.argv.slice(1).find((x) => !x.startsWith('-')) ?? '.';
  const isDatastore = path.replace(/\/$/, '') === '/var/snap/microk8s/current/var/kubernetes/backend';
  const node = p.node;
  const present = isDatastore ? node.microk8s.installed && !node.isWorker() : node.exists(path);
  if (!present) { p.err(`du: cannot access '${path}': No such file or directory\n`); return 1; }
  if (!p.root && isDatastore) { p.err(`du: cannot read directory '${path}': Permission denied\n`); return 1; }
  await p.work('command');
  const bytes = isDatastore ? node.health.datastoreBytes : (node.files.get(path)?.content.length ?? 4096);
  p.out(`${bytes}\t${path}\n`);
  return 0;
}

async function date(p: Proc): Promise<number> {
  const now = Date.now() + p.node.health.clockOffsetMs;
  const fmt = p.argv.slice(1).find((x) => x.startsWith('+'));
  if (!fmt) { p.out(`${new Date(now).toUTCString().replace(/GMT$/, 'UTC')}\n`); return 0; }
  const nanos = String((now % 1000) * 1e6).padStart(9, '0');
  p.out(`${fmt.slice(1).replace(/%s/g, String(Math.floor(now / 1000))).replace(/%N/g, nanos)}\n`);
  return 0;
}

export const HEALTH_READS: Record<string, CommandDef> = {
  openssl: { path: '/usr/bin/openssl', run: openssl },
  du: { path: '/usr/bin/du', run: du },
  date: { path: '/usr/bin/date', run: date },
};
