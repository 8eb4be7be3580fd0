// `microk8s kubectl` (kubectl 1.32): get (table, -o json|yaml|name), wait, apply -f (JSON or YAML, List or
// multi-document), create secret tls / namespace, rollout restart. Error texts are kubectl's
// (staging/src/k8s.io/kubectl) and the API server's StatusError messages.
import * as yaml from 'js-yaml';
import type { Proc } from '../process';
import type { Cluster } from '../cluster-state';
import { RESOURCES, kindOf, kubeJson, listJson, qualifiedName, type KubeObject } from '../kube-store';
import { deniedPoolScaledown, reconcileCspc, startNdm, validateCspc } from '../storage-sim';
import { webhookUnreachable } from '../openebs-deployments';
import { sha256hex } from '../random';
import { KUBERNETES_VERSION } from '../addons-data';
import { createSecretTls } from './kubectl-secret';
import { waitFor } from './kubectl-wait';
import { cordon, drain } from './kubectl-drain';
import { deleteObject } from './kubectl-delete';
import { patchObject } from './kubectl-patch';
import { claimCreated } from '../cstor-volume-sim';
import { REFUSED, kindServed, listObjects, resourceArg, type Flags } from './kubectl-resources';

function parseFlags(args: string[]): Flags {
  const f: Flags = { noHeaders: false, files: [], rest: [], other: new Map() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const [key, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const val = () => inline ?? args[++i];
    if (key === '-n' || key === '--namespace') f.ns = val();
    else if (key === '-o' || key === '--output') f.output = val();
    else if (key === '-l' || key === '--selector') f.selector = Object.fromEntries(val().split(',').map((kv) => kv.split('=') as [string, string]));
    else if (key === '-f' || key === '--filename') f.files.push(val());
    else if (key === '--no-headers') f.noHeaders = true;
    else if (key.startsWith('--')) f.other.set(key, inline ?? 'true');
    else f.rest.push(a);
  }
  return f;
}

const age = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : s < 172800 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86400)}d`;
};

/** kubectl's tabwriter: columns separated by at least three spaces. */
function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i] + 3))).join('') + '\n').join('');
}

/**
 * `-o jsonpath={.a.b\\.c}`: one field path, dots in a key escaped (client-go util/jsonpath); printed as is, with
 * no newline; a missing field is an error as kubectl's (allowMissingKeys is false for get).
 */
function printJsonPath(p: Proc, template: string, obj: unknown): number {
  const m = /^\{\.((?:[^}\\.]|\\.)+(?:\.(?:[^}\\.]|\\.)+)*)\}$/.exec(template);
  if (!m) { p.err(`error: error parsing jsonpath ${template}, the simulator knows only {.field.path}\n`); return 1; }
  const keys = m[1].split(/(?<!\\)\./).map((k) => k.replace(/\\\./g, '.'));
  let v: unknown = obj;
  for (const k of keys) {
    if (!v || typeof v !== 'object' || !(k in v)) { p.err(`error: error executing jsonpath "${template}": Error executing template: ${k} is not found. Printing more information for debugging the template:\n`); return 1; }
    v = (v as Record<string, unknown>)[k];
  }
  p.out(typeof v === 'string' ? v : JSON.stringify(v));
  return 0;
}

function get(p: Proc, c: Cluster, f: Flags): number {
  if (!f.rest[0]) { p.err('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\n'); return 1; }
  const r = resourceArg(p, c, f);
  if (!r) return 1;
  const { kind, info, ns, wanted } = r;
  let items = listObjects(c, r, f.selector);
  if (wanted) {
    items = items.filter((o) => o.metadata.name === wanted);
    if (items.length === 0) { p.err(`Error from server (NotFound): ${info.plural}${info.group ? `.${info.group}` : ''} "${wanted}" not found\n`); return 1; }
  }
  if (f.output === 'json') { p.out(`${wanted ? kubeJson(items[0]) : listJson(items)}\n`); return 0; }
  if (f.output === 'yaml') { p.out(yaml.dump(wanted ? items[0] : { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } })); return 0; }
  if (f.output?.startsWith('jsonpath=')) return printJsonPath(p, f.output.slice('jsonpath='.length), wanted ? items[0] : { apiVersion: 'v1', items, kind: 'List' });
  if (f.output === 'name') { p.out(items.map((o) => `${qualifiedName(kind, o.metadata.name)}\n`).join('')); return 0; }
  if (f.output) { p.err(`error: unable to match a printer suitable for the output format "${f.output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n`); return 1; }
  if (items.length === 0) { p.err(ns ? `No resources found in ${ns} namespace.\n` : 'No resources found\n'); return 0; }
  const now = Date.now();
  const created = (o: KubeObject) => age(now - Date.parse(String(o.metadata.creationTimestamp)));
  let rows: string[][];
  if (kind === 'Node') {
    rows = [['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], ...[...c.kubeNodes.values()].sort((a, b) => a.name.localeCompare(b.name))
      .filter((r) => !wanted || r.name === wanted)
      // printers.go printNode: a cordoned node's status gains ",SchedulingDisabled".
      .map((r) => [r.name, (c.nodeReady(r) ? 'Ready' : 'NotReady') + (r.unschedulable ? ',SchedulingDisabled' : ''), '<none>', age(now - r.createdAt), KUBERNETES_VERSION])];
  } else if (kind === 'BlockDevice') {
    rows = [['NAME', 'NODENAME', 'SIZE', 'CLAIMSTATE', 'STATUS', 'AGE'], ...items.map((o) => {
      const s = o.spec as { nodeAttributes: { nodeName: string }; capacity: { storage: number } };
      const st = o.status as { claimState: string; state: string };
      return [o.metadata.name, s.nodeAttributes.nodeName, String(s.capacity.storage), st.claimState, st.state, created(o)];
    })];
  } else if (kind === 'CStorPoolInstance') {
    rows = [['NAME', 'HOSTNAME', 'FREE', 'CAPACITY', 'READONLY', 'PROVISIONEDREPLICAS', 'HEALTHYREPLICAS', 'STATUS', 'AGE'], ...items.map((o) => {
      const st = o.status as { phase: string; capacity: { free: string; total: string } };
      return [o.metadata.name, (o.spec as { hostName: string }).hostName, st.capacity.free, st.capacity.total, 'false', '0', '0', st.phase, created(o)];
    })];
  } else if (kind === 'Pod') {
    rows = [['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ...items.map((o) => {
      const st = o.status as { phase?: string; containerStatuses?: { ready: boolean; state: { waiting?: { reason: string } } }[] };
      const cs = st.containerStatuses ?? [];
      const shown = cs[0]?.state.waiting?.reason ?? st.phase ?? 'Pending';
      return [o.metadata.name, `${cs.filter((x) => x.ready).length}/${Math.max(1, cs.length)}`, shown, '0', created(o)];
    })];
  } else {
    rows = [['NAME', 'AGE'], ...items.map((o) => [o.metadata.name, created(o)])];
  }
  p.out(table(f.noHeaders ? rows.slice(1) : rows));
  return 0;
}

