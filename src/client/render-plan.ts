// A plan as a person reads it: per node, then for the cluster, what an install would change (~), what is
// already done (=) and what can only be judged once earlier steps have run (?).
import type { SitePlan } from '../workflows/plan';

const MARK = { change: '~', done: '=', unknown: '?' } as const;

export function renderPlan(p: SitePlan, opts: { all?: boolean } = {}): string {
  const lines = [`Plan for ${p.site}: ${p.changes} step${p.changes === 1 ? '' : 's'} would change something` +
    (p.unknown ? `, ${p.unknown} can be judged only after earlier steps` : '') + '. Nothing was changed.'];
  const problems = p.preflight.filter((n) => n.problems.length || n.warnings.length);
  if (problems.length) {
    lines.push('', 'Preflight (the install asks about these first):');
    for (const n of problems) {
      for (const x of n.problems) lines.push(`  ${n.node}: ${x}`);
      for (const x of n.warnings) lines.push(`  ${n.node}: warning: ${x}`);
    }
  }
  const groups = new Map<string, SitePlan['steps']>();
  for (const s of p.steps) {
    const key = s.step === 'join' || !s.node || !p.preflight.some((n) => n.node === s.node) || isClusterStep(s.step) ? 'cluster' : s.node;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const width = Math.max(...p.steps.map((s) => s.step.length), 4);
  for (const [group, steps] of groups) {
    const shown = opts.all ? steps : steps.filter((s) => s.state !== 'done');
    const doneCount = steps.length - steps.filter((s) => s.state !== 'done').length;
    lines.push('', `${group}${doneCount && !opts.all ? ` (${doneCount} step${doneCount === 1 ? '' : 's'} already done)` : ''}`);
    for (const s of shown) lines.push(`  ${MARK[s.state]} ${(s.step === 'join' ? `${s.node}:join` : s.step).padEnd(width + 9)} ${s.detail}`);
    if (shown.length === 0) lines.push('  = nothing to do');
  }
  if (p.changes === 0 && p.unknown === 0) lines.push('', 'Nothing would change: the site is as its spec says.');
  return lines.join('\n');
}

function isClusterStep(step: string): boolean {
  return !['apt-upgrade', 'reboot', 'hostname', 'hosts-file', 'static-address', 'kloudspot-tools', 'shared-volume', 'iscsid'].includes(step);
}
