// Is a namespace ready for the installer? `install`, `worker` and `dev` ask at start, so a server without the
// search attributes fails with one paragraph naming them and the fix, not with a refused workflow start later.
import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES, type SearchAttributeName } from './search-attributes';
import { serverRefusal } from './server-errors';

export type Services = Pick<ConnectionLike, 'operatorService' | 'workflowService'>;
export const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** What a refused call needs, by RPC: said when the server answers PERMISSION_DENIED. */
const ROLE_NEEDED: Record<string, string> = {
  AddSearchAttributes: 'the admin role on the namespace (self-hosted: a claim with the namespace\'s admin role; Temporal Cloud: Namespace Admin, or add them in the Cloud UI or with `tcld namespace search-attributes add`)',
  ListSearchAttributes: 'read access to the namespace (any role on it)',
  RegisterNamespace: 'the cluster admin role (self-hosted: system admin; Temporal Cloud creates namespaces only in its UI or with `tcld namespace create`)',
  UpdateNamespace: 'the admin role on the namespace (Temporal Cloud: Namespace Admin)',
  DescribeNamespace: 'read access to the namespace (any role on it)',
};

/** A call the credentials may not make: names the RPC and the role it needs. */
export class PermissionMissingError extends Error {
  constructor(readonly rpc: string, readonly namespace: string, serverMessage: string) {
    super(`The Temporal server refused ${rpc} on namespace ${namespace} with PERMISSION_DENIED (${serverMessage}): ` +
      `it needs ${ROLE_NEEDED[rpc] ?? 'a role that allows it'}. Ask the cluster's administrator to grant it, or to run ` +
      '`kloudspot-installer setup` (or the equivalent `temporal operator` commands in README, "Run against your own Temporal") once.');
    this.name = 'PermissionMissingError';
  }
}

export async function call<T>(rpc: string, namespace: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const r = serverRefusal(err);
    if (r?.status === 'PERMISSION_DENIED') throw new PermissionMissingError(rpc, namespace, r.message);
    throw err;
  }
}

export interface AttributeCheck { missing: SearchAttributeName[]; wrongType: { name: SearchAttributeName; type: string }[] }

export async function checkSearchAttributes(conn: Services, namespace: string): Promise<AttributeCheck> {
  const r = await call('ListSearchAttributes', namespace, () => conn.operatorService.listSearchAttributes({ namespace }));
  const custom = r.customAttributes ?? {};
  const missing: SearchAttributeName[] = [];
  const wrongType: AttributeCheck['wrongType'] = [];
  for (const name of Object.keys(SEARCH_ATTRIBUTES) as SearchAttributeName[]) {
    if (!(name in custom)) missing.push(name);
    else if (custom[name] !== KEYWORD) wrongType.push({ name, type: temporal.api.enums.v1.IndexedValueType[custom[name]!] ?? String(custom[name]) });
  }
  return { missing, wrongType };
}

/** One paragraph for `install`, `worker` and `dev` when the namespace is not set up. */
export function missingAttributesMessage(namespace: string, check: AttributeCheck, address?: string): string {
  const parts: string[] = [];
  if (check.missing.length) parts.push(`lacks the search attribute${check.missing.length > 1 ? 's' : ''} ${check.missing.join(', ')}`);
  if (check.wrongType.length) parts.push(`has ${check.wrongType.map((w) => `${w.name} as ${w.type.replace('INDEXED_VALUE_TYPE_', '')}`).join(', ')} where the installer needs Keyword`);
  const target = `${address ? `${address}, ` : ''}namespace ${namespace}`;
  return `The Temporal server (${target}) ${parts.join(' and ')}: the installer's workflows set them, so the server would refuse every install. ` +
    `Fix: run \`kloudspot-installer setup${namespace === 'default' ? '' : ` --namespace ${namespace}`}\` once with the same --address ` +
    '(it registers them, and is safe to run again), then retry.';
}

/** The namespace is missing or lacks the search attributes: the message is the one paragraph to show. */
export class NamespaceNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NamespaceNotReadyError';
  }
}

/**
 * Throws NamespaceNotReadyError when the namespace is missing or lacks an attribute. Credentials that may not
 * list attributes (Temporal Cloud API keys of plain users) skip the check: the server's refusal then says why.
 */
export async function requireNamespaceReady(conn: Services, namespace: string, address?: string): Promise<void> {
  let check: AttributeCheck;
  try {
    check = await checkSearchAttributes(conn, namespace);
  } catch (err) {
    if (err instanceof PermissionMissingError) return;
    const r = serverRefusal(err);
    if (r?.status === 'UNIMPLEMENTED') return;
    if (r?.status === 'NOT_FOUND') {
      throw new NamespaceNotReadyError(`The Temporal server${address ? ` at ${address}` : ''} has no namespace ${namespace} (${r.message}). ` +
        `Fix: run \`kloudspot-installer setup --namespace ${namespace}\` once (it creates it and registers the search attributes), or give the right --namespace.`);
    }
    throw err;
  }
  if (check.missing.length || check.wrongType.length) throw new NamespaceNotReadyError(missingAttributesMessage(namespace, check, address));
}
