// Spec `hooks`: scripts on the worker run on every node of the site before or after an install phase (as
// k0sctl's before/after hooks), one script at a time, each on all nodes at once. Each run is a step like any
// other (`<node>:hook-before-prepare-nodes-0`): its output kept, a failure its question (retry, skip, abort).
import { patched } from '@temporalio/workflow';
import type { HookFile } from '../activities/hooks';
import { HOOK_PHASES, type HookPhase } from '../site/field-schema';
import type { SiteSpec } from '../site/schema';
import type { Phase } from './phase';
import { runStep, targetOf, type SiteContext } from './site-context';
import { defineStep, runtimeStep, type StepDef } from './steps';

export const HOOK_FILES = defineStep({ id: 'hook-files', title: 'check the hook scripts on the worker (regular, readable, at most 64 KiB)' });

type When = 'before' | 'after';

function hooksOf(spec: SiteSpec, when: When, phase: string): HookFile[] {
  const files = (HOOK_PHASES as readonly string[]).includes(phase) ? spec.hooks?.[when]?.[phase as HookPhase] ?? [] : [];
  return files.map((file, i) => ({ field: `hooks.${when}.${phase}[${i}]`, file }));
}

/** Every hook file the spec names, with the field that names it. */
export function hookFiles(spec: SiteSpec): HookFile[] {
  return (['before', 'after'] as const).flatMap((when) => HOOK_PHASES.flatMap((phase) => hooksOf(spec, when, phase)));
}

/** The step of one hook script: `hook-before-prepare-nodes-0`, as plan lists it too. */
export const hookStep = (when: When, phase: string, i: number, h: HookFile) => runtimeStep({ id: `hook-${when}-${phase}-${i}`, title: `hook ${h.field}: ${h.file}` });

/** Every hook step of the spec, in run order within each phase. */
export function hookSteps(spec: SiteSpec): { def: StepDef; when: When; phase: string; file: string }[] {
  return HOOK_PHASES.flatMap((phase) => (['before', 'after'] as const).flatMap((when) =>
    hooksOf(spec, when, phase).map((h, i) => ({ def: hookStep(when, phase, i, h), when, phase, file: h.file }))));
}

async function runHooks(ctx: SiteContext, when: When, phase: string): Promise<void> {
  for (const [i, h] of hooksOf(ctx.spec, when, phase).entries()) {
    const def = hookStep(when, phase, i, h);
    await Promise.all(ctx.nodes.map((n) => runStep(ctx, n.name, def, (a) => a.steps.runHook(targetOf(ctx, n), { ...h, site: ctx.spec.site, phase, when }))));
  }
}

/**
 * The phases with the spec's hooks around each; the files are checked on the worker first, all at once. A spec
 * without hooks gets the phases as they are (and no marker: patched() only where hooks exist, which no earlier
 * history has).
 */
export function withHooks(ctx: SiteContext, phases: Phase[]): Phase[] {
  const files = hookFiles(ctx.spec);
  if (files.length === 0 || !patched('hooks')) return phases;
  return phases.map((p, i) => ({
    ...p,
    async run(c, hosts) {
      if (i === 0) await runStep(c, undefined, HOOK_FILES, (a) => a.steps.checkHookFiles(files));
      await runHooks(c, 'before', p.name);
      await p.run(c, hosts);
      await runHooks(c, 'after', p.name);
    },
  }));
}
