// deploy.mode kloudspot-init: `kloudspot init` itself writes the values file, its prompts (the seed's transcript)
// answered over a PTY from the spec and the cStor pool's block devices; then the file is read back.
import { Context } from '@temporalio/activity';
import { createKloudspotInitChecks } from './checks/kloudspot-init';
import { kloudspotInit, replyTo, INIT_VALUES_FILE, type KloudspotInitInput } from './commands/kloudspot-init';
import { parsePoolCluster, readPoolCluster } from './commands/openebs';
import { failure, FailureType } from './failures';
import { run, tail, toFailure, type ActivityDeps } from './run';
import type { StepResult } from './node-prep';
import type { SshTarget } from './ssh';
import { DialogueError, type TranscriptEntry } from './ssh-pty';

/** Longest wait for the next prompt: the tool installs OpenEBS when missing and waits for the pool in between. */
export const INIT_PROMPT_TIMEOUT_MS = 20 * 60_000;

function inActivity(): Context | undefined {
  try { return Context.current(); } catch { return undefined; }
}

export function createKloudspotInitActivities(deps: ActivityDeps) {
  const checks = createKloudspotInitChecks(deps);
  return {
    async runKloudspotInit(
      first: SshTarget, input: KloudspotInitInput, opts: { promptTimeoutMs?: number } = {},
    ): Promise<StepResult & { transcript?: TranscriptEntry[] }> {
      const before = await checks.initValues(first, input);
      if (before.done) return { changed: false, detail: before.detail };
      if (deps.readOnly) throw failure(FailureType.NotReadOnly, `refused to run kloudspot init on ${first.node}: this activity may only read`, { nonRetryable: true });
      // The answers to the "which blockdevice" questions: the devices the pool was made of (configure-storage's choices).
      const blockDevices = Object.fromEntries(parsePoolCluster((await run(deps, first, readPoolCluster())).stdout).map((p) => [p.node, p.blockDevice]));
      const ctx = inActivity();
      const beat = ctx ? setInterval(() => ctx.heartbeat({ activity: ctx.info.activityType, node: first.node }), 1000) : undefined;
      const command = kloudspotInit().command;
      let r;
      try {
        r = await deps.pool.dialogue(first, command, {
          reply: (prompt) => replyTo(prompt, { ...input, blockDevices }),
          promptTimeoutMs: opts.promptTimeoutMs ?? INIT_PROMPT_TIMEOUT_MS, signal: ctx?.cancellationSignal,
        });
      } catch (err) {
        if (err instanceof DialogueError) {
          if (err.why === 'aborted' && ctx) throw ctx.cancellationSignal.reason ?? err;
          const details = { node: first.node, step: 'runKloudspotInit', command, exitCode: null, stderrTail: tail(err.output) };
          if (err.why === 'lost') throw failure(FailureType.SshUnavailable, `on ${first.node}: kloudspot init: ${err.message}`, { details });
          throw failure(FailureType.PromptUnanswered, `on ${first.node}: kloudspot init stopped: ${err.message}`, { nonRetryable: err.why !== 'prompt-timeout', details });
        }
        throw toFailure(first, err);
      } finally {
        if (beat) clearInterval(beat);
      }
      if (r.code !== 0) {
        const last = r.output.trim().split('\n').pop()?.trim() ?? '';
        throw failure(FailureType.CommandFailed, `on ${first.node}: \`${command}\` exited ${r.code}${last ? `: ${last.slice(0, 300)}` : ''}`, {
          details: { node: first.node, step: 'runKloudspotInit', command, exitCode: r.code, stderrTail: tail(r.output) },
        });
      }
      const after = await checks.initValues(first, input);
      if (!after.done) {
        throw failure(FailureType.VerifyFailed, `on ${first.node}: kloudspot init exited 0 but ${INIT_VALUES_FILE} ${after.present ? `does not carry the spec's answers: ${after.mismatches.join('; ')}` : 'is not there'}`);
      }
      return { changed: true, detail: `${r.transcript.length} prompts answered; ${after.detail}`, transcript: r.transcript };
    },
  };
}
