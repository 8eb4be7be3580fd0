// The answers a person gives, one mechanism for the install and its prepare-node children: failure
// questions (retry, skip, abort), block devices, the certificate inbox; every signal and update handler with
// its validation. Registered before the workflow's first await so the Web UI's metadata query lists them.
import { ApplicationFailure, condition, getExternalWorkflowHandle, log, setHandler } from '@temporalio/workflow';
import { FailureType } from '../activities/failures';
import { BLOCK_DEVICE_NAME, STEP_ID } from '../site/patterns';
import * as api from './api';
import type { FailureAction, Question, StepState, UploadCertificate } from './api';
import type { StatusBoard } from './status';
import type { StepHost } from './steps';

export type CertificateAnswer = { kind: 'upload'; upload: UploadCertificate } | { kind: 'self-signed' };

/** Caps on certificate answers: the size of each PEM, and how many may wait to be checked. */
export const MAX_PEM_CHARS = 64 * 1024;
const MAX_WAITING_UPLOADS = 4;

/** What a person may answer to a failed step. */
export const FAILURE_ACTIONS: readonly FailureAction[] = ['retry', 'skip', 'abort'];
/** Every action some question offers; each question lists its own in `options`. */
const ALL_ACTIONS: readonly FailureAction[] = [...FAILURE_ACTIONS, 'wait', 'force'];

/** A failed step's question, the same whether the install or a prepare-node child asks it. */
export function failureQuestion(step: string, node: string | undefined, message: string, lastError: string,
  actions: readonly FailureAction[] = FAILURE_ACTIONS): Omit<Question, 'id' | 'askedAt'> {
  return {
    kind: 'failure', node, step, options: [...actions], lastError,
    prompt: `${message}. Fix the cause, then answer resolveFailure {"step": "${step}", "action": ${actions.map((a) => `"${a}"`).join(' | ')}}.`,
  };
}

/** The shape of a resolveFailure answer; which step is pending is the caller's check. */
export function checkResolveShape(a: api.ResolveFailure): void {
  if (!a || typeof a.step !== 'string' || !STEP_ID.test(a.step) || !ALL_ACTIONS.includes(a.action)) {
    throw new Error('expected {"step": "<node>:<step> from the question, e.g. k8s-vm-1:apt-upgrade", "action": one of the question\'s options (retry, skip, abort; wait, force after a blocked drain)}');
  }
}

/** Answers to failure questions by step id: the install's own steps and, forwarded to it, a child's. */
export class FailureInbox {
  private answers = new Map<string, FailureAction>();
  deliver(a: api.ResolveFailure): void { this.answers.set(a.step, a.action); }
  forget(step: string): void { this.answers.delete(step); }
  async wait(step: string): Promise<FailureAction> {
    await condition(() => this.answers.has(step));
    return this.answers.get(step)!;
  }
}

export class Questions implements StepHost {
  private seq = 0;
  private failures = new FailureInbox();
  /** Block devices chosen before their question was asked. */
  private preChosen = new Map<string, string>();
  private chosen = new Map<string, string>();
  /** Certificate answers not yet consumed (uploads wait for the certificate check), numbered. */
  private certificateInbox: { n: number; answer: CertificateAnswer }[] = [];
  private certificateSeq = 0;
  /** n -> why the upload was refused ('' when accepted). */
  private certificateVerdicts = new Map<number, string>();
  private certificateDone = false;
  /** Failure questions owned by a child workflow: step -> child workflow id. */
  private childSteps = new Map<string, string>();
  /** node -> the key its prepare-node child's reports carry (undefined: a run from before keys). */
  private reportKeys = new Map<string, string | undefined>();

  constructor(
    private readonly board: StatusBoard,
    /** Child workflow id of a node's prepare-node run, for routing answers. */
    private readonly childIdOf: (node: string) => string,
  ) {
    this.registerHandlers();
  }

  /** StepHost: a step of a node (or of the whole cluster when `node` is undefined). */
  setStep(node: string | undefined, step: string, state: StepState): void {
    if (node) this.board.setNode(node, step, state);
    else this.board.refresh();
  }

  private open(q: Omit<Question, 'id' | 'askedAt'>): Question {
    const question: Question = { ...q, id: `q${++this.seq}`, askedAt: new Date().toISOString() };
    this.board.addQuestion(question);
    return question;
  }

  private pending(kind: Question['kind'], match?: (q: Question) => boolean): Question | undefined {
    return this.board.findQuestion(kind, match);
  }

  async askBlockDevice(node: string, options: { name: string; label: string }[]): Promise<string> {
    const early = this.preChosen.get(node);
    if (early && options.some((o) => o.name === early)) return early;
    const q = this.open({
      kind: 'blockDevice', node, options: options.map((o) => o.name),
      prompt: `Node ${node} has ${options.length} block devices that cStor can use. Which one holds the shared pool? ${options.map((o) => o.label).join('; ')}`,
    });
    await condition(() => this.chosen.has(q.id));
    return this.chosen.get(q.id)!;
  }

