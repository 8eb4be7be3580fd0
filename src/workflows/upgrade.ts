// upgrade(input), workflow id upgrade/<site>: MicroK8s moved to the next minor channel (issue 21). Pre-checks
// first (every node one minor behind the channel or already on it, the doctor finds nothing failing, a backup
// younger than a day or a new one), then one
// node at a time, managers first: drain (disruption budgets respected), `snap refresh microk8s --channel`,
// Ready with every voter back, uncordon. Whatever fails, the node is uncordoned before a person is asked.
// The refresh hold (microk8s.refreshHold) is left in place: an explicit `snap refresh <snap>` goes through it.
import { ApplicationFailure, CancellationScope, executeChild, isCancellation } from '@temporalio/workflow';
import { describeFailure, FailureType } from '../activities/failures';
import { MICROK8S_CHANNEL, oneMinorAhead } from '../site/channels';
import type { SshTarget } from '../activities/ssh';
import { backupWorkflowId, doctorWorkflowId, type BackupManifest, type DoctorReport, type InstallStatus, type UpgradeInput } from './api';
import { steps, waits } from './activities';
import { requirePinnedHostKeys } from './host-keys';
import { allNodes, type Phase } from './phase';
import { oneNodeAtATime } from './rolling';
import { managers, runStep, targetOf, type SiteContext, type SiteNode } from './site-context';
import { openSite, runSite } from './site-run';
import { defineStep, InstallAborted } from './steps';

const DOCTOR = defineStep({ id: 'doctor', title: 'doctor: nothing failing before the upgrade', plan: { notInInstall: 'the upgrade workflow' } });
const BACKUP = defineStep({ id: 'backup', title: 'a backup younger than a day, or take one', plan: { notInInstall: 'the upgrade workflow' } });
/** A backup younger than this counts as fresh before an upgrade. */
const FRESH_BACKUP_MS = 24 * 3_600_000;
/** kubectl drain's own bound on refused evictions before a person is asked (kubectl's default is forever). */
const DRAIN_TIMEOUT_S = 120;

export async function upgrade(input: UpgradeInput): Promise<InstallStatus> {
  const ctx = openSite(input.spec);
  if (typeof input.channel !== 'string' || !MICROK8S_CHANNEL.test(input.channel)) {
    throw ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: `channel must look like 1.33/stable, not ${JSON.stringify(String(input.channel).slice(0, 40))}` });
  }
  for (const [name, key] of Object.entries(input.hostKeys ?? {})) ctx.pins.set(name, key);
  const channels = new Map<string, string>();
  return runSite(ctx, [requirePinnedHostKeys(), upgradeChecks(input, channels), rollingUpgrade(input, channels)]);
}

/** Every node's channel (kept in `channels`), then the doctor. A channel more than one minor ahead ends the run. */
function upgradeChecks(input: UpgradeInput, channels: Map<string, string>): Phase {
  return {
    name: 'preflight',
    title: `every node one minor before ${input.channel}, the doctor finds nothing failing, a fresh backup`,
    hosts: allNodes,
    async run(ctx, nodes) {
      const seen = await Promise.all(nodes.map((n) => steps.microk8sChannel(targetOf(ctx, n))));
      nodes.forEach((n, i) => channels.set(n.name, seen[i]));
      const wrong = nodes.filter((n) => channels.get(n.name) !== input.channel && !oneMinorAhead(channels.get(n.name)!, input.channel));
      if (wrong.length) {
        throw ApplicationFailure.create({
          type: FailureType.InvalidInput, nonRetryable: true,
          message: `${input.channel} is not one minor after ${wrong.map((n) => `${n.name} (${channels.get(n.name)})`).join(', ')}: ` +
            'MicroK8s upgrades an HA cluster one minor at a time; choose the next minor of every node, then run upgrade again for the next',
        });
      }
      await runStep(ctx, undefined, DOCTOR, async () => {
        const report = await executeChild('doctor', {
          workflowId: `${doctorWorkflowId(ctx.spec.site, new Date())}/before-upgrade`,
          args: [{ spec: ctx.spec, hostKeys: Object.fromEntries(ctx.pins) }],
        }) as DoctorReport;
        const failing = report.checks.filter((c) => c.level === 'fail');
        if (failing.length) throw new Error(`the doctor finds ${failing.map((c) => `${c.check}${c.node ? `@${c.node}` : ''}: ${c.value}`).join('; ')}`);
      });
      await runStep(ctx, undefined, BACKUP, async () => {
        const latest = await steps.latestBackup(ctx.spec.site, input.backupDir);
        const fresh = latest && Date.now() - Date.parse(latest.takenAt) < FRESH_BACKUP_MS;
        const m = fresh ? latest : await executeChild('backup', {
          workflowId: `${backupWorkflowId(ctx.spec.site, new Date())}/before-upgrade`,
          args: [{ spec: ctx.spec, hostKeys: Object.fromEntries(ctx.pins), ...(input.backupDir ? { dir: input.backupDir } : {}) }],
        }) as BackupManifest;
        ctx.board.setSummary('backup', `${fresh ? 'fresh' : 'taken'}: ${m.path} (${m.keys} datastore keys, taken ${m.takenAt})`);
      });
    },
  };
}