function parseManifests(text: string): KubeObject[] {
  const docs = text.trim().startsWith('{') ? [JSON.parse(text)] : yaml.loadAll(text);
  return (docs as (KubeObject & { items?: KubeObject[] })[]).filter(Boolean)
    .flatMap((d) => (d.kind === 'List' || (d.kind ?? '').endsWith('List') ? d.items ?? [] : [d]));
}

async function apply(p: Proc, c: Cluster, f: Flags): Promise<number> {
  if (f.files.length === 0) { p.err('error: must specify one of -f and -k\n'); return 1; }
  const src = f.files[0];
  const text = src === '-' ? await p.stdin.readAll() : p.readFile(src);
  const source = src === '-' ? 'STDIN' : src;
  if (text === undefined) { p.err(`error: the path "${src}" does not exist\n`); return 1; }
  let objs: KubeObject[];
  try {
    objs = parseManifests(text);
  } catch (err) {
    p.err(`error: error parsing ${source}: ${(err as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  if (objs.length === 0) { p.err('error: no objects passed to apply\n'); return 1; }
  await p.work('command');
  let status = 0;
  for (const obj of objs) {
    if (!obj.apiVersion || !obj.kind) {
      p.err(`error: error validating "${source}": error validating data: [${[!obj.apiVersion && 'apiVersion not set', !obj.kind && 'kind not set'].filter(Boolean).join(', ')}]; if you choose to ignore these errors, turn validation off with --validate=false\n`);
      status = 1;
      continue;
    }
    const info = RESOURCES[obj.kind];
    if (!info || !kindServed(c, obj.kind)) {
      p.err(`error: resource mapping not found for name: "${obj.metadata?.name}" namespace: "${obj.metadata?.namespace ?? ''}" from "${source}": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"\nensure CRDs are installed first\n`);
      status = 1;
      continue;
    }
    const ns = info.namespaced ? obj.metadata.namespace ?? f.ns ?? 'default' : undefined;
    if (ns && !c.store.get('Namespace', undefined, ns)) { p.err(`Error from server (NotFound): error when creating "${source}": namespaces "${ns}" not found\n`); status = 1; continue; }
    const full: KubeObject = { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } };
    delete (full.metadata as Record<string, unknown>).creationTimestamp;
    const old = c.store.get(obj.kind, ns, obj.metadata.name);
    if (obj.kind === 'CStorPoolCluster') {
      const unreachable = webhookUnreachable(c, source, !old);
      if (unreachable) { p.err(unreachable); status = 1; continue; }
      const denied = validateCspc(c, full) ?? (old ? deniedPoolScaledown(c, old, full) : null);
      if (denied) {
        p.err(`Error from server (BadRequest): error when ${old ? 'applying patch' : 'creating'} "${source}": admission webhook "admission-webhook.cstor.openebs.io" denied the request: invalid cspc specification: ${denied}\n`);
        status = 1;
        continue;
      }
    }
    if (obj.kind === 'StorageClass' && old && JSON.stringify(old.parameters) !== JSON.stringify(obj.parameters)) {
      p.err(`The StorageClass "${obj.metadata.name}" is invalid: parameters: Forbidden: updates to parameters are forbidden.\n`);
      status = 1;
      continue;
    }
    const serverSide = f.other.has('--server-side');
    if (!serverSide && old && !old.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']) {
      p.err(`Warning: resource ${info.plural}/${obj.metadata.name} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`);
    }
    const { result, stored } = c.store.apply(full, { serverSide });
    p.out(`${qualifiedName(obj.kind, obj.metadata.name)} ${serverSide ? 'serverside-applied' : result}\n`);
    if (result !== 'unchanged') {
      // Server-side apply keeps no last-applied annotation: the applied object itself tells two changes apart.
      const cfg = stored.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? JSON.stringify(obj);
      p.effect(`kubectl apply ${obj.kind.toLowerCase()}/${ns ? `${ns}/` : ''}${obj.metadata.name} sha256:${sha256hex(cfg).slice(0, 12)}`);
      if (obj.kind === 'CStorPoolCluster') reconcileCspc(c, stored);
      if (obj.kind === 'PersistentVolumeClaim' && result === 'created') claimCreated(c, stored);
    }
  }
  return status;
}

