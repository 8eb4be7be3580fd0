// `kubectl wait --for=condition=X|jsonpath={.path}=value <type>[/name] [--all] [-l sel] [--field-selector f]
// [--timeout=Ns]`. Real kubectl watches the API server; here the object store is looked at every few
// milliseconds, so the wait ends as soon as the simulated state changes. Texts: kubectl 1.32 `wait --help` and
// ../shared/research/commands.md ("Pods ready"): `<kind>/<name> condition met` per object;
// `error: timed out waiting for the condition on <plural>/<name>`; `error: no matching resources found`;
// a named object that does not exist: `Error from server (NotFound): <plural> "<name>" not found`. All rc 1.
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import { qualifiedName, type KubeObject } from '../kube-store';
import { listObjects, REFUSED, resourceArg, type Flags } from './kubectl-resources';

const WATCH_MS = 25;

type Condition = (o: KubeObject) => boolean;

function parseFor(spec: string | undefined): Condition | string {
  if (!spec) return 'error: --for must be set';
  const cond = /^condition=([^=]+)(?:=(.*))?$/i.exec(spec);
  if (cond) {
    const [type, want = 'true'] = [cond[1].toLowerCase(), (cond[2] ?? 'true').toLowerCase()];
    return (o) => ((o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [])
      .some((c) => c.type.toLowerCase() === type && c.status.toLowerCase() === want);
  }
  const jp = /^jsonpath=\{\.([\w.]+)\}(?:=(.*))?$/.exec(spec);
  if (jp) {
    const path = jp[1].split('.');
    return (o) => {
      const v = path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
      return jp[2] === undefined ? v !== undefined && v !== null : v !== undefined && String(v) === jp[2];
    };
  }
  return `error: unrecognized condition: "${spec}"`;
}

/**
 * `status.phase!=Succeeded,status.phase!=Failed`: requirements joined by commas, all of which must hold
 * (apimachinery fields.ParseSelector); status.phase is the one field pods are selected by here.
 */
function fieldFilter(sel: string | undefined): (o: KubeObject) => boolean {
  const reqs = (sel ? sel.split(',') : []).map((r) => /^status\.phase(!=|==|=)(\w+)$/.exec(r)).filter((m) => m !== null);
  return (o) => reqs.every((m) => ((o.status as { phase?: string } | undefined)?.phase === m[2]) === (m[1] !== '!='));
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** `--timeout=600s` (kubectl's default 30s), in simulated time. */
function timeoutMs(p: Proc, flag: string | undefined): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(flag ?? '30s');
  return p.world.latency.seconds(m ? Number(m[1]) * UNIT_SECONDS[m[2] ?? 's'] : 30);
}

export async function waitFor(p: Proc, c: Cluster, f: Flags): Promise<number> {
  const condition = parseFor(f.other.get('--for'));
  if (typeof condition === 'string') { p.err(`${condition}\n`); return 1; }
  if (!f.rest[0]) { p.err('error: resource(s) were provided, but no name was specified\n'); return 1; }
  const r = resourceArg(p, c, f);
  if (!r) return 1;
  const { kind, info, wanted } = r;
  if (!wanted && f.other.get('--all') !== 'true' && !f.selector) { p.err('error: resource(s) were provided, but no name was specified\n'); return 1; }
  const inField = fieldFilter(f.other.get('--field-selector'));
  const list = () => listObjects(c, r, f.selector).filter((o) => (!wanted || o.metadata.name === wanted) && inField(o));
  await p.work('command');
  const first = list();
  if (first.length === 0) {
    p.err(wanted ? `Error from server (NotFound): ${info.plural}${info.group ? `.${info.group}` : ''} "${wanted}" not found\n` : 'error: no matching resources found\n');
    return 1;
  }
  // Like kubectl: the objects found at the start, each in turn, all within the one timeout.
  const deadline = Date.now() + timeoutMs(p, f.other.get('--timeout'));
  for (const o of first) {
    for (;;) {
      if (!c.apiReady()) { p.err(REFUSED); return 1; }
      const now = list().find((x) => x.metadata.name === o.metadata.name);
      if (now && condition(now)) { p.out(`${qualifiedName(kind, o.metadata.name)} condition met\n`); break; }
      if (Date.now() >= deadline) { p.err(`error: timed out waiting for the condition on ${info.plural}/${o.metadata.name}\n`); return 1; }
      await p.sleep(WATCH_MS);
    }
  }
  return 0;
}
