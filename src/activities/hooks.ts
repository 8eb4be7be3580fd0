// Hook scripts (spec `hooks.before|after.<phase>`): read on the worker (a regular, readable file of at most
// HOOK_MAX_BYTES), sent to each node on bash's stdin and run as root there. Only the path passes through
// Temporal; the script's content stays on the worker and the node. A failing hook is not retried by itself
// (it may not be safe to run twice): it becomes the step's question at once.
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { HOOK_MAX_BYTES } from '../site/field-schema';
import { runHookScript } from './commands/hooks';
import type { ApplicationFailure } from '@temporalio/common';
import { failure, FailureType, type CommandFailureDetails } from './failures';
import type { StepResult } from './node-prep';
import { commandFailed, run, tail, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

export interface HookFile {
  /** Where the spec names it: `hooks.before.prepare-nodes[0]`. */
  field: string;
  file: string;
}

export interface HookInput extends HookFile { site: string; phase: string; when: 'before' | 'after' }

/** The exit code is judged here, not by run(): a failed hook is not retried. */
const ANY_EXIT = Array.from({ length: 256 }, (_, i) => i);

const expand = (file: string) => (file.startsWith('~/') ? homedir() + file.slice(1) : file);

/** The script's text, or the problem with the file in one sentence naming the field and the fix. */
export async function readHookFile(h: HookFile): Promise<{ script: string } | { problem: string }> {
  const file = expand(h.file);
  const bad = (what: string, fix: string) => ({ problem: `${h.field}: ${file} ${what}. Fix: ${fix}` });
  try {
    const s = await stat(file);
    if (!s.isFile()) return bad('is not a regular file', 'name a script file on the worker');
    if (s.size > HOOK_MAX_BYTES) return bad(`is ${s.size} bytes, over the ${HOOK_MAX_BYTES / 1024} KiB a hook may be`, 'keep hooks short; have the script fetch anything bigger');
    const script = await readFile(file, 'utf8');
    if (script.includes('\0')) return bad('holds a NUL byte (not a script)', 'name a shell script');
    if (script.trim() === '') return bad('is empty', 'write the script, or remove it from the spec');
    return { script };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    if (code === 'ENOENT') return bad('does not exist on the worker', 'place the script at that path on every worker, or correct the path');
    return bad(`cannot be read by the worker (${code})`, 'make it readable by the worker\'s user');
  }
}

export function createHookActivities(deps: ActivityDeps) {
  return {
    /** Every hook file of the spec, checked on the worker before the install acts: all problems at once. */
    async checkHookFiles(files: HookFile[]): Promise<StepResult> {
      const problems: string[] = [];
      for (const f of files) {
        const r = await readHookFile(f);
        if ('problem' in r) problems.push(r.problem);
      }
      if (problems.length) throw failure(FailureType.InvalidInput, `${problems.length} hook file problem${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}`, { nonRetryable: true });
      return { changed: false, detail: `${files.length} hook file${files.length === 1 ? '' : 's'} readable` };
    },

    /** Runs one hook on one node; its output is the step's detail, a non-zero exit the step's question. */
    async runHook(t: SshTarget, h: HookInput): Promise<StepResult> {
      const r = await readHookFile(h);
      if ('problem' in r) throw failure(FailureType.InvalidInput, r.problem, { nonRetryable: true });
      const res = await run(deps, t, { ...runHookScript({ site: h.site, node: t.node, phase: h.phase, when: h.when, script: r.script }), okCodes: ANY_EXIT });
      if (res.code !== 0) {
        const f = commandFailed(t, res, `hook ${h.field} (${h.file}) exited ${res.code}`) as ApplicationFailure;
        throw failure(FailureType.CommandFailed, f.message, { nonRetryable: true, details: f.details?.[0] as CommandFailureDetails });
      }
      return { changed: true, detail: tail((res.stdout + res.stderr).trim(), 1024) };
    },
  };
}
