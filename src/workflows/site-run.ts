// The frame of every site workflow: the context with its handlers registered before the first await, the
// phases run in order, and the end (completed, or failed with the reason; an abort by a person's answer).
import { ApplicationFailure, ChildWorkflowFailure, patched, upsertSearchAttributes } from '@temporalio/workflow';
import { FailureType, installAborted } from '../activities/failures';
import type { SiteSpec } from '../site/schema';
import { CustomerKey, PhaseKey, SiteKey } from '../temporal/search-attributes';
import { prepareNodeWorkflowId, type InstallStatus, type PhaseName } from './api';
import { Questions } from './answers';
import { HostKeyQuestion } from './host-key-question';
import { loadPins, savePins } from './host-keys';
import { runPhases, type Phase } from './phase';
import { onRefusedSignal } from './refusals';
import { checkedSpec } from './site-input';
import { siteNodes, siteTimeouts, type SiteContext, type SiteNode } from './site-context';
import { StatusBoard } from './status';
import { InstallAborted } from './steps';

export const UI_HINT = 'Or from a shell: `kloudspot-installer answer|upload-cert|self-signed|resolve <site> ...` (see `kloudspot-installer --help`).';

/**
 * Checks the input with the site schema (a refused spec fails the run before anything acts), creates the
 * context and registers every handler: call before the workflow's first await.
 */
export function openSite(input: SiteSpec, extraNodes: SiteNode[] = []): SiteContext {
  const spec = checkedSpec(input);
  const nodes = [...siteNodes(spec), ...extraNodes];
  const board = new StatusBoard(spec.site, nodes, UI_HINT, (phase: PhaseName) => upsertSearchAttributes([{ key: PhaseKey, value: phase }]));
  const questions = new Questions(board, (node) => prepareNodeWorkflowId(spec.site, node));
  onRefusedSignal((text) => board.setSummary('refused', text));
  upsertSearchAttributes([{ key: SiteKey, value: spec.site }, { key: CustomerKey, value: spec.customer }, { key: PhaseKey, value: 'preflight' }]);
  return { spec, board, questions, hostKeyQuestion: new HostKeyQuestion(board), nodes, pins: new Map(), timeouts: siteTimeouts(spec) };
}

/** Runs the phases and ends the run: an abort (a person's answer) fails it with a clear message; other errors pass. */
export async function runSite(ctx: SiteContext, phases: readonly Phase[], operation = 'install'): Promise<InstallStatus> {
  try {
    await loadPins(ctx);
    await runPhases(ctx, phases, savePins);
    // Added after v1 histories were recorded: `list` showed finished installs in their last phase.
    // patched() keeps those histories replaying (they carry no marker, so no extra command there).
    if (patched('phase-done-search-attribute')) upsertSearchAttributes([{ key: PhaseKey, value: 'done' }]);
    return ctx.board.finish('completed');
  } catch (err) {
    const aborted = err instanceof InstallAborted ? err
      : err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure && err.cause.type === FailureType.InstallAborted ? err.cause : undefined;
    if (aborted) {
      ctx.board.finish('failed', aborted.message);
      throw installAborted(`${ctx.spec.site}: ${operation} ${aborted.message}`);
    }
    ctx.board.finish('failed', (err as Error).message);
    throw err;
  }
}