function rollingUpgrade(input: UpgradeInput, channels: Map<string, string>): Phase {
  return {
    name: 'upgrade',
    title: `drain, snap refresh microk8s --channel=${input.channel}, wait for Ready and the voters, uncordon: one node at a time, managers first`,
    hosts: (ctx) => ctx.nodes.filter((n) => channels.get(n.name) !== input.channel),
    async run(ctx, nodes) {
      for (const n of ctx.nodes.filter((x) => !nodes.includes(x))) ctx.board.setNode(n.name, `on ${input.channel}`, 'done');
      const timeoutMs = ctx.timeouts.clusterReady;
      await oneNodeAtATime({ nodes, managers: managers(ctx), target: (n) => targetOf(ctx, n), timeoutMs, waitHealthy: waits(timeoutMs).waitNodeHealthy },
        (node, witness, gate) => upgradeNode(ctx, input, node, witness, gate));
      ctx.board.setSummary('microk8s', `every node tracks ${input.channel}`);
    },
  };
}

/** Uncordons even when the run is cancelled: a node must never be left cordoned by us. Says what became of it. */
async function uncordon(witness: SshTarget, node: string): Promise<string> {
  try {
    await CancellationScope.nonCancellable(() => steps.uncordonNode(witness, node));
    return `${node} is uncordoned again`;
  } catch (err) {
    return `${node} could NOT be uncordoned (${describeFailure(err).message.slice(0, 200)}): run \`microk8s kubectl uncordon ${node}\``;
  }
}

async function upgradeNode(ctx: SiteContext, input: UpgradeInput, node: SiteNode, witness: SshTarget, gate: () => Promise<void>): Promise<void> {
  const step = `${node.name}:upgrade`;
  for (;;) {
    try {
      ctx.board.setNode(node.name, 'wait-healthy', 'running');
      await gate();
      await drain(ctx, input, node, witness);
      ctx.board.setNode(node.name, 'snap-refresh', 'running');
      await steps.refreshMicrok8s(targetOf(ctx, node), input.channel);
      ctx.board.setNode(node.name, 'wait-healthy', 'running');
      await gate();
      await steps.uncordonNode(witness, node.name);
      ctx.board.setNode(node.name, `on ${input.channel}`, 'done');
      return;
    } catch (err) {
      const uncordoned = await uncordon(witness, node.name);
      if (isCancellation(err) || err instanceof InstallAborted) throw err;
      ctx.board.setNode(node.name, 'upgrade', 'failed');
      const [first, ...rest] = describeFailure(err).lastError.split('\n');
      const action = await ctx.questions.askFailure(step, node.name,
        `${step} (drain, snap refresh, wait for Ready and the voters, uncordon) failed: ${first}; ${uncordoned}`, rest.join('\n'), ['retry', 'abort']);
      if (action === 'abort') throw new InstallAborted(step);
    }
  }
}

/** Drains until done; a drain a disruption budget holds up becomes a question: wait (drain again), force, abort. */
async function drain(ctx: SiteContext, input: UpgradeInput, node: SiteNode, witness: SshTarget): Promise<void> {
  const step = `${node.name}:drain`;
  let force = false;
  for (;;) {
    ctx.board.setNode(node.name, force ? 'drain --disable-eviction' : 'drain', 'running');
    const r = await steps.drainNode(witness, node.name, (input.drainTimeoutSeconds ?? DRAIN_TIMEOUT_S) * 1000, { disableEviction: force, budgets: 'ask' });
    if (r.drained) return;
    const uncordoned = await uncordon(witness, node.name);
    ctx.board.setNode(node.name, 'drain', 'waiting');
    const action = await ctx.questions.askFailure(step, node.name,
      `kubectl drain ${node.name} cannot finish: a PodDisruptionBudget refuses to evict ${r.blocked.join(', ')}; ${uncordoned}. ` +
      'wait: drain again (once the pods have room elsewhere or the budget allows it); force: delete them, bypassing their budgets (--disable-eviction); abort: stop the upgrade',
      r.detail, ['wait', 'force', 'abort']);
    if (action === 'abort') throw new InstallAborted(step);
    force = action === 'force';
  }
}
