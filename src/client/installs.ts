// Client-side operations on installs: start, status, answers, listing, histories. Used by the CLI, the
// demo and the tests, so they all speak to the workflows the same way.
import {
  Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError,
  type ConnectionOptions, type WorkflowHandle,
} from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type DataConverter } from '@temporalio/common';
import type { SiteSpec } from '../site/schema';
import { CustomerKey, PhaseKey, SiteKey } from '../temporal/search-attributes';
import * as api from '../workflows/api';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from './errors';
import { ConfigError, loadTls, resolveWorkerConfig } from '../worker/config';

export interface ConnectOptions { address?: string; namespace?: string; tls?: ConnectionOptions['tls']; dataConverter?: DataConverter }

export async function connectClient(o: ConnectOptions = {}): Promise<Client> {
  const address = o.address ?? process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = o.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
  // The same TLS / API key settings as the worker (TEMPORAL_TLS_*, TEMPORAL_API_KEY[_FILE]).
  let tls = o.tls;
  let apiKey: string | undefined;
  try {
    const cfg = resolveWorkerConfig({}, process.env);
    if (tls === undefined && cfg.tls) tls = { ...loadTls(cfg.tls) };
    apiKey = cfg.apiKey;
  } catch (err) {
    if (err instanceof ConfigError) throw new UserError(err.message, EXIT_BAD_INPUT);
    throw err;
  }
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, tls, apiKey, connectTimeout: 5000 });
    await connection.workflowService.getSystemInfo({});
  } catch (err) {
    throw new UserError(`Cannot reach the Temporal server at ${address}: ${(err as Error).message}. ` +
      'Start one (`kloudspot-installer dev`) or point to yours with --address / TEMPORAL_ADDRESS.', EXIT_FAILED);
  }
  return new Client({ connection, namespace, dataConverter: o.dataConverter });
}

export async function startInstall(client: Client, spec: SiteSpec, workflowType = 'installCluster', args: unknown[] = [spec]): Promise<WorkflowHandle> {
  const workflowId = workflowType === 'installCluster' ? api.installWorkflowId(spec.site)
    : workflowType === 'resetSite' ? api.resetWorkflowId(spec.site)
      : workflowType === 'addNode' ? `add-node/${spec.site}/${String(args[1])}` : `${workflowType === 'updateDeployment' ? 'update' : 'uninstall'}/${spec.site}`;
  // Said here at once; the workflow's first phase refuses too (a start from the Web UI or the Temporal CLI).
  if (Object.hasOwn(api.REFUSED_DURING_RESET, workflowType)) {
    const { why, then } = api.REFUSED_DURING_RESET[workflowType as api.RefusedDuringReset];
    const reset = api.resetWorkflowId(spec.site);
    if ((await client.workflow.getHandle(reset).describe().catch(() => undefined))?.status.name === 'RUNNING') {
      throw new UserError(`${reset} is running: ${why}, so nothing was done. Fix: ${api.resetRunningFix(spec.site, then)}.`, EXIT_FAILED);
    }
  }
  try {
    return await client.workflow.start(workflowType, {
      taskQueue: process.env.KLOUDSPOT_TASK_QUEUE || api.TASK_QUEUE,
      workflowId,
      args,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [
        { key: SiteKey, value: spec.site }, { key: CustomerKey, value: spec.customer }, { key: PhaseKey, value: 'preflight' },
      ],
      staticSummary: `${workflowType} ${spec.site} (${spec.nodes.length} nodes)`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new UserError(`${workflowId} is already running: watch it with \`kloudspot-installer watch ${spec.site}\`, or wait for it to finish.`, EXIT_FAILED);
    }
    throw err;
  }
}

export function installHandle(client: Client, site: string): WorkflowHandle {
  return client.workflow.getHandle(api.installWorkflowId(site));
}

export async function getStatus(client: Client, site: string, workflowId = api.installWorkflowId(site)): Promise<api.InstallStatus> {
  try {
    const status = await client.workflow.getHandle(workflowId).query(api.statusQuery);
    return await withNodeProgress(client, status);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new UserError(`No install of site "${site}" (workflow ${workflowId}) on this server: check the name with \`kloudspot-installer list\`.`, EXIT_FAILED);
    }
    // A run refused before it registered its handlers (plaintext or invalid input) answers no query: say why it failed.
    const refusal = await closedFailure(client, workflowId);
    if (refusal) throw new UserError(`${workflowId} failed before it started: ${refusal}`, EXIT_FAILED);
    throw err;
  }
}

