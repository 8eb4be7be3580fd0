// GNU grep as the builders use it: -m -e -f (- is stdin) and the flags w q v i o c E x F; exit 0 found, 1 none, 2 trouble.
import type { Proc } from '../process';

export async function grep(p: Proc): Promise<number> {
  let max = Infinity, word = false, quiet = false, invert = false, ignoreCase = false, only = false, count = false, extended = false, whole = false;
  let fixed = false;
  const rest: string[] = [];
  /** -f FILE (`-` is stdin): one pattern a line, any of them matching. */
  let patternFile: string | undefined;
  const a = p.argv.slice(1);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x === '-m') { max = Number(a[++i]); continue; }
    if (/^-m\d+$/.test(x)) { max = Number(x.slice(2)); continue; }
    if (x === '-e') { rest.push(a[++i]); continue; }
    if (x === '-f') { patternFile = a[++i]; continue; }
    if (/^-[a-zA-Z0-9]+$/.test(x) && rest.length === 0) {
      for (const f of x.slice(1)) {
        if (f === 'w') word = true; else if (f === 'q') quiet = true; else if (f === 'v') invert = true;
        else if (f === 'i') ignoreCase = true; else if (f === 'o') only = true; else if (f === 'c') count = true;
        else if (f === 'E') extended = true; else if (f === 'x') whole = true; else if (f === 'F') fixed = true;
        else if (/\d/.test(f)) max = Number(x.slice(x.indexOf(f)).replace(/\D.*/, ''));
      }
      continue;
    }
    rest.push(x);
  }
  let patternText: string | undefined;
  if (patternFile !== undefined) {
    patternText = patternFile === '-' ? await p.stdin.readAll() : p.readFile(patternFile);
    if (patternText === undefined) { p.err(`grep: ${patternFile}: No such file or directory\n`); return 2; }
  }
  const fromFile = patternText?.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
  const [pattern, ...files] = fromFile ? [fromFile.map((l) => (fixed ? l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : l)).join('|') || '(?!)', ...rest] : rest;
  if (pattern === undefined) { p.err('Usage: grep [OPTION]... PATTERNS [FILE]...\nTry \'grep --help\' for more information.\n'); return 2; }
  let src = extended || fromFile ? pattern : fixed ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern.replace(/\\([|(){}+?])/g, '$1');
  if (word) src = `(?<![A-Za-z0-9_])(?:${src})(?![A-Za-z0-9_])`;
  if (whole) src = `^(?:${src})$`;
  const re = new RegExp(src, ignoreCase ? 'i' : '');
  let text: string | undefined;
  if (files.length === 0) text = await p.stdin.readAll();
  else {
    text = '';
    for (const f of files) {
      const c = p.readFile(f);
      if (c === undefined) { p.err(`grep: ${f}: No such file or directory\n`); return 2; }
      if (!p.node.canRead(f, p.root)) { p.err(`grep: ${f}: Permission denied\n`); return 2; }
      text += c;
    }
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let n = 0;
  for (const line of lines) {
    if (n >= max) break;
    const m = re.exec(line);
    if (!!m === invert) continue;
    n++;
    if (quiet) return 0;
    if (!count) p.out(only && m ? `${m[0]}\n` : `${line}\n`);
  }
  if (count) p.out(`${n}\n`);
  return n > 0 ? 0 : 1;
}
