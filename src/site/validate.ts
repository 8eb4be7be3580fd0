// Validation of a site spec that is already data (no file, no YAML): the CLI's and the workflows' one check.
// Bundle-safe (zod only): every site workflow runs it on its input before anything acts (workflows/site-run.ts).
import type { z } from 'zod';
import { SiteSpecSchema, type SiteSpec } from './schema';

export interface SpecProblem {
  /** Where the problem is, as `nodes[2].address`; empty for the whole file. */
  path: string;
  /** What is wrong and how to fix it, in one sentence or two. */
  message: string;
}

/** Thrown for a spec that cannot be used; carries every problem found, not just the first. */
export class SpecError extends Error {
  constructor(readonly source: string, readonly problems: SpecProblem[]) {
    super(`${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
      problems.map((p) => `  - ${p.path ? p.path + ': ' : ''}${p.message}`).join('\n'));
    this.name = 'SpecError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) =>
    typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key), '');
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** The keys an object schema allows at `path`, for "unknown key" messages. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: unknown = SiteSpecSchema;
  for (const key of [...path, null]) {
    // Unwrap defaults, optionals and refinements until an object or array shows.
    for (let i = 0; i < 5; i++) {
      const def = (schema as { def?: { type?: string; innerType?: unknown; in?: unknown } }).def;
      if (def?.innerType) schema = def.innerType;
      else if (def?.type === 'pipe' && def.in) schema = def.in;
      else break;
    }
    if (key === null) break;
    const s = schema as { shape?: Record<string, unknown>; element?: unknown };
    schema = typeof key === 'number' ? s.element : s.shape?.[String(key)];
    if (!schema) return [];
  }
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): SpecProblem[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(issue.path);
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: `is not a known key. Fix: remove it or correct its spelling; allowed here: ${allowed.join(', ')}`,
    }));
  }
  const value = valueAt(input, issue.path);
  if (value === undefined && issue.code === 'invalid_type') {
    return [{ path, message: `is missing. Fix: add ${path.split('.').pop()} (see examples/site.yaml)` }];
  }
  let message = issue.message;
  if (!/Fix:/.test(message)) message += '. Fix: see the site spec reference in README.md and examples/site.yaml';
  const shown = value !== undefined && (typeof value !== 'object' || value === null) ? `${show(value)} ` : '';
  return [{ path, message: shown + message }];
}

/** Validates already-parsed data; `source` names it in errors (a file name, or "spec"). */
export function parseSiteSpec(data: unknown, source = 'spec'): SiteSpec {
  if (data === null || data === undefined) {
    throw new SpecError(source, [{ path: '', message: 'is empty. Fix: write a site spec; examples/site.yaml is a complete one to start from' }]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new SpecError(source, [{ path: '', message: `is a ${Array.isArray(data) ? 'list' : typeof data}, not a mapping. Fix: write the spec as key: value lines as in examples/site.yaml` }]);
  }
  const result = SiteSpecSchema.safeParse(data);
  if (result.success) return result.data;
  throw new SpecError(source, result.error.issues.flatMap((issue) => describeIssue(issue, data)));
}
