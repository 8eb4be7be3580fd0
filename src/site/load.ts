import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import type { z } from 'zod';
import { SiteSpecSchema, nodeRole, type SiteSpec } from './schema';

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

/** Parses YAML text; syntax errors name line and column (1-based). */
export function parseSiteSpecYaml(text: string, source = 'spec'): SiteSpec {
  if (text.includes('\0')) {
    throw new SpecError(source, [{ path: '', message: 'contains a NUL byte. Fix: save the spec as plain UTF-8 text' }]);
  }
  if (text.replace(/#.*$/gm, '').trim() === '') {
    throw new SpecError(source, [{ path: '', message: 'is empty. Fix: write a site spec; examples/site.yaml is a complete one to start from' }]);
  }
  let data: unknown;
  try {
    data = yaml.load(text, { filename: source, schema: yaml.CORE_SCHEMA });
  } catch (err) {
    const e = err as { mark?: { line: number; column: number }; reason?: string; message?: string };
    const where = e.mark ? `line ${e.mark.line + 1}, column ${e.mark.column + 1}` : 'unknown position';
    throw new SpecError(source, [{
      path: '',
      message: `YAML syntax error at ${where}: ${e.reason ?? e.message}. Fix: correct the YAML there (indent with spaces, quote values containing ': ' or '#')`,
    }]);
  }
  return parseSiteSpec(data, source);
}

export function loadSiteSpecFile(file: string): SiteSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`;
    throw new SpecError(file, [{ path: '', message: `${why}. Fix: give the path of a site spec file, e.g. examples/site.yaml` }]);
  }
  return parseSiteSpecYaml(text, file);
}

export function summarizeSpec(spec: SiteSpec): string {
  const managers = spec.nodes.filter((_, i) => nodeRole(spec.nodes, i) === 'manager').length;
  const workers = spec.nodes.length - managers;
  return `${spec.site} (${spec.nodes.length} nodes: ${managers} managers, ${workers} workers)`;
}
