// openssl x509: a certificate's end date, as microk8s' own `refresh-certs --check` reads it
// (canonical/microk8s scripts/wrappers/refresh_certs.py: `openssl x509 -enddate -noout -in <cert>`).
// Output: `notAfter=Jan 15 14:38:14 2027 GMT` (ASN1_TIME_print: month, day padded to 2, time, year, GMT).
import { query, sh, SUDO, type RemoteCommand } from './sh';

export const MICROK8S_CERTS_DIR = '/var/snap/microk8s/current/certs';
/** The certificates `microk8s refresh-certs` renews: the CA (10 years), server and front-proxy client (1 year). */
export const MICROK8S_CERTS = ['ca.crt', 'server.crt', 'front-proxy-client.crt'] as const;
export type MicroK8sCert = (typeof MICROK8S_CERTS)[number];

/** rc 1 with `Could not open file or uri ...` (or `unable to load certificate`) when the file is missing. */
export const certificateEndDate = (path: string): RemoteCommand =>
  query(sh`${SUDO} openssl x509 -enddate -noout -in ${path}`, { okCodes: [0, 1] });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `notAfter=Jan 15 14:38:14 2027 GMT` -> epoch ms. */
export function parseEndDate(text: string): number {
  const m = /^notAfter=([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/m.exec(text);
  const month = m ? MONTHS.indexOf(m[1]) : -1;
  if (!m || month < 0) throw new Error(`unexpected "openssl x509 -enddate" output: ${JSON.stringify(text.slice(0, 200))}`);
  return Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}
