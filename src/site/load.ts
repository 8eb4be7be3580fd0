import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { nodeRole, type SiteSpec } from './schema';
import { SpecError, parseSiteSpec } from './validate';

export { SpecError, formatPath, parseSiteSpec, type SpecProblem } from './validate';

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
