// A phase of a site workflow (model: k0sctl's phase.Phase and action/apply.go): which nodes it acts on, and
// what it does there. Workflows are lists of phases; the runner sets the phase (status, search attribute) once.
import type { PhaseName } from './api';
import type { SiteContext, SiteNode } from './site-context';

export interface Phase {
  /** Shown in the status and the KloudspotPhase search attribute. */
  name: PhaseName;
  /** What it does, in the seed's words. */
  title: string;
  /** The nodes it acts on: all of them for an install, one for add-node. */
  hosts(ctx: SiteContext): SiteNode[];
  run(ctx: SiteContext, hosts: SiteNode[]): Promise<void>;
}

export async function runPhases(ctx: SiteContext, phases: readonly Phase[], after?: (ctx: SiteContext) => Promise<void>): Promise<void> {
  for (const phase of phases) {
    ctx.board.setPhase(phase.name);
    await phase.run(ctx, phase.hosts(ctx));
    await after?.(ctx);
  }
}

/** Every node of the site. */
export const allNodes = (ctx: SiteContext): SiteNode[] => ctx.nodes;
