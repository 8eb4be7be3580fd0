// Host-key pins that outlive a run: a site workflow starts with the keys the worker pinned before (its known
// hosts, activities/known-hosts.ts), pins what preflight saw first, and update, uninstall and add-node refuse a
// node with no pin at all: they would otherwise talk to whatever answers at the address.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { FailureType } from '../activities/failures';
import { steps } from './activities';
import type { Phase } from './phase';
import { targetOf, type SiteContext, type SiteNode } from './site-context';

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
