// Host-key pins that outlive a run: a site workflow starts with the keys the worker pinned before (its known
// hosts, activities/known-hosts.ts), pins what preflight saw first, and update, uninstall and add-node refuse a
// node with no pin at all: they would otherwise talk to whatever answers at the address.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { FailureType } from '../activities/failures';
import { steps } from './activities';
import type { SeenHostKey } from './host-key-question';
import { allNodes, type Phase } from './phase';
import { runStep, targetOf, type SiteContext, type SiteNode } from './site-context';
import { runtimeStep, SKIPPED } from './steps';

const PATCH = 'persistent-host-keys';
const hostOf = (ctx: SiteContext, n: SiteNode) => {
  const t = targetOf(ctx, n);
  return { name: n.name, host: t.host, port: t.port };
};

/** Before the first phase: the worker's pins for this site (a key in the spec still wins, in targetOf). */
export async function loadPins(ctx: SiteContext): Promise<void> {
  if (!patched(PATCH)) return;
  const known = await steps.knownHostKeys(ctx.spec.site, ctx.nodes.map((n) => hostOf(ctx, n)));
  for (const [name, key] of Object.entries(known)) if (!ctx.pins.has(name)) ctx.pins.set(name, key);
  ctx.savedPins = new Set(Object.keys(known));
}

/** After a phase: keys first seen in it (preflight's) become the worker's pins, shown in the status. */
export async function savePins(ctx: SiteContext): Promise<void> {
  if (!ctx.savedPins) return;
  const fresh = ctx.nodes.filter((n) => !n.hostKey && ctx.pins.has(n.name) && !ctx.savedPins!.has(n.name));
  if (fresh.length === 0) return;
  const added = await steps.pinHostKeys(ctx.spec.site, fresh.map((n) => ({ ...hostOf(ctx, n), hostKey: ctx.pins.get(n.name)! })));
  fresh.forEach((n) => ctx.savedPins!.add(n.name));
  if (added.length) ctx.board.setSummary('host keys pinned at first contact', `${added.join(', ')} (check them against \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on each node)`);
}

/** update, uninstall, add-node: every node but `except` (new ones, which preflight pins) must have a pin. */
export function requirePinnedHostKeys(except: string[] = []): Phase {
  return {
    name: 'preflight',
    title: 'every node has a pinned host key',
    hosts: (ctx) => ctx.nodes.filter((n) => !except.includes(n.name)),
    async run(ctx, nodes) {
      if (!ctx.savedPins) return; // a run from before pins were kept
      const missing = nodes.filter((n) => !n.hostKey && !ctx.pins.has(n.name)).map((n) => n.name);
      if (missing.length) {
        throw ApplicationFailure.create({
          type: FailureType.HostKeyMismatch, nonRetryable: true,
          message: `no pinned host key for ${missing.join(', ')}: this worker has not installed them and the spec gives no nodes[].hostKey, so nothing was run. ` +
            'Fix: add nodes[].hostKey (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the node), or run the install (its preflight pins the keys)',
        });
      }
    },
  };
}

/** The phase below, behind its patch: histories from before it have no such question. */
export function firstContact(): Phase[] {
  return patched('confirm-first-contact-host-keys') ? [confirmHostKeys()] : [];
}

const READ_HOST_KEY = runtimeStep({ id: 'host-key', title: 'read the host key (key exchange only, nothing runs)' });

/**
 * Before the first command on nodes met for the first time (no nodes[].hostKey, no pin of the worker): their host
 * keys are read (key exchange only) and shown to a person, who accepts (the keys are pinned, the run goes on) or
 * rejects (the run stops: nothing ran there). ssh.trustOnFirstUse skips the question: preflight pins what it sees.
 */
export function confirmHostKeys(hosts: Phase['hosts'] = allNodes): Phase {
  return {
    name: 'preflight',
    title: 'host keys of nodes met for the first time, confirmed by a person before anything runs there',
    hosts,
    async run(ctx, nodes) {
      const fresh = nodes.filter((n) => !n.hostKey && !ctx.pins.has(n.name));
      if (fresh.length === 0 || ctx.spec.ssh.trustOnFirstUse) return;
      const seen: SeenHostKey[] = await Promise.all(fresh.map(async (n) => {
        const t = targetOf(ctx, n);
        const key = await runStep(ctx, n.name, READ_HOST_KEY, (a) => a.steps.readHostKey(t));
        if (key === SKIPPED) throw rejected(ctx, [n.name], 'its host key was not read (skipped)');
        return { node: n.name, address: t.host, port: t.port, hostKey: key };
      }));
      const answer = await ctx.hostKeyQuestion!.ask(seen);
      if (answer === 'reject') throw rejected(ctx, fresh.map((n) => n.name), 'a person rejected the host keys shown');
      for (const s of seen) ctx.pins.set(s.node, s.hostKey);
      ctx.board.setSummary('host keys confirmed at first contact', seen.map((s) => `${s.node} ${s.hostKey}`).join(', '));
    },
  };
}

function rejected(ctx: SiteContext, names: string[], why: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.HostKeyRejected, nonRetryable: true,
    message: `${ctx.spec.site}: ${why} for ${names.join(', ')}: nothing ran on ${names.length === 1 ? 'it' : 'them'} beyond the SSH key exchange. ` +
      'Fix: check the key on each node\'s console (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`); if the address answers with ' +
      'another machine, fix the address or the network; put the right key in nodes[].hostKey and start again',
  });
}