async function rollout(p: Proc, c: Cluster, f: Flags): Promise<number> {
  const [verb, res, name] = f.rest;
  const [r, slashName] = (res ?? '').split('/');
  const target = name ?? slashName;
  if (verb !== 'restart' || kindOf(r) !== 'DaemonSet' && kindOf(r) !== 'Deployment') { p.err(`error: unsupported rollout command in the simulator: ${f.rest.join(' ')}\n`); return 1; }
  const kind = kindOf(r)!;
  const ns = f.ns ?? 'default';
  const obj = c.store.get(kind, ns, target);
  if (!obj) { p.err(`Error from server (NotFound): ${RESOURCES[kind].plural}.apps "${target}" not found\n`); return 1; }
  await p.work('command');
  const tpl = ((obj.spec as Record<string, unknown>).template ?? {}) as { metadata?: { annotations?: Record<string, string> } };
  tpl.metadata = { ...tpl.metadata, annotations: { ...tpl.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } };
  c.store.put({ ...obj, spec: { ...(obj.spec as object), template: tpl } });
  if (kind === 'DaemonSet' && target === 'openebs-ndm' && ns === 'openebs') startNdm(c, Date.now() + p.world.latency.ms('command'));
  p.out(`${qualifiedName(kind, target)} restarted\n`);
  p.effect(`kubectl rollout restart ${kind.toLowerCase()}/${ns}/${target}`);
  return 0;
}

export async function kubectl(p: Proc, args: string[]): Promise<number> {
  const c = p.node.microk8s.cluster!;
  const f = parseFlags(args);
  const verb = f.rest.shift();
  if (!c.apiReady()) { await p.work('command'); p.err(REFUSED); return 1; }
  switch (verb) {
    case 'get': await p.work('command'); return get(p, c, f);
    case 'apply': return apply(p, c, f);
    case 'rollout': return rollout(p, c, f);
    case 'wait': return waitFor(p, c, f);
    case 'drain': return drain(p, c, f);
    case 'cordon': case 'uncordon': return cordon(p, c, f, verb === 'cordon');
    case 'delete': return deleteObject(p, c, f);
    case 'patch': return patchObject(p, c, f);
    case 'create':
      if (f.rest[0] === 'secret' && f.rest[1] === 'tls') return createSecretTls(p, c, f.rest[2], f.ns ?? 'default', f.other, f.output);
      if (f.rest[0] === 'namespace' || f.rest[0] === 'ns') {
        const name = f.rest[1];
        if (c.store.get('Namespace', undefined, name)) { p.err(`Error from server (AlreadyExists): namespaces "${name}" already exists\n`); return 1; }
        c.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
        p.out(`namespace/${name} created\n`);
        p.effect(`kubectl create namespace ${name}`);
        return 0;
      }
      p.err(`error: unknown command "${f.rest.join(' ')}" in the simulator\n`);
      return 1;
    case 'version': p.out(`Client Version: ${KUBERNETES_VERSION}\nKustomize Version: v5.5.0\nServer Version: ${KUBERNETES_VERSION}\n`); return 0;
    default:
      p.err(`error: unknown command "${verb ?? ''}" for "kubectl"\n`);
      return 1;
  }
}
