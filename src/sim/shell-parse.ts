// The subset of POSIX sh grammar the installer's command builders produce (src/activities/commands/):
// words with '...', "..." and backslash quoting, `;`, `&&`, `||`, `|`, `!`, redirections (`>`, `>>`,
// `<`, `2>&1`, `&>`), leading VAR=value assignments and `#` comments. Anything else (command
// substitution, globbing, control flow) is refused with a parse error so drift shows instead of
// being silently misread.

export interface Redirect {
  fd: number;
  op: '>' | '>>' | '<' | '>&';
  /** File name, or the fd number for `>&`. */
  target: string;
}

export interface SimpleCommand {
  assigns: Record<string, string>;
  words: string[];
  redirects: Redirect[];
}

export interface Pipeline { negate: boolean; commands: SimpleCommand[] }
export interface AndOr { first: Pipeline; rest: { op: '&&' | '||'; pipeline: Pipeline }[] }
export type Script = AndOr[];

/** Stands for `$?` in parsed words; the runner substitutes the last status when the command runs. */
export const LAST_STATUS = '\uE000';

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

type Token =
  | { t: 'word'; v: string; quoted: boolean }
  | { t: 'op'; v: ';' | '&&' | '||' | '|' | '!' | '&' | '\n' }
  | { t: 'redir'; fd: number; op: '>' | '>>' | '<' | '>&' | '&>' };

const isSpace = (c: string) => c === ' ' || c === '\t';
const META = new Set([';', '&', '|', '<', '>', '\n', ' ', '\t']);

/** Splits shell text into tokens exactly as sh quotes them (no expansions other than $NAME / ${NAME}). */
export function tokenize(text: string, env: Record<string, string> = {}): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (isSpace(c)) { i++; continue; }
    if (c === '\\' && text[i + 1] === '\n') { i += 2; continue; }
    if (c === '#') { while (i < n && text[i] !== '\n') i++; continue; }
    if (c === '\n') { out.push({ t: 'op', v: '\n' }); i++; continue; }
    if (c === ';') {
      if (text[i + 1] === ';') throw new ShellSyntaxError("syntax error near unexpected token `;;'");
      out.push({ t: 'op', v: ';' }); i++; continue;
    }
    if (c === '&') {
      if (text[i + 1] === '&') { out.push({ t: 'op', v: '&&' }); i += 2; continue; }
      if (text[i + 1] === '>') { out.push({ t: 'redir', fd: 1, op: '&>' }); i += 2; continue; }
      out.push({ t: 'op', v: '&' }); i++; continue;
    }
    if (c === '|') {
      if (text[i + 1] === '|') { out.push({ t: 'op', v: '||' }); i += 2; continue; }
      out.push({ t: 'op', v: '|' }); i++; continue;
    }
    if (c === '>' || c === '<' || (/[0-9]/.test(c) && /^[0-9]+[<>]/.test(text.slice(i, i + 4)))) {
      let fd = c === '<' ? 0 : 1;
      if (/[0-9]/.test(c)) {
        let j = i;
        while (/[0-9]/.test(text[j])) j++;
        fd = Number(text.slice(i, j));
        i = j;
      }
      const ch = text[i];
      if (ch === '<') { out.push({ t: 'redir', fd, op: '<' }); i++; continue; }
      if (text[i + 1] === '>') { out.push({ t: 'redir', fd, op: '>>' }); i += 2; continue; }
      if (text[i + 1] === '&') { out.push({ t: 'redir', fd, op: '>&' }); i += 2; continue; }
      out.push({ t: 'redir', fd, op: '>' }); i++; continue;
    }
    // A word: runs until an unquoted metacharacter.
    let word = '';
    let quoted = false;
    while (i < n && !META.has(text[i])) {
      const ch = text[i];
      if (ch === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
        word += text.slice(i + 1, end);
        quoted = true;
        i = end + 1;
      } else if (ch === '"') {
        i++;
        quoted = true;
        for (;;) {
          if (i >= n) throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'');
          const d = text[i];
          if (d === '"') { i++; break; }
          if (d === '\\' && i + 1 < n && '$`"\\\n'.includes(text[i + 1])) {
            if (text[i + 1] !== '\n') word += text[i + 1];
            i += 2;
            continue;
          }
          if (d === '$') { const r = expandDollar(text, i, env); word += r.value; i = r.next; continue; }
          if (d === '`') throw new ShellSyntaxError('command substitution is not supported by the simulator');
          word += d;
          i++;
        }
      } else if (ch === '\\') {
        if (i + 1 < n) { word += text[i + 1]; quoted = true; }
        i += 2;
      } else if (ch === '$') {
        const r = expandDollar(text, i, env);
        word += r.value;
        i = r.next;
      } else if (ch === '`') {
        throw new ShellSyntaxError('command substitution is not supported by the simulator');
      } else if ((ch === '(' || ch === ')') ) {
        throw new ShellSyntaxError(`syntax error near unexpected token \`${ch}'`);
      } else {
        word += ch;
        i++;
      }
    }
    if (word === '!' && !quoted) out.push({ t: 'op', v: '!' });
    else out.push({ t: 'word', v: word, quoted });
  }
  return out;
}

