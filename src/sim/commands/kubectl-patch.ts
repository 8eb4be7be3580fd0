// `kubectl patch TYPE NAME -n NS --type=merge --patch=JSON` (kubectl 1.32 pkg/cmd/patch/patch.go): a JSON merge
// patch (RFC 7386: objects merge, a null removes the key, a list replaces the list) applied on the server; prints
// `kind.group/name patched`, or `patched (no change)` when the object came out the same. A CStorVolumeConfig's
// pool list goes through cStor's admission webhook first (cvc-sim.ts; cstor-operators pkg/webhook/cvc.go).
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import { qualifiedName, type KubeObject } from '../kube-store';
import { deniedPoolChange } from '../cvc-sim';
import { refreshCluster } from '../cluster-refresh';
import { resourceArg, type Flags } from './kubectl-resources';

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const poolNames = (o: KubeObject) =>
  ((o.spec as { policy?: { replicaPoolInfo?: { poolName?: string }[] } } | undefined)?.policy?.replicaPoolInfo ?? []).map((p) => String(p.poolName ?? ''));

export async function patchObject(p: Proc, c: Cluster, f: Flags): Promise<number> {
  const r = resourceArg(p, c, f);
  if (!r || !r.wanted) { if (r) p.err('error: resource(s) were provided, but no name was specified\n'); return 1; }
  const type = f.other.get('--type') ?? 'strategic';
  const text = f.other.get('--patch');
  if (type !== 'merge' || text === undefined) { p.err('error: the simulator knows only --type=merge --patch=<json>\n'); return 1; }
  let patch: unknown;
  try { patch = JSON.parse(text); } catch { p.err(`error: unable to parse "${text}": yaml: did not find expected node content\n`); return 1; }
  await p.work('command');
  refreshCluster(c);
  const obj = c.store.get(r.kind, r.ns, r.wanted);
  if (!obj) { p.err(`Error from server (NotFound): ${r.info.plural}${r.info.group ? `.${r.info.group}` : ''} "${r.wanted}" not found\n`); return 1; }
  const next = mergePatch(obj, patch) as KubeObject;
  next.metadata = { ...next.metadata, name: obj.metadata.name, namespace: obj.metadata.namespace };
  if (JSON.stringify(next) === JSON.stringify(obj)) { p.out(`${qualifiedName(r.kind, r.wanted)} patched (no change)\n`); return 0; }
  if (r.kind === 'CStorVolumeConfig' && JSON.stringify(poolNames(next)) !== JSON.stringify(poolNames(obj))) {
    const denied = deniedPoolChange(obj, poolNames(next));
    if (denied) { p.err(`Error from server (BadRequest): admission webhook "admission-webhook.cstor.openebs.io" denied the request: ${denied}\n`); return 1; }
  }
  for (const k of Object.keys(obj)) delete (obj as Record<string, unknown>)[k];
  Object.assign(obj, next);
  refreshCluster(c);
  p.out(`${qualifiedName(r.kind, r.wanted)} patched\n`);
  p.effect(`kubectl patch ${r.kind.toLowerCase()}/${r.ns ? `${r.ns}/` : ''}${r.wanted} ${text}`);
  return 0;
}
