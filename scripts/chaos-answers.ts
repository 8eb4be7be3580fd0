// The person at the keyboard, as badly behaved as real ones: answers every question of one install by
// signal (first block device, a generated certificate, `retry` after a failed step), and also sends the
// same answer twice, answers again late (with a different choice), and resolves steps that are not pending.
// The workflow must act on the first valid answer only; the final checks verify which answer won.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { makeCertificate, type CertificatePair } from '../src/client/certs';
import { getStatus } from '../src/client/installs';
import type { Rng } from '../src/sim/random';
import * as api from '../src/workflows/api';

export interface AnswerStats {
  answers: number;
  /** The same answer sent again at once. */
  duplicates: number;
  /** An answer sent after its question was already answered (for block devices, a different device). */
  late: number;
  /** resolveFailure for a step that is not waiting. */
  notPending: number;
  /** Failed steps (after their retries) that were answered `retry`, by step. */
  failedSteps: Map<string, number>;
  /** Signal calls that failed (server restarting) and were sent again. */
  resent: number;
}

export function newAnswerStats(): AnswerStats {
  return { answers: 0, duplicates: 0, late: 0, notPending: 0, failedSteps: new Map(), resent: 0 };
}

type Send = (h: WorkflowHandle) => Promise<void>;

export class Answerer {
  /** node -> the block device answered first: the pool must use this one. */
  readonly chosen = new Map<string, string>();
  certificate: CertificatePair | undefined;
  private readonly answered = new Set<string>();
  private readonly lateTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: Client,
    readonly site: string,
    private readonly dnsHostname: string,
    private readonly rng: Rng,
    private readonly stats: AnswerStats,
    private readonly say: (line: string) => void,
  ) {}

  private handle(): WorkflowHandle {
    return this.client.workflow.getHandle(api.installWorkflowId(this.site));
  }

  /** Sends until the server takes it (it may be restarting); false if the install is over. */
  private async send(what: string, fn: Send): Promise<boolean> {
    for (let attempt = 1; attempt <= 60; attempt++) {
      try {
        await fn(this.handle());
        return true;
      } catch (err) {
        const m = (err as Error).message;
        if (/already completed|not found/i.test(m)) return false;
        this.stats.resent++;
        if (attempt === 1) this.say(`${this.site}: ${what} not delivered yet (${m.split('\n')[0].slice(0, 120)}); sending again`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    return false;
  }

  private later(what: string, fn: Send): void {
    const t = setTimeout(() => {
      this.lateTimers.delete(t);
      this.track(this.send(what, fn).then((sent) => { if (sent) this.stats.late++; }));
    }, this.rng.int(500, 4000));
    this.lateTimers.add(t);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async answer(q: api.Question): Promise<void> {
    const h = (fn: Send) => fn;
    if (q.kind === 'blockDevice' && q.node && q.options?.length) {
      const node = q.node;
      const device = q.options[0];
      const a = { node, blockDevice: device };
      if (!(await this.send(`block device for ${node}`, h((w) => w.signal(api.chooseBlockDeviceSignal, a))))) return;
      if (!this.chosen.has(node)) this.chosen.set(node, device);
      this.stats.answers++;
      this.say(`${this.site}: answered ${node}'s block device ${device} (and again at once, and a different one later)`);
      this.stats.duplicates++;
      await this.send('duplicate block device', h((w) => w.signal(api.chooseBlockDeviceSignal, a)));
      const other = q.options[q.options.length - 1];
      this.later('late block device', h((w) => w.signal(api.chooseBlockDeviceSignal, { node, blockDevice: other })));
    } else if (q.kind === 'certificate') {
      this.certificate ??= makeCertificate(this.dnsHostname);
      const cert = this.certificate;
      if (!(await this.send('certificate', h((w) => w.signal(api.uploadCertificateSignal, cert))))) return;
      this.stats.answers++;
      this.say(`${this.site}: uploaded a certificate (twice; "self-signed" later)`);
      this.stats.duplicates++;
      await this.send('duplicate certificate', h((w) => w.signal(api.uploadCertificateSignal, cert)));
      this.later('late self-signed', h((w) => w.signal(api.useSelfSignedCertificateSignal, {})));
    } else if (q.kind === 'hostKeys') {
      // First contact: the chaos run trusts its own simulated nodes, and accepts twice (the second is refused).
      if (!(await this.send('host keys', h((w) => w.signal(api.confirmHostKeysSignal, { answer: 'accept' }))))) return;
      this.stats.answers++;
      this.say(`${this.site}: accepted the host keys of first contact (and again at once)`);
      this.stats.duplicates++;
      await this.send('duplicate host keys', h((w) => w.signal(api.confirmHostKeysSignal, { answer: 'accept' })));
    } else if (q.kind === 'failure' && q.step) {
      const a = { step: q.step, action: 'retry' as const };
      if (!(await this.send(`retry ${q.step}`, h((w) => w.signal(api.resolveFailureSignal, a))))) return;
      this.stats.answers++;
      this.stats.failedSteps.set(q.step, (this.stats.failedSteps.get(q.step) ?? 0) + 1);
      const why = (q.lastError ?? q.prompt).split('\n').map((l) => l.trim()).filter(Boolean);
      this.say(`${this.site}: ${q.step} failed after its retries (${why[0]?.slice(0, 140)}${why.length > 1 ? ` ... ${why[why.length - 1].slice(0, 100)}` : ''}); answered retry`);
      if (this.rng.chance(0.5)) {
        this.stats.duplicates++;
        await this.send('duplicate retry', h((w) => w.signal(api.resolveFailureSignal, a)));
      } else {
        this.later('late retry', h((w) => w.signal(api.resolveFailureSignal, a)));
      }
    }
  }

  /** A resolveFailure for a step nobody asked about: must be ignored (and must not unblock anything). */
  async notPending(node: string): Promise<void> {
    // A made-up step gets `abort` (it must not end the install); a real one `retry`, harmless should it
    // happen to fail at this very moment.
    const real = this.rng.chance(0.5);
    const a = real ? { step: `${node}:hostname`, action: 'retry' as const } : { step: `${node}:no-such-step`, action: 'abort' as const };
    const s = await getStatus(this.client, this.site).catch(() => undefined);
    if (!s || s.questions.some((q) => q.step === a.step) || s.state === 'completed') return;
    if (await this.send('resolve for a step not pending', (w) => w.signal(api.resolveFailureSignal, a))) {
      this.stats.notPending++;
      this.say(`${this.site}: sent resolveFailure ${JSON.stringify(a)} while that step was not waiting`);
    }
  }

  /** Answers until `done()`; then waits for signals already on their way. */
  async run(done: () => boolean): Promise<void> {
    while (!done()) {
      const s = await getStatus(this.client, this.site).catch(() => undefined);
      for (const q of s?.questions ?? []) {
        const key = `${q.id}|${q.kind}|${q.node ?? ''}|${q.step ?? ''}|${q.askedAt}`;
        if (this.answered.has(key)) continue;
        this.answered.add(key);
        await this.answer(q);
      }
      await new Promise((r) => setTimeout(r, this.rng.int(200, 600)));
    }
    for (const t of this.lateTimers) clearTimeout(t);
    await Promise.all([...this.inFlight]);
  }
}
