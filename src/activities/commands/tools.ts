// The Kloudspot tools: installed by the seed's script (`curl ... | sudo bash`), then `kloudspot start|update|stop`.
import { curlProxyOptions, scriptProxyEnv, type ProxyInput } from './proxy';
import { cmd, query, sh, SUDO, type RemoteCommand } from './sh';

export const toolsInstalled = (): RemoteCommand => query('command -v kloudspot', { okCodes: [0, 1, 127] });
/**
 * The seed pipes the script into `sudo bash`; here it is downloaded (https only) to a root-only file, its SHA-256
 * checked against the spec's pin by the worker, and only then run (tools-install.ts).
 */
/** In root's home (0700 on Ubuntu): no other user can swap the file between the check and the run. */
export const TOOLS_FILE = '/root/kloudspot-tools.sh';
/** Behind a proxy (spec `proxy`), curl is told it with --proxy and --noproxy. */
export const downloadTools = (url: string, proxy?: ProxyInput): RemoteCommand => {
  const via = curlProxyOptions(proxy);
  return cmd(sh`curl -fsSL --proto =https --tlsv1.2 ` + (via.length ? sh`${via} ` : '') + sh`${url} | ${SUDO} tee ${TOOLS_FILE} >/dev/null`);
};
/** `sha256sum FILE` prints `<64 hex>  FILE`. */
export const toolsChecksum = (): RemoteCommand => query(sh`${SUDO} sha256sum ${TOOLS_FILE}`);
/** Behind a proxy, the script runs with http(s)_proxy/no_proxy set, for whatever it downloads itself. */
export const runTools = (proxy?: ProxyInput): RemoteCommand => {
  const env = scriptProxyEnv(proxy);
  return cmd(env.length ? sh`${SUDO} ${env} bash ${TOOLS_FILE}` : sh`${SUDO} bash ${TOOLS_FILE}`);
};
export const removeTools = (): RemoteCommand => cmd(sh`${SUDO} rm -f ${TOOLS_FILE}`);
export function parseSha256sum(stdout: string): string | undefined {
  return /^([0-9a-f]{64})\s/.exec(stdout)?.[1];
}
export const kloudspotStart = (): RemoteCommand => cmd(sh`${SUDO} kloudspot start`);
export const kloudspotUpdate = (): RemoteCommand => cmd(sh`${SUDO} kloudspot update --update-helm`);
export const kloudspotStop = (): RemoteCommand => cmd(sh`${SUDO} kloudspot stop`);
/** Where the tools script puts the kloudspot CLI; reset removes it only from a path of this form. */
export const KLOUDSPOT_CLI_PATH = /^\/usr\/(local\/)?s?bin\/kloudspot$/;
/** `command -v` prints the path it found (node output: checked with KLOUDSPOT_CLI_PATH before use). */
export const toolsPath = (): RemoteCommand => query('command -v kloudspot', { okCodes: [0, 1, 127] });
export const removeToolsCli = (path: string): RemoteCommand => cmd(sh`${SUDO} rm -f ${path}`);
