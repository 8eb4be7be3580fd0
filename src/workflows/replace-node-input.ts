// replace-node's request, judged the same way by the CLI (before it starts anything) and by the workflow. Pure.
import type { SiteSpec } from '../site/schema';

/** What is wrong with the request, for a person: the spec must already name the new node in the dead one's place. */
export function replaceProblem(spec: Pick<SiteSpec, 'nodes'>, old: string, fresh: string): string | undefined {
  if (old === fresh) return `--node and --with are both ${old}: name the dead node and the new machine that takes its place`;
  if (spec.nodes.some((n) => n.name === old)) {
    return `${old} is still in nodes[]: put the new machine (${fresh}) in its place in nodes[] (same position, so the same role), then run replace-node again`;
  }
  if (!spec.nodes.some((n) => n.name === fresh)) {
    return `${fresh} is not in nodes[]: add it (name, address, interface) in ${old}'s place, then run replace-node again`;
  }
  return undefined;
}
