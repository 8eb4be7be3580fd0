// The cluster agent's join tokens as MicroK8s keeps them: lines of `credentials/cluster-tokens.txt` (and the
// never-consumed `persistent-cluster-tokens.txt`), `<token>` (single use) or `<token>|<expiry seconds>`
// (reusable until then). add_token.py writes them; the agent's ConsumeClusterToken (canonical/
// microk8s-cluster-agent pkg/snap/snap.go, pkg/util/token.go) reads them and removes a single-use line at the
// first join request. The simulator reads the same file the installer writes, so a token the installer put
// there by hand behaves as one `microk8s add-node` made. Cited in docs/commands.md.
import type { SimNode } from './node-state';

export const CLUSTER_TOKENS = '/var/snap/microk8s/current/credentials/cluster-tokens.txt';
export const PERSISTENT_TOKENS = '/var/snap/microk8s/current/credentials/persistent-cluster-tokens.txt';

/** util.IsValidToken: the first line whose part before `|` is the token decides; an expiry must be in the future. */
function lookup(node: SimNode, file: string, token: string): { valid: boolean; ttl: boolean } {
  if (!token) return { valid: false, ttl: false };
  for (const line of (node.files.get(file)?.content ?? '').split('\n')) {
    const [t, expiry] = line.trim().split('|', 2);
    if (t !== token.trim()) continue;
    if (expiry === undefined) return { valid: true, ttl: false };
    const at = Number(expiry);
    return { valid: Number.isFinite(at) && Date.now() < at * 1000, ttl: true };
  }
  return { valid: false, ttl: false };
}

/** snap.ConsumeClusterToken: persistent tokens are never consumed; a single-use one is removed (util.RemoveToken). */
export function consumeClusterToken(node: SimNode, token: string): boolean {
  if (lookup(node, PERSISTENT_TOKENS, token).valid) return true;
  const { valid, ttl } = lookup(node, CLUSTER_TOKENS, token);
  const entry = node.files.get(CLUSTER_TOKENS);
  if (valid && !ttl && entry) {
    const lines = entry.content.split('\n');
    // RemoveToken drops the first line that starts with the token.
    const i = lines.findIndex((l) => l.startsWith(token));
    if (i >= 0) lines.splice(i, 1);
    node.files.set(CLUSTER_TOKENS, { ...entry, content: lines.join('\n') });
  }
  return valid;
}

/** Every token ever written to the file (tests assert none of them leaks): the simulator's memory, not the node's. */
export function noteTokenFile(node: SimNode, path: string, content: string): void {
  if (path !== CLUSTER_TOKENS) return;
  for (const line of content.split('\n')) {
    const t = line.trim().split('|')[0];
    if (t) node.microk8s.issuedTokens.add(t);
  }
}
