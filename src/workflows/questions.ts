// The pending-question mechanism and the install's visible status: one object per workflow run that
// registers every signal, update and query handler before the workflow's first await (so the Web UI's
// metadata query lists them), keeps the `status` answer, and writes current details for the Web UI.
import {
  ApplicationFailure, condition, getExternalWorkflowHandle, log, setCurrentDetails, setHandler, workflowInfo,
} from '@temporalio/workflow';
import * as api from './api';
import type { FailureAction, InstallStatus, NodeStatus, Phase, Question, StepState, UploadCertificate } from './api';
import type { StepHost } from './steps';

export type CertificateAnswer = { kind: 'upload'; upload: UploadCertificate } | { kind: 'self-signed' };

const nowIso = () => new Date().toISOString();

export class Control implements StepHost {
  readonly status: InstallStatus;
  private answers = new Map<string, unknown>();
  private seq = 0;
  /** Block devices chosen before their question was asked. */
  private preChosen = new Map<string, string>();
  /** Certificate answers not yet consumed (uploads wait for the certificate check), numbered. */
  private certificateInbox: { n: number; answer: CertificateAnswer }[] = [];
  private certificateSeq = 0;
  /** n -> why the upload was refused ('' when accepted). */
  private certificateVerdicts = new Map<number, string>();
  private certificateDone = false;
  /** Failure questions owned by a child workflow: step -> child workflow id. */
  private childSteps = new Map<string, string>();
  private detailsText = '';

  constructor(
    site: string,
    nodes: { name: string; role: 'manager' | 'worker' }[],
    /** Child workflow id of a node's prepare-node run, for routing answers. */
    private readonly childIdOf: (node: string) => string,
    private readonly uiHint = '',
    private readonly onPhase: (phase: Phase) => void = () => undefined,
  ) {
    this.status = {
      site, workflow: workflowInfo().workflowId, phase: 'preflight', state: 'running',
      nodes: nodes.map((n): NodeStatus => ({ name: n.name, role: n.role, step: 'pending', state: 'pending' })),
      questions: [], startedAt: nowIso(), updatedAt: nowIso(),
    };
    this.registerHandlers();
    this.refresh();
  }

  // --- status ---------------------------------------------------------------------------------------
  setPhase(phase: Phase): void {
    if (this.status.phase !== phase) this.onPhase(phase);
    this.status.phase = phase;
    this.refresh();
  }

  setNode(name: string, step: string, state: StepState): void {
    const n = this.status.nodes.find((x) => x.name === name);
    if (n) { n.step = step; n.state = state; }
    this.refresh();
  }

  /** StepHost: a step of a node (or of the whole cluster when `node` is undefined). */
  setStep(node: string | undefined, step: string, state: StepState): void {
    if (node) this.setNode(node, step, state);
    else this.refresh();
  }

  addNodeRow(name: string, role: 'manager' | 'worker'): void {
    if (!this.status.nodes.some((n) => n.name === name)) this.status.nodes.push({ name, role, step: 'pending', state: 'pending' });
  }

  setSummary(key: string, value: string): void {
    this.status.summary = { ...this.status.summary, [key]: value };
    this.refresh();
  }

  finish(state: 'completed' | 'failed', lastError?: string): InstallStatus {
    if (state === 'completed') this.status.phase = 'done';
    this.status.state = state;
    if (lastError) this.status.lastError = lastError;
    this.status.questions = [];
    this.refresh();
    return this.status;
  }

  private refresh(): void {
    const s = this.status;
    if (s.state === 'running' || s.state === 'waiting') s.state = s.questions.length > 0 ? 'waiting' : 'running';
    s.updatedAt = nowIso();
    const text = renderDetails(s, this.uiHint);
    if (text !== this.detailsText) { this.detailsText = text; setCurrentDetails(text); }
  }

  // --- questions ------------------------------------------------------------------------------------
  private open(q: Omit<Question, 'id' | 'askedAt'>): Question {
    const question: Question = { ...q, id: `q${++this.seq}`, askedAt: nowIso() };
    this.status.questions.push(question);
    this.refresh();
    return question;
  }

