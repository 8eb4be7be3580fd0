// The install's visible status: phase, per-node steps, pending questions and summary figures, kept for the
// `status` query and written as markdown to the Web UI's "current details" whenever it changes.
import { setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { markdownCodeBlock } from '../safe-text';
import { QUESTION_DETAIL_LINES, type InstallStatus, type NodeStatus, type PhaseName, type Question, type StepState } from './api';

const nowIso = () => new Date().toISOString();

export class StatusBoard {
  readonly status: InstallStatus;
  private detailsText = '';

  constructor(
    site: string,
    nodes: { name: string; role: 'manager' | 'worker' }[],
    private readonly uiHint = '',
    /** Called when the phase changes (the install sets its search attribute there). */
    private readonly onPhase: (phase: PhaseName) => void = () => undefined,
  ) {
    this.status = {
      site, workflow: workflowInfo().workflowId, phase: 'preflight', state: 'running',
      nodes: nodes.map((n): NodeStatus => ({ name: n.name, role: n.role, step: 'pending', state: 'pending' })),
      questions: [], startedAt: nowIso(), updatedAt: nowIso(),
    };
    this.refresh();
  }

  setPhase(phase: PhaseName): void {
    if (this.status.phase !== phase) this.onPhase(phase);
    this.status.phase = phase;
    this.refresh();
  }

  setNode(name: string, step: string, state: StepState): void {
    const n = this.status.nodes.find((x) => x.name === name);
    if (n) { n.step = step; n.state = state; }
    this.refresh();
  }

  /** A fact about a node kept beside its step (the refresh hold). */
  setNodeNote(name: string, key: 'refreshHold', value: string): void {
    const n = this.status.nodes.find((x) => x.name === name);
    if (n) n[key] = value;
    this.refresh();
  }

  addNodeRow(name: string, role: 'manager' | 'worker'): void {
    if (!this.status.nodes.some((n) => n.name === name)) this.status.nodes.push({ name, role, step: 'pending', state: 'pending' });
  }

  setSummary(key: string, value: string): void {
    this.status.summary = { ...this.status.summary, [key]: value };
    this.refresh();
  }

  /** Shows a question as pending (answers.ts numbers them). */
  addQuestion(q: Question): void {
    this.status.questions.push(q);
    this.refresh();
  }

  removeQuestions(match: (q: Question) => boolean): void {
    this.status.questions = this.status.questions.filter((q) => !match(q));
    this.refresh();
  }

  findQuestion(kind: Question['kind'], match: (q: Question) => boolean = () => true): Question | undefined {
    return this.status.questions.find((q) => q.kind === kind && match(q));
  }

  finish(state: 'completed' | 'failed', lastError?: string): InstallStatus {
    if (state === 'completed') this.status.phase = 'done';
    this.status.state = state;
    if (lastError) this.status.lastError = lastError;
    this.status.questions = [];
    this.refresh();
    return this.status;
  }

  refresh(): void {
    const s = this.status;
    if (s.state === 'running' || s.state === 'waiting') s.state = s.questions.length > 0 ? 'waiting' : 'running';
    s.updatedAt = nowIso();
    const text = renderDetails(s, this.uiHint);
    if (text !== this.detailsText) { this.detailsText = text; setCurrentDetails(text); }
  }
}

/** Markdown for the Web UI's "current details": what the install is doing and what it waits for. */
export function renderDetails(s: InstallStatus, uiHint: string): string {
  const lines = [`**${s.site}**: ${s.phase} (${s.state})`, ''];
  for (const n of s.nodes) lines.push(`- ${n.name} (${n.role}): ${n.step} — ${n.state}${n.refreshHold ? `; refresh hold: ${n.refreshHold}` : ''}`);
  if (s.questions.length > 0) {
    lines.push('', '### Waiting for you');
    for (const q of s.questions) {
      lines.push('', `**${q.kind}${q.node ? ` on ${q.node}` : ''}**: ${q.prompt}`);
      // Node output in a code block: a link or markup in a hostile node's stderr stays inert text.
      if (q.lastError) lines.push('', markdownCodeBlock(q.lastError.split('\n').slice(-QUESTION_DETAIL_LINES).join('\n')));
      lines.push('', 'Answer with **Send a Signal**: ' + signalExample(q));
    }
    if (uiHint) lines.push('', uiHint);
  }
  if (s.lastError) lines.push('', 'Last error:', '', markdownCodeBlock(s.lastError));
  return lines.join('\n');
}

function signalExample(q: Question): string {
  switch (q.kind) {
    case 'blockDevice': return `\`chooseBlockDevice\` with \`{"node": "${q.node}", "blockDevice": "${q.options?.[0] ?? 'blockdevice-...'}"}\``;
    case 'certificate': return '`uploadCertificate` with `{"certificatePem": "...", "privateKeyPem": "..."}`, or `useSelfSignedCertificate` with `{}`';
    case 'failure': return `\`resolveFailure\` with \`{"step": "${q.step}", "action": "retry"}\` (or "skip", "abort")`;
    case 'confirmReset': return '`confirmReset` with `{"answer": "confirm"}` (or `{"answer": "abort"}`)';
    case 'hostKeys': return '`confirmHostKeys` with `{"answer": "accept"}` (or `{"answer": "reject"}`)';
  }
}