async function closedFailure(client: Client, workflowId: string): Promise<string | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  if ((await handle.describe().catch(() => undefined))?.status.name !== 'FAILED') return undefined;
  const err = await handle.result().then(() => undefined, (e: unknown) => e as Error & { cause?: Error });
  return err?.cause?.message ?? err?.message;
}

/**
 * The install's status with each running node's exact step, asked of its prepare-node child: the install
 * itself hears only of the long steps. A child that is gone or does not answer leaves the row as it was.
 */
async function withNodeProgress(client: Client, status: api.InstallStatus): Promise<api.InstallStatus> {
  if (status.state !== 'running' && status.state !== 'waiting') return status;
  const nodes = await Promise.all(status.nodes.map(async (n) => {
    if (n.state !== 'running') return n;
    const p = await client.workflow.getHandle(api.prepareNodeWorkflowId(status.site, n.name)).query(api.nodeProgressQuery).catch(() => undefined);
    return p && p.state === 'running' ? { ...n, step: p.step } : n;
  }));
  return { ...status, nodes };
}

/** The workflow a site's status, watch and answers are about: its running reset, else its install. */
export async function activeSiteWorkflowId(client: Client, site: string): Promise<string> {
  const reset = client.workflow.getHandle(api.resetWorkflowId(site));
  const running = (await reset.describe().catch(() => undefined))?.status.name === 'RUNNING';
  return running ? reset.workflowId : api.installWorkflowId(site);
}

async function answeringHandle(client: Client, site: string): Promise<WorkflowHandle> {
  return client.workflow.getHandle(await activeSiteWorkflowId(client, site));
}

/** Sends an answer as an update, so a wrong answer is refused with the workflow's reason. */
async function update<Ret, Arg>(client: Client, site: string, def: api.UpdateDef<Ret, Arg>, arg: Arg, workflowId?: string): Promise<Ret> {
  const handle = workflowId ? client.workflow.getHandle(workflowId) : await answeringHandle(client, site);
  try {
    return await handle.executeUpdate(def, { args: [arg] });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UserError(`No running ${workflowId ?? 'install'} of site "${site}".`, EXIT_FAILED);
    if (err instanceof WorkflowUpdateFailedError) throw new UserError(`Refused: ${err.cause?.message ?? err.message}`, EXIT_BAD_INPUT);
    const e = err as Error & { details?: string };
    if (/not found|already completed|workflow execution already completed/i.test(e.message)) {
      throw new UserError(`The install of ${site} is not running any more (${e.message}).`, EXIT_FAILED);
    }
    throw err;
  }
}

/** `workflowId`: another site workflow than the install (replace-node/<site>/<node>). */
export const answerBlockDevice = (c: Client, site: string, a: api.ChooseBlockDevice, workflowId?: string) =>
  update(c, site, api.chooseBlockDeviceUpdate, a, workflowId);
export const uploadCertificate = (c: Client, site: string, a: api.UploadCertificate) => update(c, site, api.uploadCertificateUpdate, a);
export const useSelfSigned = (c: Client, site: string) => update(c, site, api.useSelfSignedCertificateUpdate, {});
/** The first-contact host key question of the install (or of `workflowId`: add-node/..., replace-node/...). */
export const confirmHostKeys = (c: Client, site: string, a: api.ConfirmHostKeys, workflowId?: string) =>
  update(c, site, api.confirmHostKeysUpdate, a, workflowId);
/** `workflowId`: another site workflow than the install (upgrade/<site>, replace-node/<site>/<node>). */
export const resolveFailure = (c: Client, site: string, a: api.ResolveFailure, workflowId?: string) => update(c, site, api.resolveFailureUpdate, a, workflowId);
export const confirmReset = (c: Client, site: string, a: api.ConfirmReset) => update(c, site, api.confirmResetUpdate, a, api.resetWorkflowId(site));

export interface SiteRow { site: string; workflowId: string; status: string; phase?: string; startTime: Date; closeTime?: Date }

export async function listInstalls(client: Client): Promise<SiteRow[]> {
  const rows: SiteRow[] = [];
  for await (const w of client.workflow.list({ query: 'WorkflowType = "installCluster"' })) {
    rows.push({
      site: String(w.typedSearchAttributes.get(SiteKey) ?? w.workflowId.replace(/^install\//, '')),
      workflowId: w.workflowId,
      status: w.status.name,
      phase: w.typedSearchAttributes.get(PhaseKey) as string | undefined,
      startTime: w.startTime,
      closeTime: w.closeTime,
    });
  }
  return rows;
}

export async function exportHistory(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return historyToJSON(history);
}