  async askCertificate(dnsHostname: string, check: (u: UploadCertificate) => Promise<string | undefined>): Promise<CertificateAnswer> {
    const q = this.open({
      kind: 'certificate',
      prompt: `Upload the TLS certificate and private key for ${dnsHostname} (signal uploadCertificate {certificatePem, privateKeyPem}), or choose the ingress's self-signed certificate (signal useSelfSignedCertificate {}).`,
      options: ['uploadCertificate', 'useSelfSignedCertificate'],
    });
    for (;;) {
      await condition(() => this.certificateInbox.length > 0);
      const { n, answer } = this.certificateInbox.shift()!;
      const problem = answer.kind === 'self-signed' ? undefined : await check(answer.upload);
      this.certificateVerdicts.set(n, problem ?? '');
      if (!problem) {
        this.certificateDone = true;
        this.certificateInbox = [];
        this.board.removeQuestions((x) => x.id === q.id);
        return answer;
      }
      q.lastError = `upload rejected: ${problem}`;
      log.warn('certificate upload rejected', { reason: problem });
      this.board.refresh();
    }
  }

  /** No certificate will be asked for (self-signed mode, or the secret exists): refuse uploads from now on. */
  certificateNotNeeded(): void {
    this.certificateDone = true;
  }

  /** A step failed after its retries: a person decides. Child workflows route theirs through the parent. */
  async askFailure(step: string, node: string | undefined, message: string, lastError: string, actions?: readonly FailureAction[]): Promise<FailureAction> {
    this.failures.forget(step);
    this.open(failureQuestion(step, node, message, lastError, actions));
    return this.failures.wait(step);
  }

  /** A prepare-node child is started for `node`: its reports must carry `key`. Returns the key for its input. */
  expectReports(node: string, key: string | undefined): string | undefined {
    this.reportKeys.set(node, key);
    return key;
  }

  private nodeReport(r: api.NodeReport): void {
    // Only the site's own children know their key; anything else (the Web UI, another workflow) is dropped.
    if (!r || typeof r.node !== 'string' || !this.reportKeys.has(r.node) || this.reportKeys.get(r.node) !== r.key) {
      log.warn('nodeReport refused: not from this run\'s prepare-node child', { node: typeof r?.node === 'string' ? r.node.slice(0, 64) : undefined });
      return;
    }
    this.board.setNode(r.node, r.step, r.state);
    this.mirrorChildQuestion(this.childIdOf(r.node), r.node, r.question ?? null, `${r.node}:${r.step}`);
  }

  /** Mirrors a child's question (or clears it) so the install's status and details show it. */
  mirrorChildQuestion(childId: string, node: string, question: Question | null | undefined, step: string): void {
    this.board.removeQuestions((q) => q.kind === 'failure' && q.node === node && this.childSteps.get(q.step ?? '') === childId);
    if (question) {
      this.childSteps.set(question.step ?? step, childId);
      this.board.addQuestion({ ...question, id: `q${++this.seq}` });
    }
  }

  // --- handlers -------------------------------------------------------------------------------------
  private validateBlockDevice(a: api.ChooseBlockDevice): Question {
    if (!a || typeof a.node !== 'string' || typeof a.blockDevice !== 'string' || !BLOCK_DEVICE_NAME.test(a.blockDevice)) {
      throw new Error('expected {"node": "<node name>", "blockDevice": "blockdevice-<letters and digits>"}');
    }
    const q = this.pending('blockDevice', (x) => x.node === a.node);
    if (!q) throw new Error(`no block device question is pending for node ${a.node}${this.pendingSummary()}`);
    if (!q.options?.includes(a.blockDevice)) throw new Error(`${a.blockDevice} is not a candidate on ${a.node}; choose one of: ${q.options?.join(', ')}`);
    return q;
  }

  private validateResolve(a: api.ResolveFailure): Question {
    checkResolveShape(a);
    const q = this.pending('failure', (x) => x.step === a.step);
    if (!q) throw new Error(`no failed step ${a.step} is waiting for an answer${this.pendingSummary()}`);
    if (q.options && !q.options.includes(a.action)) throw new Error(`${a.step} takes ${q.options.join(', ')}, not ${a.action}`);
    return q;
  }

  private validateUpload(a: UploadCertificate): void {
    if (!a || typeof a.certificatePem !== 'string' || !a.certificatePem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error('certificatePem must be a PEM certificate (-----BEGIN CERTIFICATE-----)');
    }
    if (typeof a.privateKeyPem !== 'string' || !/-----BEGIN (RSA |EC |)PRIVATE KEY-----/.test(a.privateKeyPem)) {
      throw new Error('privateKeyPem must be an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)');
    }
    if (this.certificateDone) throw new Error('the certificate question was already answered');
    // A certificate chain and its key are a few KiB: a bigger answer only fills the history (issue 17).
    if (a.certificatePem.length > MAX_PEM_CHARS || a.privateKeyPem.length > MAX_PEM_CHARS) {
      throw new Error(`certificatePem and privateKeyPem must each be at most ${MAX_PEM_CHARS / 1024} KiB (a chain and its key are a few KiB)`);
    }
    if (this.certificateInbox.length >= MAX_WAITING_UPLOADS) throw new Error(`${MAX_WAITING_UPLOADS} certificate answers are already waiting to be checked; wait for their verdict`);
  }