  private close(id: string, answer: unknown): void {
    this.status.questions = this.status.questions.filter((q) => q.id !== id);
    this.answers.set(id, answer);
    this.refresh();
  }

  private pending(kind: Question['kind'], match: (q: Question) => boolean = () => true): Question | undefined {
    return this.status.questions.find((q) => q.kind === kind && match(q));
  }

  async askBlockDevice(node: string, options: { name: string; label: string }[]): Promise<string> {
    const early = this.preChosen.get(node);
    if (early && options.some((o) => o.name === early)) return early;
    const q = this.open({
      kind: 'blockDevice', node, options: options.map((o) => o.name),
      prompt: `Node ${node} has ${options.length} block devices that cStor can use. Which one holds the shared pool? ${options.map((o) => o.label).join('; ')}`,
    });
    await condition(() => this.answers.has(q.id));
    return this.answers.get(q.id) as string;
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
        this.close(q.id, answer.kind);
        return answer;
      }
      q.lastError = `upload rejected: ${problem}`;
      log.warn('certificate upload rejected', { reason: problem });
      this.refresh();
    }
  }

  /** No certificate will be asked for (self-signed mode, or the secret exists): refuse uploads from now on. */
  certificateNotNeeded(): void {
    this.certificateDone = true;
  }

  /** A step failed after its retries: a person decides. Child workflows route theirs through the parent. */
  async askFailure(step: string, node: string | undefined, message: string, lastError: string): Promise<FailureAction> {
    const q = this.open({
      kind: 'failure', node, step, options: ['retry', 'skip', 'abort'], lastError,
      prompt: `${message}. Fix the cause, then answer resolveFailure {"step": "${step}", "action": "retry" | "skip" | "abort"}.`,
    });
    await condition(() => this.answers.has(q.id));
    return this.answers.get(q.id) as FailureAction;
  }

  /** Mirrors a child's question (or clears it) so the parent's status and details show it. */
  mirrorChildQuestion(childId: string, node: string, question: Question | null | undefined, step: string): void {
    this.status.questions = this.status.questions.filter((q) => !(q.kind === 'failure' && q.node === node && this.childSteps.get(q.step ?? '') === childId));
    if (question) {
      this.childSteps.set(question.step ?? step, childId);
      this.status.questions.push({ ...question, id: `q${++this.seq}` });
    }
    this.refresh();
  }

  // --- handlers -------------------------------------------------------------------------------------
  private validateBlockDevice(a: api.ChooseBlockDevice): Question {
    if (!a || typeof a.node !== 'string' || typeof a.blockDevice !== 'string') throw new Error('expected {"node": "<node name>", "blockDevice": "blockdevice-..."}');
    const q = this.pending('blockDevice', (x) => x.node === a.node);
    if (!q) throw new Error(`no block device question is pending for node ${a.node}${this.pendingSummary()}`);
    if (!q.options?.includes(a.blockDevice)) throw new Error(`${a.blockDevice} is not a candidate on ${a.node}; choose one of: ${q.options?.join(', ')}`);
    return q;
  }

  private validateResolve(a: api.ResolveFailure): Question {
    if (!a || typeof a.step !== 'string' || !['retry', 'skip', 'abort'].includes(a.action)) {
      throw new Error('expected {"step": "<step from the question>", "action": "retry" | "skip" | "abort"}');
    }
    const q = this.pending('failure', (x) => x.step === a.step);
    if (!q) throw new Error(`no failed step ${a.step} is waiting for an answer${this.pendingSummary()}`);
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
  }

  private pushCertificate(answer: CertificateAnswer): number {
    const n = ++this.certificateSeq;
    this.certificateInbox.push({ n, answer });
    return n;
  }

  private pendingSummary(): string {
    const qs = this.status.questions;
    return qs.length === 0 ? ' (nothing is pending)' : `; pending: ${qs.map((q) => q.kind + (q.node ? ` on ${q.node}` : '') + (q.step ? ` step ${q.step}` : '')).join(', ')}`;
  }

  private chooseBlockDevice(a: api.ChooseBlockDevice): void {
    let q: Question;
    try {
      q = this.validateBlockDevice(a);
    } catch (err) {
      // A signal cannot be refused: keep early answers for later, note bad ones on the question.
      const open = a && this.pending('blockDevice', (x) => x.node === a.node);
      if (open) { open.lastError = (err as Error).message; this.refresh(); }
      else if (a && typeof a.node === 'string' && typeof a.blockDevice === 'string') this.preChosen.set(a.node, a.blockDevice);
      log.warn('chooseBlockDevice not applied', { reason: (err as Error).message });
      return;
    }
    this.close(q.id, a.blockDevice);
  }

  private async resolveFailure(a: api.ResolveFailure): Promise<void> {
    const q = this.validateResolve(a);
    const childId = this.childSteps.get(a.step);
    if (childId) {
      this.status.questions = this.status.questions.filter((x) => x.id !== q.id);
      this.refresh();
      await getExternalWorkflowHandle(childId).signal(api.resolveFailureSignal, a);
      return;
    }
    this.close(q.id, a.action);
  }

  private registerHandlers(): void {
    setHandler(api.statusQuery, () => this.status, { description: 'Phase, per-node steps and pending questions of this install' });
    setHandler(api.nodeReportSignal, (r) => {
      this.setNode(r.node, r.step, r.state);
      this.mirrorChildQuestion(this.childIdOf(r.node), r.node, r.question ?? null, `${r.node}:${r.step}`);
    }, { description: 'Internal: progress reported by a prepare-node child workflow' });

    setHandler(api.chooseBlockDeviceSignal, (a) => this.chooseBlockDevice(a), {
      description: 'Answer a block device question: {"node": "k8s-vm-1", "blockDevice": "blockdevice-..."}',
    });
    setHandler(api.uploadCertificateSignal, (a) => {
      try { this.validateUpload(a); } catch (err) {
        const q = this.pending('certificate');
        if (q) { q.lastError = `upload rejected: ${(err as Error).message}`; this.refresh(); }
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

    setHandler(api.chooseBlockDeviceUpdate, (a) => { this.close(this.validateBlockDevice(a).id, a.blockDevice); return `using ${a.blockDevice} on ${a.node}`; }, {
      validator: (a) => { this.validateBlockDevice(a); },
      description: 'Like chooseBlockDevice, but a wrong answer is rejected at once',
    });
    setHandler(api.uploadCertificateUpdate, async (a) => {
      const n = this.pushCertificate({ kind: 'upload', upload: a });
      // Answer only once the workflow has checked this very upload.
      await condition(() => this.certificateVerdicts.has(n));
      const problem = this.certificateVerdicts.get(n);
      if (problem) throw ApplicationFailure.create({ type: 'CertificateRejected', message: `upload rejected: ${problem}`, nonRetryable: true });
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

/** Markdown for the Web UI's "current details": what the install is doing and what it waits for. */
export function renderDetails(s: InstallStatus, uiHint: string): string {
  const lines = [`**${s.site}**: ${s.phase} (${s.state})`, ''];
  for (const n of s.nodes) lines.push(`- ${n.name} (${n.role}): ${n.step} — ${n.state}`);
  if (s.questions.length > 0) {
    lines.push('', '### Waiting for you');
    for (const q of s.questions) {
      lines.push('', `**${q.kind}${q.node ? ` on ${q.node}` : ''}**: ${q.prompt}`);
      if (q.lastError) lines.push('', `> ${q.lastError.split('\n').slice(-6).join('\n> ')}`);
      lines.push('', 'Answer with **Send a Signal**: ' + signalExample(q));
    }
    if (uiHint) lines.push('', uiHint);
  }
  if (s.lastError) lines.push('', `Last error: ${s.lastError}`);
  return lines.join('\n');
}

function signalExample(q: Question): string {
  switch (q.kind) {
    case 'blockDevice': return `\`chooseBlockDevice\` with \`{"node": "${q.node}", "blockDevice": "${q.options?.[0] ?? 'blockdevice-...'}"}\``;
    case 'certificate': return '`uploadCertificate` with `{"certificatePem": "...", "privateKeyPem": "..."}`, or `useSelfSignedCertificate` with `{}`';
    case 'failure': return `\`resolveFailure\` with \`{"step": "${q.step}", "action": "retry"}\` (or "skip", "abort")`;
  }
}
