// reset's first phases (after the refusal while another workflow changes the site, site-busy.ts): read every node (read-only, the
// reset's own checks) and ask ONE question listing exactly what will be removed on which node. Nothing is
// removed before a person answers confirm (Web UI signal confirmReset, Temporal CLI, or our CLI / `reset --yes`).
import { condition, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeFailure, FailureType } from '../activities/failures';
import type { ResetItem, ResetSurveyInput } from '../activities/reset';
import * as api from './api';
import type { Question, ResetAnswer } from './api';
import type { Phase } from './phase';
import { firstManager, targetOf, type SiteContext, type SiteNode } from './site-context';
import { InstallAborted } from './steps';
import { RESET_ADDONS } from './reset-steps';

const CONFIRM_STEP = 'cluster:reset-confirm';
const QUESTION_ID = 'reset';

// Reads only, and quick: give up sooner than ordinary steps; an unreachable node is listed as such.
const { surveyResetNode } = proxyActivities<Activities>({
  startToCloseTimeout: '5m', heartbeatTimeout: '20s',
  retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3, nonRetryableErrorTypes: [FailureType.HostKeyMismatch, FailureType.NotReadOnly] },
});

/** The confirm/abort answer: handlers registered by resetSite before its first await (the Web UI lists them). */
export class ResetConfirmation {
  private answer?: ResetAnswer;

  constructor(private readonly ctx: SiteContext) {
    setHandler(api.confirmResetSignal, (a) => {
      try { this.accept(a); } catch (err) { log.warn('confirmReset not applied', { reason: (err as Error).message }); }
    }, { description: 'Answer reset\'s question: {"answer": "confirm"} removes what it lists, {"answer": "abort"} removes nothing' });
    setHandler(api.confirmResetUpdate, (a) => { this.accept(a); return a.answer === 'confirm' ? 'reset confirmed' : 'reset aborted'; }, {
      validator: (a) => { this.check(a); },
      description: 'Like confirmReset, but a wrong answer (or one with no question pending) is rejected at once',
    });
  }

  private check(a: api.ConfirmReset): void {
    if (!a || (a.answer !== 'confirm' && a.answer !== 'abort')) throw new Error('expected {"answer": "confirm" | "abort"}');
    if (!this.ctx.board.findQuestion('confirmReset')) throw new Error('no reset question is pending (the survey is still running, or it was answered)');
  }

  private accept(a: api.ConfirmReset): void {
    this.check(a);
    this.answer = a.answer;
    this.ctx.board.removeQuestions((q) => q.kind === 'confirmReset');
  }

  async ask(prompt: string, details: string): Promise<ResetAnswer> {
    const q: Question = {
      id: QUESTION_ID, kind: 'confirmReset', step: CONFIRM_STEP, options: ['confirm', 'abort'], prompt, lastError: details,
      askedAt: new Date().toISOString(),
    };
    this.ctx.board.addQuestion(q);
    await condition(() => this.answer !== undefined);
    return this.answer!;
  }
}

/** What surveyResetNode reads about a node: its place in the cluster and its static address. */
export function surveyInput(ctx: SiteContext, n: SiteNode): ResetSurveyInput {
  const first = firstManager(ctx);
  return {
    first: targetOf(ctx, first), volumeGroup: ctx.spec.lvm.volumeGroup, addons: [...RESET_ADDONS],
    node: {
      name: n.name, target: targetOf(ctx, n), worker: n.role === 'worker', interface: n.interface,
      cidr: `${n.address}/${ctx.spec.network.prefixLength}`, first: n.name === first.name,
    },
  };
}

/** The question's text: per node, what will be removed; nodes that cannot be read are named. */
export function renderResetList(items: ResetItem[]): { lines: string[]; remove: number; unknown: number } {
  const lines: string[] = [];
  for (const node of [...new Set(items.map((i) => i.node))]) {
    const mine = items.filter((i) => i.node === node && i.state !== 'absent');
    lines.push(`${node}:${mine.length ? '' : ' nothing to remove'}`);
    for (const i of mine) lines.push(`  - ${i.state === 'unknown' ? 'CANNOT BE READ: ' : ''}${i.detail}`);
  }
  return { lines, remove: items.filter((i) => i.state === 'remove').length, unknown: items.filter((i) => i.state === 'unknown').length };
}

export function resetSurvey(confirmation: ResetConfirmation): Phase {
  return {
    name: 'reset-survey',
    title: 'list what will be removed on which node (read-only); one question',
    hosts: (ctx) => ctx.nodes,
    async run(ctx, nodes) {
      nodes.forEach((n) => ctx.board.setNode(n.name, 'survey', 'running'));
      const settled = await Promise.allSettled(nodes.map((n) => surveyResetNode(surveyInput(ctx, n))));
      const items = settled.flatMap((r, i): ResetItem[] => {
        ctx.board.setNode(nodes[i].name, 'survey', r.status === 'fulfilled' ? 'done' : 'failed');
        return r.status === 'fulfilled' ? r.value : [{ node: nodes[i].name, step: 'survey', state: 'unknown', detail: describeFailure(r.reason).message }];
      });
      const list = renderResetList(items);
      ctx.board.setSummary('reset', `${list.remove} item${list.remove === 1 ? '' : 's'} to remove on ${nodes.length} nodes` +
        (list.unknown ? `, ${list.unknown} node${list.unknown === 1 ? '' : 's'} not readable` : ''));
      const answer = await confirmation.ask(
        `Reset ${ctx.spec.site}: remove everything listed below (${list.remove} items) and take the nodes back to bare Ubuntu? ` +
        'The shared volumes\' data is lost. Answer confirmReset {"answer": "confirm"} or {"answer": "abort"}.',
        list.lines.join('\n'));
      if (answer === 'abort') throw new InstallAborted(CONFIRM_STEP);
    },
  };
}
