// Pure renderers of an install's status for a person: the live view, one-line changes, the summary.
// Everything they return passes terminalSafe: status text holds node output, which a hostile node chooses.
import { shellQuote } from '../activities/commands/sh';
import { terminalSafe } from '../safe-text';
import { QUESTION_DETAIL_LINES, type InstallStatus, type Question } from '../workflows/api';

export function elapsed(fromIso: string, to = new Date()): string {
  const s = Math.max(0, Math.round((to.getTime() - new Date(fromIso).getTime()) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A value in a command to paste: quoted for the shell, and unable to move the terminal. */
const word = (value: string): string => terminalSafe(shellQuote(value));

/** The exact command that answers a question from a shell; every value in it is one quoted word. */
export function answerCommand(site: string, q: Question, workflow?: string): string {
  // Questions of another site workflow than the install (upgrade/<site>, ...) are answered there.
  const other = workflow && workflow !== `install/${site}` ? ` --workflow ${word(workflow)}` : '';
  switch (q.kind) {
    case 'blockDevice': return `kloudspot-installer answer ${word(site)} blockdevice --node ${word(q.node ?? '')} --device ${q.options?.[0] ? word(q.options[0]) : '<blockdevice>'}${other}`;
    case 'certificate': return `kloudspot-installer upload-cert ${word(site)} --cert server.crt --key server.key   (or: kloudspot-installer self-signed ${word(site)})`;
    case 'failure': return `kloudspot-installer resolve ${word(site)} --step ${word(q.step ?? '')} --action ${(q.options ?? ['retry', 'skip', 'abort']).map(word).join('|')}${other}`;
    case 'confirmReset': return `kloudspot-installer confirm-reset ${word(site)}   (or: kloudspot-installer confirm-reset ${word(site)} --abort)`;
    case 'hostKeys': return `kloudspot-installer answer ${word(site)} hostkeys --accept${other}   (or: --reject)`;
  }
}

export function renderStatus(s: InstallStatus, opts: { uiUrl?: string; now?: Date } = {}): string {
  const lines = [`${s.site}  phase ${s.phase}  ${s.state}  elapsed ${elapsed(s.startedAt, opts.now)}`];
  const width = Math.max(4, ...s.nodes.map((n) => n.name.length));
  for (const n of s.nodes) lines.push(`  ${n.name.padEnd(width)}  ${n.role.padEnd(7)}  ${n.step.padEnd(22)} ${n.state}${n.refreshHold ? `  (refresh hold: ${n.refreshHold})` : ''}`);
  if (s.questions.length) {
    lines.push('', 'Waiting for you:');
    for (const q of s.questions) {
      lines.push(`  [${q.kind}${q.node ? ` ${q.node}` : ''}] ${q.prompt}`);
      if (q.lastError) lines.push(...q.lastError.split('\n').slice(-QUESTION_DETAIL_LINES).map((l) => `      ${l}`));
      lines.push(`    answer: ${answerCommand(s.site, q, s.workflow)}`);
    }
  }
  if (s.lastError) lines.push('', `Last error: ${s.lastError}`);
  if (opts.uiUrl) lines.push('', `Web UI: ${opts.uiUrl}/namespaces/default/workflows/${encodeURIComponent(s.workflow)}`);
  return terminalSafe(lines.join('\n'));
}

/** One line per change, for logs and non-TTY output. */
export function changeLines(prev: InstallStatus | undefined, s: InstallStatus): string[] {
  const out: string[] = [];
  const t = new Date(s.updatedAt).toISOString().slice(11, 19);
  if (!prev || prev.phase !== s.phase) out.push(`${t} ${s.site}: phase ${s.phase}`);
  for (const n of s.nodes) {
    const p = prev?.nodes.find((x) => x.name === n.name);
    if (!p || p.step !== n.step || p.state !== n.state) out.push(`${t} ${s.site}: ${n.name} ${n.step} ${n.state}`);
  }
  for (const q of s.questions) {
    const p = prev?.questions.find((x) => x.id === q.id);
    if (!p) out.push(`${t} ${s.site}: waiting for ${q.kind}${q.node ? ` on ${q.node}` : ''}: ${q.prompt.split('\n')[0]} -> ${answerCommand(s.site, q, s.workflow)}`);
    else if (p.lastError !== q.lastError && q.lastError) out.push(`${t} ${s.site}: ${q.kind}${q.node ? ` on ${q.node}` : ''}: ${q.lastError.split('\n')[0]}`);
  }
  if (prev && prev.state !== s.state && (s.state === 'completed' || s.state === 'failed')) out.push(`${t} ${s.site}: ${s.state}`);
  return out.map(terminalSafe);
}

export function renderSummary(s: InstallStatus): string {
  const lines = [`${s.site}: install ${s.state} after ${elapsed(s.startedAt, new Date(s.updatedAt))} (phase ${s.phase})`];
  for (const [k, v] of Object.entries(s.summary ?? {})) lines.push(`  ${k}: ${v}`);
  lines.push(`  nodes: ${s.nodes.map((n) => `${n.name} (${n.role})`).join(', ')}`);
  if (s.lastError) lines.push(`  error: ${s.lastError}`);
  return terminalSafe(lines.join('\n'));
}
