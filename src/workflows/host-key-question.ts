// The hostKeys question (issue 17, finding 3): the keys of nodes met for the first time, shown to a person before
// anything but the key exchange happens there. Answered by the confirmHostKeys signal (Web UI, Temporal CLI) or
// update (`kloudspot-installer answer <site> hostkeys --accept|--reject`). Handlers are registered by openSite
// before the workflow's first await, so the Web UI lists them.
import { condition, log, setHandler } from '@temporalio/workflow';
import * as api from './api';
import type { HostKeysAnswer } from './api';
import type { StatusBoard } from './status';

export interface SeenHostKey { node: string; address: string; port: number; hostKey: string }

/** What the person runs on the node's console (not over SSH: that would ask the very host in question). */
export const HOST_KEY_CHECK_COMMAND = 'for f in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf "$f"; done';

const QUESTION_STEP = 'cluster:host-keys';

export class HostKeyQuestion {
  private answer?: HostKeysAnswer;
  private asked = 0;

  constructor(private readonly board: StatusBoard) {
    setHandler(api.confirmHostKeysSignal, (a) => {
      try { this.accept(a); } catch (err) { log.warn('confirmHostKeys not applied', { reason: (err as Error).message }); }
    }, { description: 'Answer the hostKeys question: {"answer": "accept"} pins the keys shown and goes on, {"answer": "reject"} stops the run' });
    setHandler(api.confirmHostKeysUpdate, (a) => { this.accept(a); return a.answer === 'accept' ? 'host keys accepted' : 'host keys rejected'; }, {
      validator: (a) => { this.check(a); },
      description: 'Like confirmHostKeys, but a wrong answer (or one with no question pending) is rejected at once',
    });
  }

  private check(a: api.ConfirmHostKeys): void {
    if (!a || (a.answer !== 'accept' && a.answer !== 'reject')) throw new Error('expected {"answer": "accept" | "reject"}');
    if (!this.board.findQuestion('hostKeys')) throw new Error('no host key question is pending (the keys are still being read, or it was answered)');
  }

  private accept(a: api.ConfirmHostKeys): void {
    this.check(a);
    this.answer = a.answer;
    this.board.removeQuestions((q) => q.kind === 'hostKeys');
  }

  /** Asks once for all the keys; resolves with the person's answer. */
  async ask(seen: SeenHostKey[]): Promise<HostKeysAnswer> {
    this.answer = undefined;
    const names = seen.map((s) => s.node).join(', ');
    this.board.addQuestion({
      id: `hostkeys-${++this.asked}`, kind: 'hostKeys', step: QUESTION_STEP, options: ['accept', 'reject'],
      prompt: `First contact with ${names}: nothing has run there yet. Check each node's host key on its console ` +
        `(\`${HOST_KEY_CHECK_COMMAND}\`, one of the lines must match), then answer confirmHostKeys {"answer": "accept"} ` +
        'to pin these keys and go on, or {"answer": "reject"} to stop. (nodes[].hostKey in the spec skips this question.)',
      lastError: seen.map((s) => `${s.node} ${s.address}:${s.port} ${s.hostKey}`).join('\n'),
      askedAt: new Date().toISOString(),
    });
    await condition(() => this.answer !== undefined);
    return this.answer!;
  }
}