function expandDollar(text: string, i: number, env: Record<string, string>): { value: string; next: number } {
  const rest = text.slice(i + 1);
  if (rest.startsWith('(')) throw new ShellSyntaxError('command substitution is not supported by the simulator');
  let m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
  if (m) return { value: env[m[1]] ?? '', next: i + 1 + m[0].length };
  if (rest.startsWith('?')) return { value: LAST_STATUS, next: i + 2 };
  m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9#$])/.exec(rest);
  if (m) return { value: env[m[1]] ?? '', next: i + 1 + m[0].length };
  return { value: '$', next: i + 1 };
}

/** Parses shell text into and-or lists of pipelines. */
export function parseScript(text: string, env: Record<string, string> = {}): Script {
  const tokens = tokenize(text, env);
  let p = 0;
  const peek = () => tokens[p];
  const script: Script = [];

  const parseCommand = (): SimpleCommand => {
    const cmd: SimpleCommand = { assigns: {}, words: [], redirects: [] };
    for (;;) {
      const tok = peek();
      if (!tok || tok.t === 'op') break;
      p++;
      if (tok.t === 'redir') {
        const target = tokens[p];
        if (!target || target.t !== 'word') throw new ShellSyntaxError('syntax error near unexpected token `newline\'');
        p++;
        if (tok.op === '&>') {
          cmd.redirects.push({ fd: 1, op: '>', target: target.v }, { fd: 2, op: '>&', target: '1' });
        } else if (tok.op === '>&') {
          if (!/^[0-9]+$/.test(target.v)) cmd.redirects.push({ fd: 1, op: '>', target: target.v }, { fd: 2, op: '>&', target: '1' });
          else cmd.redirects.push({ fd: tok.fd, op: '>&', target: target.v });
        } else {
          cmd.redirects.push({ fd: tok.fd, op: tok.op, target: target.v });
        }
        continue;
      }
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(tok.v);
      if (m && cmd.words.length === 0 && !tok.quoted) cmd.assigns[m[1]] = m[2];
      else if (m && cmd.words.length === 0 && tok.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tok.v)) cmd.assigns[m[1]] = m[2];
      else cmd.words.push(tok.v);
    }
    if (cmd.words.length === 0 && Object.keys(cmd.assigns).length === 0 && cmd.redirects.length === 0) {
      const tok = peek();
      throw new ShellSyntaxError(`syntax error near unexpected token \`${tok && tok.t === 'op' ? tok.v : 'newline'}'`);
    }
    return cmd;
  };

  const parsePipeline = (): Pipeline => {
    let negate = false;
    while (peek()?.t === 'op' && (peek() as { v: string }).v === '!') { negate = !negate; p++; }
    const commands = [parseCommand()];
    while (peek()?.t === 'op' && (peek() as { v: string }).v === '|') { p++; skipNewlines(); commands.push(parseCommand()); }
    return { negate, commands };
  };

  const skipNewlines = () => { while (peek()?.t === 'op' && (peek() as { v: string }).v === '\n') p++; };

  for (;;) {
    while (peek()?.t === 'op' && [';', '\n'].includes((peek() as { v: string }).v)) p++;
    if (!peek()) break;
    const first = parsePipeline();
    const andOr: AndOr = { first, rest: [] };
    for (;;) {
      const tok = peek();
      if (tok?.t === 'op' && (tok.v === '&&' || tok.v === '||')) {
        p++;
        skipNewlines();
        andOr.rest.push({ op: tok.v, pipeline: parsePipeline() });
      } else break;
    }
    script.push(andOr);
    const tok = peek();
    if (!tok) break;
    if (tok.t === 'op' && (tok.v === ';' || tok.v === '\n')) { p++; continue; }
    if (tok.t === 'op' && tok.v === '&') throw new ShellSyntaxError('background jobs (&) are not supported by the simulator');
    throw new ShellSyntaxError(`syntax error near unexpected token \`${tok.t === 'op' ? tok.v : ''}'`);
  }
  return script;
}
