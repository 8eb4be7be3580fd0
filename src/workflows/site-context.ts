// What every phase needs: the spec, the nodes with their roles, SSH targets (with pinned host keys),
// the first manager (where cluster-wide commands run), the status board and the questions.
import type { ProxyInput } from '../activities/commands/proxy';
import type { SshTarget } from '../activities/ssh';
import { durationToMs } from '../site/patterns';
import { nodeRole } from '../site/roles';
import type { NodeSpec, SiteSpec } from '../site/schema';
import type { Questions } from './answers';
import type { HostKeyQuestion } from './host-key-question';
import type { StatusBoard } from './status';
import { step, type Skippable, type StepDef } from './steps';
import type { StepActivities } from './activities';

export interface SiteNode extends NodeSpec { role: 'manager' | 'worker' }

export interface SiteContext {
  spec: SiteSpec;
  board: StatusBoard;
  questions: Questions;
  /** The first-contact host key question (host-keys.ts confirmHostKeys); absent where no site run opened it. */
  hostKeyQuestion?: HostKeyQuestion;
  nodes: SiteNode[];
  /** Host keys: configured, else the first seen in preflight (trust on first use). */
  pins: Map<string, string>;
  /** Nodes whose pin the worker keeps (host-keys.ts); undefined in runs from before pins were kept. */
  savedPins?: Set<string>;
  timeouts: { nodeReboot: number; clusterReady: number; storageReady: number; chartReady: number };
}

export function siteNodes(spec: SiteSpec): SiteNode[] {
  return spec.nodes.map((n, i) => ({ ...n, role: nodeRole(spec.nodes, i) }));
}

export function siteTimeouts(spec: SiteSpec): SiteContext['timeouts'] {
  return {
    nodeReboot: durationToMs(spec.timeouts.nodeReboot),
    clusterReady: durationToMs(spec.timeouts.clusterReady),
    storageReady: durationToMs(spec.timeouts.storageReady),
    chartReady: durationToMs(spec.timeouts.chartReady),
  };
}

type TargetNode = { name: string; address: string; hostKey?: string } & Partial<Pick<NodeSpec, 'sudoPasswordFile' | 'bastion'>>;

/** Only file paths go into the target: the worker reads the password and keys, the history never holds them. */
export function targetOf(ctx: Pick<SiteContext, 'spec' | 'pins'>, node: TargetNode): SshTarget {
  const { ssh } = ctx.spec;
  const bastion = node.bastion ?? ssh.bastion;
  const sudoPasswordFile = node.sudoPasswordFile ?? ssh.sudoPasswordFile;
  return {
    node: node.name,
    host: node.address,
    port: ssh.port,
    username: ssh.user,
    privateKeyFile: ssh.privateKeyFile,
    expectedHostKey: node.hostKey ?? ctx.pins.get(node.name),
    ...(sudoPasswordFile ? { sudoPasswordFile } : {}),
    ...(bastion ? { bastion: { host: bastion.host, port: bastion.port, username: bastion.user,
      privateKeyFile: bastion.privateKeyFile ?? ssh.privateKeyFile, expectedHostKey: bastion.hostKey } } : {}),
  };
}

export function firstManager(ctx: Pick<SiteContext, 'nodes'>): SiteNode {
  const first = ctx.nodes.find((n) => n.role === 'manager');
  if (!first) throw new Error('no manager node');
  return first;
}

/** Runs one step of `node` (undefined: of the cluster) in the install: failures become its questions. */
export function runStep<T>(ctx: SiteContext, node: string | undefined, def: StepDef, fn: (a: StepActivities) => Promise<T>): Promise<Skippable<T>> {
  return step(ctx.questions, node, def, fn);
}

export const managers = (ctx: Pick<SiteContext, 'nodes'>): SiteNode[] => ctx.nodes.filter((n) => n.role === 'manager');
export const workers = (ctx: Pick<SiteContext, 'nodes'>): SiteNode[] => ctx.nodes.filter((n) => n.role === 'worker');

/** The spec's proxy and what NO_PROXY must always cover (the builder, activities/commands/proxy.ts, lists it). */
export function proxyInput(spec: SiteSpec): ProxyInput | undefined {
  if (!spec.proxy) return undefined;
  const { http, https, noProxy } = spec.proxy;
  const network = { gateway: spec.network.gateway, prefixLength: spec.network.prefixLength };
  return { ...(http ? { http } : {}), ...(https ? { https } : {}), noProxy, network, virtualIp: spec.virtualIp };
}