  private pushCertificate(answer: CertificateAnswer): number {
    const n = ++this.certificateSeq;
    this.certificateInbox.push({ n, answer });
    return n;
  }

  private pendingSummary(): string {
    const qs = this.board.status.questions;
    return qs.length === 0 ? ' (nothing is pending)' : `; pending: ${qs.map((q) => q.kind + (q.node ? ` on ${q.node}` : '') + (q.step ? ` step ${q.step}` : '')).join(', ')}`;
  }

  private chooseBlockDevice(a: api.ChooseBlockDevice): void {
    let q: Question;
    try {
      q = this.validateBlockDevice(a);
    } catch (err) {
      // A signal cannot be refused: keep early answers for later, note bad ones on the question.
      const open = a && this.pending('blockDevice', (x) => x.node === a.node);
      if (open) { open.lastError = (err as Error).message; this.board.refresh(); }
      else if (a && typeof a.node === 'string' && typeof a.blockDevice === 'string') this.preChosen.set(a.node, a.blockDevice);
      log.warn('chooseBlockDevice not applied', { reason: (err as Error).message });
      return;
    }
    this.board.removeQuestions((x) => x.id === q.id);
    this.chosen.set(q.id, a.blockDevice);
  }

  private async resolveFailure(a: api.ResolveFailure): Promise<void> {
    const q = this.validateResolve(a);
    const childId = this.childSteps.get(a.step);
    if (childId) {
      this.board.removeQuestions((x) => x.id === q.id);
      await getExternalWorkflowHandle(childId).signal(api.resolveFailureSignal, a);
      return;
    }
    this.board.removeQuestions((x) => x.id === q.id);
    this.failures.deliver(a);
  }

  private registerHandlers(): void {
    setHandler(api.statusQuery, () => this.board.status, { description: 'Phase, per-node steps and pending questions of this install' });
    setHandler(api.nodeReportSignal, (r) => this.nodeReport(r), { description: 'Internal: progress reported by a prepare-node child workflow' });

    setHandler(api.chooseBlockDeviceSignal, (a) => this.chooseBlockDevice(a), {
      description: 'Answer a block device question: {"node": "k8s-vm-1", "blockDevice": "blockdevice-..."}',
    });
    setHandler(api.uploadCertificateSignal, (a) => {
      try { this.validateUpload(a); } catch (err) {
        const q = this.pending('certificate');
        if (q) { q.lastError = `upload rejected: ${(err as Error).message}`; this.board.refresh(); }
        return;
      }
      this.pushCertificate({ kind: 'upload', upload: a });
    }, { description: 'Upload the TLS certificate: {"certificatePem": "-----BEGIN CERTIFICATE-----...", "privateKeyPem": "-----BEGIN PRIVATE KEY-----..."}' });
    setHandler(api.useSelfSignedCertificateSignal, (_a: api.UseSelfSigned) => { if (!this.certificateDone) this.pushCertificate({ kind: 'self-signed' }); }, {
      description: 'Use the ingress controller\'s self-signed certificate instead of an upload: {}',
    });
    setHandler(api.resolveFailureSignal, async (a) => {
      try { await this.resolveFailure(a); } catch (err) { log.warn('resolveFailure not applied', { reason: (err as Error).message }); }
    }, { description: 'After a failed step: {"step": "<step>", "action": "retry" | "skip" | "abort"}' });

    setHandler(api.chooseBlockDeviceUpdate, (a) => { this.chooseBlockDevice(a); return `using ${a.blockDevice} on ${a.node}`; }, {
      validator: (a) => { this.validateBlockDevice(a); },
      description: 'Like chooseBlockDevice, but a wrong answer is rejected at once',
    });
    setHandler(api.uploadCertificateUpdate, async (a) => {
      const n = this.pushCertificate({ kind: 'upload', upload: a });
      // Answer only once the workflow has checked this very upload.
      await condition(() => this.certificateVerdicts.has(n));
      const problem = this.certificateVerdicts.get(n);
      if (problem) throw ApplicationFailure.create({ type: FailureType.CertificateRejected, message: `upload rejected: ${problem}`, nonRetryable: true });
      return 'certificate accepted';
    }, {
      validator: (a) => { this.validateUpload(a); },
      description: 'Like uploadCertificate, but answers whether the certificate was accepted',
    });
    setHandler(api.useSelfSignedCertificateUpdate, (_a: api.UseSelfSigned) => { this.pushCertificate({ kind: 'self-signed' }); return 'using the self-signed certificate'; }, {
      validator: (_a: api.UseSelfSigned) => { if (this.certificateDone) throw new Error('the certificate question was already answered'); },
      description: 'Like useSelfSignedCertificate, for the CLI',
    });
    setHandler(api.resolveFailureUpdate, async (a) => { await this.resolveFailure(a); return `${a.action} ${a.step}`; }, {
      validator: (a) => { this.validateResolve(a); },
      description: 'Like resolveFailure, but a wrong step or action is rejected at once',
    });
  }
}
