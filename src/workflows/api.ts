// Messages of the install workflows, defined once and shared by workflows, worker and client (contract:
// DESIGN.md section 4). Each takes ONE JSON object, because the Web UI sends one payload.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const TASK_QUEUE = 'kloudspot-installer';

export type PhaseName = 'preflight' | 'prepare-nodes' | 'form-cluster' | 'configure-storage' | 'deploy-chart' | 'upgrade' | 'restore' | 'done'
  // reset (reset.ts): what it found and the one question, the cluster taken apart, each node cleaned.
  | 'reset-survey' | 'reset-cluster' | 'reset-nodes';
export type InstallState = 'running' | 'waiting' | 'completed' | 'failed';
export type StepState = 'pending' | 'running' | 'done' | 'skipped' | 'waiting' | 'failed';

export interface NodeStatus {
  name: string; role: 'manager' | 'worker'; step: string; state: StepState;
  /** MicroK8s' refresh hold as the install set and read it back (`held (forever), verified`); absent before form-cluster. */
  refreshHold?: string;
}

export type QuestionKind = 'blockDevice' | 'certificate' | 'failure' | 'confirmReset' | 'hostKeys';

export interface Question {
  id: string;
  kind: QuestionKind;
  node?: string;
  /** For failures: the step to name in resolveFailure. */
  step?: string;
  prompt: string;
  options?: string[];
  /** Why the last answer was refused, or the failed command's details. */
  lastError?: string;
  askedAt: string;
}

export interface InstallStatus {
  site: string;
  workflow: string;
  phase: PhaseName;
  state: InstallState;
  nodes: NodeStatus[];
  questions: Question[];
  lastError?: string;
  startedAt: string;
  updatedAt: string;
  /** Figures for the summary: storage estimate, pool, release. */
  summary?: Record<string, string>;
}

/** A question's details shown in full up to this many lines (a preflight report of every node fits). */
export const QUESTION_DETAIL_LINES = 60;

export interface ChooseBlockDevice { node: string; blockDevice: string }
export interface UploadCertificate { certificatePem: string; privateKeyPem: string }
export type UseSelfSigned = Record<string, never>;
/** retry, skip, abort after a failed step; wait and force after a drain a disruption budget holds up (upgrade). */
export type FailureAction = 'retry' | 'skip' | 'abort' | 'wait' | 'force';
export interface ResolveFailure { step: string; action: FailureAction }

export const chooseBlockDeviceSignal = defineSignal<[ChooseBlockDevice]>('chooseBlockDevice');
export const uploadCertificateSignal = defineSignal<[UploadCertificate]>('uploadCertificate');
export const useSelfSignedCertificateSignal = defineSignal<[UseSelfSigned]>('useSelfSignedCertificate');
export const resolveFailureSignal = defineSignal<[ResolveFailure]>('resolveFailure');

// The same answers as updates: validators reject a bad answer at once, for the CLI.
export const chooseBlockDeviceUpdate = defineUpdate<string, [ChooseBlockDevice]>('chooseBlockDeviceUpdate');
export const uploadCertificateUpdate = defineUpdate<string, [UploadCertificate]>('uploadCertificateUpdate');
export const useSelfSignedCertificateUpdate = defineUpdate<string, [UseSelfSigned]>('useSelfSignedCertificateUpdate');
export const resolveFailureUpdate = defineUpdate<string, [ResolveFailure]>('resolveFailureUpdate');

/** reset's one question before anything is removed. */
export type ResetAnswer = 'confirm' | 'abort';
export interface ConfirmReset { answer: ResetAnswer }
export const confirmResetSignal = defineSignal<[ConfirmReset]>('confirmReset');
export const confirmResetUpdate = defineUpdate<string, [ConfirmReset]>('confirmResetUpdate');

/** The host keys of nodes met for the first time (no nodes[].hostKey, no pin of the worker), before anything runs there. */
export type HostKeysAnswer = 'accept' | 'reject';
export interface ConfirmHostKeys { answer: HostKeysAnswer }
export const confirmHostKeysSignal = defineSignal<[ConfirmHostKeys]>('confirmHostKeys');
export const confirmHostKeysUpdate = defineUpdate<string, [ConfirmHostKeys]>('confirmHostKeysUpdate');

export const statusQuery = defineQuery<InstallStatus>('status');

/** Child (prepare-node) to parent: progress and questions, so the parent's status shows every node. */
export interface NodeReport {
  node: string; step: string; state: StepState; question?: Question | null; hostKey?: string;
  /** The key from the child's input: the parent refuses reports without it (answers.ts). */
  key?: string;
}
export const nodeReportSignal = defineSignal<[NodeReport]>('nodeReport');

export function installWorkflowId(site: string): string {
  return `install/${site}`;
}

/** plan: read-only, runs alongside any install of the site. */
export function planWorkflowId(site: string): string {
  return `plan/${site}`;
}

/** reset: takes an installed site back to bare nodes; refuses while an install, update or add-node of the site runs. */
export function resetWorkflowId(site: string): string {
  return `reset/${site}`;
}

/** Why an install refuses while the site's reset runs, and what to do (the workflow's refusal and the CLI's say the same). */
export const INSTALL_DURING_RESET = 'an install now would build up what the reset is taking apart';
export function resetRunningFix(site: string, then = 'install again'): string {
  return `wait for the reset to finish (\`kloudspot-installer watch ${site}\`), or end it while it asks for confirmation ` +
    `(\`kloudspot-installer confirm-reset ${site} --abort\`), then ${then}`;
}

