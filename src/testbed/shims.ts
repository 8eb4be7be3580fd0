// What the testbed's tools URL serves: a script that `curl ... | sudo bash` runs on a real node, installing
// thin `microk8s`, `kubectl` and `kloudspot` programs that forward argv, stdin, the caller's uid and the
// node's hostname to the cluster model on the testbed host, and print its stdout, stderr and exit code.
import { shellQuote } from '../activities/commands/sh';

export const FORWARD = '/usr/local/lib/kloudspot-testbed/forward';
/** `snap` too: the containers have no snapd, and the install holds MicroK8s' refreshes (`snap refresh --hold`, `snap list`). */
export const SHIMS = ['microk8s', 'kubectl', 'kloudspot', 'snap'] as const;

/** The forwarding program. The reply is shell text the model quoted (printf of stdout/stderr, exit code). */
export function forwardScript(modelUrl: string): string {
  return `#!/bin/bash
# Installed by the kloudspot testbed's tools script: MicroK8s and the Kloudspot tools cannot run in a
# container, so this program hands its argv and stdin to the simulator's cluster model on the testbed host.
set -u
prog=\${KLOUDSPOT_TESTBED_PROG:-$(basename "$0")}
# kubectl is MicroK8s' alias of \`microk8s kubectl\`.
if [ "$prog" = kubectl ]; then set -- kubectl "$@"; prog=microk8s; fi
tmp=$(mktemp -d) || exit 255
trap 'rm -rf "$tmp"' EXIT
{
  printf '%s\\0' "$prog" "$@" | base64 -w0; echo
  if [ -r /etc/kloudspot/values.yaml ]; then base64 -w0 /etc/kloudspot/values.yaml; fi; echo
  if [ ! -t 0 ]; then cat; fi
} > "$tmp/request"
# The node's own facts the model reads: its hostname (kubelet's node name), iscsid (OpenEBS needs it)...
iscsid="$(systemctl is-enabled iscsid 2>/dev/null):$(systemctl is-active iscsid 2>/dev/null)"
# ...and its logical volumes (the installer's \`shared\` LV becomes an OpenEBS block device); lvs needs root.
lvs=""
if [ "$(id -u)" = 0 ]; then lvs=$(lvs --noheadings --nosuffix --units b -o vg_name,lv_name,lv_size 2>/dev/null | awk '{printf "%s:%s:%s,", $1, $2, $3}'); fi
if ! curl -sS --fail-with-body --noproxy '*' -H "X-Uid: $(id -u)" -H "X-Hostname: $(hostname)" -H "X-Iscsid: $iscsid" -H "X-Lvs: $lvs" \\
    --data-binary @"$tmp/request" -o "$tmp/reply" ${shellQuote(`${modelUrl}/run`)}; then
  echo "kloudspot testbed: the cluster model at ${modelUrl} did not answer" >&2
  exit 255
fi
. "$tmp/reply"
`;
}

/** The tools script: the model installs the snap and the CLI first; only then do the programs appear. */
export function toolsScript(modelUrl: string): string {
  return `#!/bin/bash
# Kloudspot testbed tools script (stands in for on-prem-cluster.sh).
set -eu
if [ "$(id -u)" != 0 ]; then echo 'This script must be run as root (use: curl ... | sudo bash)' >&2; exit 1; fi
install -d -m 0755 /usr/local/lib/kloudspot-testbed /snap/bin
curl -fsS --noproxy '*' -o ${FORWARD}.new ${shellQuote(`${modelUrl}/forward`)}
chmod 0755 ${FORWARD}.new
mv -f ${FORWARD}.new ${FORWARD}
KLOUDSPOT_TESTBED_PROG=__kloudspot_install_tools ${FORWARD} </dev/null
${SHIMS.map((s) => `ln -sfn ${FORWARD} /usr/local/bin/${s}`).join('\n')}
ln -sfn ${FORWARD} /snap/bin/microk8s
`;
}

/** The reply the forwarder sources: output exactly as the model printed it, files the model says exist, the code. */
export function replyScript(r: { stdout: string; stderr: string; code: number; files: Record<string, boolean> }): string {
  const lines: string[] = [];
  if (r.stdout) lines.push(`printf '%s' ${shellQuote(r.stdout)}`);
  if (r.stderr) lines.push(`printf '%s' ${shellQuote(r.stderr)} >&2`);
  for (const [path, present] of Object.entries(r.files)) {
    lines.push(present ? `[ -e ${shellQuote(path)} ] || { mkdir -p ${shellQuote(path.replace(/\/[^/]*$/, ''))} && : > ${shellQuote(path)}; }` : `rm -f ${shellQuote(path)}`);
  }
  lines.push(`exit ${r.code}`);
  return `${lines.join('\n')}\n`;
}