/** The workflows that refuse while the site's reset runs: why, and what to run once it is over (workflow and CLI alike). */
export const REFUSED_DURING_RESET = {
  installCluster: { why: INSTALL_DURING_RESET, then: 'install again' },
  updateDeployment: { why: 'an update now would change a site the reset is taking apart', then: 'update again (after a finished reset: install first)' },
  addNode: { why: 'a node added now would join a cluster the reset is taking apart', then: 'add the node again (after a finished reset: install first)' },
} as const;
export type RefusedDuringReset = keyof typeof REFUSED_DURING_RESET;

/** The ids an install, update, uninstall, add-node or refresh-certs of the site runs under (client/installs.ts). */
export function changingWorkflowIds(site: string, nodes: string[]): string[] {
  return [installWorkflowId(site), `update/${site}`, `uninstall/${site}`, refreshCertsWorkflowId(site), ...nodes.map((n) => `add-node/${site}/${n}`)];
}

export function prepareNodeWorkflowId(site: string, node: string): string {
  return `${installWorkflowId(site)}/prepare/${node}`;
}

/** replace-node: `node` is the dead one, replaced by a new machine the spec lists in its place. */
export function replaceNodeWorkflowId(site: string, node: string): string {
  return `replace-node/${site}/${node}`;
}

/** A prepare-node child's own step, exact: the parent hears only of the long steps (prepare-node.ts). */
export interface NodeProgress { node: string; step: string; state: StepState }
export const nodeProgressQuery = defineQuery<NodeProgress>('nodeProgress');

/** An update definition taking one argument (for the client's generic helper). */
export type UpdateDef<Ret, Arg> = ReturnType<typeof defineUpdate<Ret, [Arg]>>;

// doctor: a read-only health check of an installed site (issue 20).
export type HealthLevel = 'ok' | 'warn' | 'fail';
export interface HealthCheck {
  /** `ssh`, `microk8s`, `nodes-ready`, `voters`, `certificates`, ... (one per node for per-node checks). */
  check: string;
  node?: string;
  level: HealthLevel;
  /** What was measured: `server.crt expires in 12 days (2027-01-15)`. */
  value: string;
  /** What to do when it is not ok. */
  action?: string;
}
export interface DoctorReport { site: string; verdict: HealthLevel; checkedAt: string; checks: HealthCheck[] }
/** The spec (as installed) and the host keys seen when it was installed, when known. */
export interface DoctorInput { spec: import('../site/schema').SiteSpec; hostKeys?: Record<string, string> }

export function doctorWorkflowId(site: string, at: Date): string {
  return `doctor/${site}/${at.toISOString().replace(/\.\d+Z$/, 'Z')}`;
}
/** The Temporal Schedule that runs a site's doctor (`doctor <site> --every 6h`). */
export function doctorScheduleId(site: string): string {
  return `doctor/${site}`;
}

/** refresh-certs: renews MicroK8s' certificates node by node (issue 20). */
export function refreshCertsWorkflowId(site: string): string {
  return `refresh-certs/${site}`;
}
export interface CertRenewal { node: string; cert: string; before: string; after: string; changed: boolean }
export interface RefreshCertsResult { site: string; renewals: CertRenewal[]; voters: number }

/** upgrade: MicroK8s moved to the next minor channel, one node at a time (issue 21). */
export function upgradeWorkflowId(site: string): string {
  return `upgrade/${site}`;
}
export interface UpgradeInput extends DoctorInput {
  /** `1.33/stable`: exactly one minor after every node's current channel. */
  channel: string;
  /** How long one `kubectl drain` retries evictions a disruption budget refuses before a person is asked (default 120). */
  drainTimeoutSeconds?: number;
  /** The worker's backup directory, for the pre-check's backup (default as `backup`'s). */
  backupDir?: string;
}

/** backup: the datastore, certificates, values file and spec, copied to the worker (issue 21). */
export function backupWorkflowId(site: string, at: Date): string {
  return `backup/${site}/${at.toISOString().replace(/\.\d+Z$/, 'Z')}`;
}
/** The Temporal Schedule that backs a site up (`backup <site> --every 24h`). */
export function backupScheduleId(site: string): string {
  return `backup/${site}`;
}
export interface BackupInput extends DoctorInput {
  /** The worker's directory for backups (default: KLOUDSPOT_BACKUP_DIR or ~/.local/share/kloudspot-installer/backups). */
  dir?: string;
  /** How many backups of the site to keep (default 7). */
  keep?: number;
}
export type { BackupManifest } from '../activities/backup';
/** restore: a site rebuilt from a backup on fresh nodes (issue 21). */
export function restoreWorkflowId(site: string): string {
  return `restore/${site}`;
}
export interface RestoreInput {
  spec: import('../site/schema').SiteSpec;
  /** One backup on the worker's machine: <backup dir>/<site>/<time>, as `backup` wrote it. */
  backup: string;
}
/** support-bundle/<site>/<time>: what a support engineer needs from a site, packed on the worker. */
export function supportBundleWorkflowId(site: string, at: Date): string {
  return `support-bundle/${site}/${at.toISOString().replace(/\.\d+Z$/, 'Z')}`;
}
/** The bundle's name: `<site>-<yyyymmddThhmmssZ>`, a directory (then an archive) under the worker's bundle directory. */
export function supportBundleName(site: string, at: Date): string {
  return `${site}-${at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')}`;
}
export interface SupportBundleInput extends DoctorInput { name: string }
export interface BundlePart { node?: string; files: string[]; errors: string[]; redactions: number }
export interface SupportBundleResult { site: string; path: string; bytes: number; files: string[]; errors: string[]; redactions: number }
