// Runs parsed shell text on a simulated node: and-or lists, pipelines (stages run one after another
// with the previous stage's output as stdin, which is exact for the pipelines our builders write),
// redirections, `sudo` / `env` prefixes, shell builtins, and the command table. Unknown commands answer
// as bash does, so drift between the installer and the simulator shows as exit 127.
import { LAST_STATUS, parseScript, ShellSyntaxError, type Pipeline, type SimpleCommand } from './shell-parse';
import { Killed, ShellExit, StringInput, makeProc, type Io, type Session } from './process';
import { COMMANDS, isAvailable, commandPath } from './commands';
import { transientOutput } from './faults';

const BUILTINS = new Set(['command', 'test', '[', 'true', 'false', 'exit', 'echo', ':', 'cd', 'type']);
/** Builtins that coreutils also ships as programs (/usr/bin/true...), so `sudo true` finds them. */
const ALSO_PROGRAMS = new Set(['test', '[', 'true', 'false', 'echo']);

export async function runShell(session: Session, text: string, io: Io): Promise<number> {
  let script;
  try {
    script = parseScript(text, io.env);
  } catch (err) {
    if (err instanceof ShellSyntaxError) {
      io.err(`bash: -c: line 1: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let status = 0;
  try {
    for (const andOr of script) {
      status = session.lastStatus = await runPipeline(session, andOr.first, io);
      for (const { op, pipeline } of andOr.rest) {
        if ((op === '&&' && status === 0) || (op === '||' && status !== 0)) status = session.lastStatus = await runPipeline(session, pipeline, io);
      }
    }
  } catch (err) {
    if (err instanceof ShellExit) return err.code;
    throw err;
  }
  return status;
}

async function runPipeline(session: Session, p: Pipeline, io: Io): Promise<number> {
  let stdin = io.stdin;
  let status = 0;
  for (let i = 0; i < p.commands.length; i++) {
    const last = i === p.commands.length - 1;
    let captured = '';
    const out = last ? io.out : (t: string) => { captured += t; };
    status = await runSimple(session, p.commands[i], { ...io, stdin, out });
    if (!last) stdin = new StringInput(captured);
  }
  return p.negate ? (status === 0 ? 1 : 0) : status;
}

async function runSimple(session: Session, cmd: SimpleCommand, io: Io): Promise<number> {
  const { node } = session;
  const fds: Record<number, (t: string) => void> = { 1: io.out, 2: io.err };
  let stdin = io.stdin;
  const fileOutputs: { path: string; append: boolean; buf: { text: string } }[] = [];
  for (const r of cmd.redirects) {
    if (r.op === '>&') {
      const target = fds[Number(r.target)];
      if (!target) { io.err(`bash: line 1: ${r.target}: Bad file descriptor\n`); return 1; }
      fds[r.fd] = target;
    } else if (r.op === '<') {
      const content = node.files.get(r.target)?.content ?? node.virtualFile(r.target) ?? (r.target === '/dev/null' ? '' : undefined);
      if (content === undefined) { io.err(`bash: line 1: ${r.target}: No such file or directory\n`); return 1; }
      if (!node.canRead(r.target, false)) { io.err(`bash: line 1: ${r.target}: Permission denied\n`); return 1; }
      stdin = new StringInput(content);
    } else if (r.target === '/dev/null') {
      fds[r.fd] = () => undefined;
    } else {
      // The redirection is opened by the calling shell, which is never root: `sudo cmd > /etc/x` fails.
      if (!node.canWrite(r.target, false, session.world.user)) { io.err(`bash: line 1: ${r.target}: Permission denied\n`); return 1; }
      const buf = { text: '' };
      fileOutputs.push({ path: r.target, append: r.op === '>>', buf });
      fds[r.fd] = (t) => { buf.text += t; };
    }
  }
  const env = { ...io.env, ...cmd.assigns };
  const words = cmd.words.map((w) => w.split(LAST_STATUS).join(String(session.lastStatus)));
  const status = await runWords(session, words, { stdin, out: fds[1], err: fds[2], root: io.root, env });
  for (const f of fileOutputs) {
    const old = node.files.get(f.path);
    makeProc(session, [], io).writeFile(f.path, (f.append ? old?.content ?? '' : '') + f.buf.text, old?.mode ?? 0o664);
  }
  return status;
}

/** Runs a command given as words: builtins, sudo, env, then the command table. */
export async function runWords(session: Session, words: string[], io: Io): Promise<number> {
  if (words.length === 0) return 0;
  const [name, ...args] = words;
  if (name === 'sudo') return runSudo(session, args, io);
  if (name === 'env') {
    const env = { ...io.env };
    let i = 0;
    while (i < args.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i]) || args[i] === '-i' || args[i] === '--')) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(args[i]);
      if (m) env[m[1]] = m[2];
      i++;
    }
    if (i >= args.length) { io.out(Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join('')); return 0; }
    const prog = args[i];
    // env execvp()s: a missing program is coreutils env.c's error (ENOENT, exit 127), not bash's.
    if (prog !== 'env' && prog !== 'sudo' && prog !== 'xargs' && !ALSO_PROGRAMS.has(prog) && !isAvailable(prog.replace(/^.*\//, ''), session.node)) {
      io.err(`env: '${prog}': No such file or directory\n`);
      return 127;
    }
    return runWords(session, args.slice(i), { ...io, env });
  }
  if (name === 'xargs') return xargs(session, args, io);
  if (BUILTINS.has(name)) return builtin(session, name, args, io);

  const text = words.join(' ');
  const fault = session.world.faultController.check(session.node.name, text, session.audit.source);
  if (fault) {
    const entry = session.audit;
    entry.fault = entry.fault ? `${entry.fault}; ${fault.describe}` : fault.describe;
    const spec = fault.spec;
    if (spec.kind === 'transient') {
      const contact = /\bjoin\s+(?:--\S+\s+)*'?([0-9.]+):/.exec(text)?.[1];
      const r = transientOutput(spec.error, text, { contact });
      await makeProc(session, words, io).work('command');
      io.out(r.stdout);
      io.err(r.stderr);
      return r.code;
    }
    if (spec.kind === 'hang') { await makeProc(session, words, io).sleep(Infinity); return 0; }
    if (spec.kind === 'reboot') { session.world.reboot(session.node, `power loss during: ${text}`); throw new Killed('KILL'); }
    if (spec.kind === 'disconnect') {
      if ((spec.when ?? 'before') === 'after') await dispatch(session, name, args, io);
      session.drop?.();
      throw new Killed('HUP');
    }
  }
  return dispatch(session, name, args, io);
}

async function dispatch(session: Session, name: string, args: string[], io: Io): Promise<number> {
  const def = COMMANDS.get(name.replace(/^\/(usr\/)?(s?bin|local\/bin)\//, '').replace(/^\/snap\/bin\//, ''));
  if (!def || !isAvailable(name.replace(/^.*\//, ''), session.node)) {
    io.err(`bash: line 1: ${name}: command not found\n`);
    return 127;
  }
  const proc = makeProc(session, [name.replace(/^.*\//, ''), ...args], io);
  return def.run(proc);
}

/**
 * GNU xargs as the installer uses it (`xargs -r -d '\\n' CMD ARGS...`): the items read from stdin are appended to
 * CMD's arguments, one run for them all; -r runs nothing when there are none. findutils xargs.c; docs/commands.md.
 */
async function xargs(session: Session, args: string[], io: Io): Promise<number> {
  let i = 0;
  let delim: string | undefined;
  let noRunIfEmpty = false;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    if (args[i] === '-r' || args[i] === '--no-run-if-empty') noRunIfEmpty = true;
    else if (args[i] === '-d') delim = args[++i] === '\\n' ? '\n' : args[i];
    else { io.err(`xargs: invalid option -- '${args[i].replace(/^-+/, '')}'\n`); return 1; }
  }
  const text = await io.stdin.readAll();
  const items = delim === undefined ? text.split(/\s+/) : text.split(delim);
  const words = items.filter((x) => x !== '');
  if (words.length === 0 && noRunIfEmpty) return 0;
  const command = args.slice(i).length ? args.slice(i) : ['echo'];
  const status = await runWords(session, [...command, ...words], { ...io, stdin: new StringInput('') });
  // xargs exits 123 when the command exited 1-125, 126/127 when it could not run.
  return status === 0 ? 0 : status >= 126 ? status : 123;
}

async function runSudo(session: Session, args: string[], io: Io): Promise<number> {
  let i = 0;
  const env = { ...io.env };
  const flags = new Set<string>();
  while (i < args.length && args[i].startsWith('-')) {
    const a = args[i];
    if (a === '--') { i++; break; }
    if (a === '-u' || a === '-g' || a === '-p') { i += 2; continue; }
    if (['-E', '-n', '-H', '-S', '-i', '-k', '--preserve-env'].includes(a) || a.startsWith('--preserve-env=')) { flags.add(a); i++; continue; }
    io.err(`sudo: invalid option -- '${a.replace(/^-+/, '')}'\nusage: sudo -h | -K | -k | -V\n`);
    return 1;
  }
  const rest = args.slice(i);
  if (rest.length === 0) {
    io.err('usage: sudo -h | -K | -k | -V\nusage: sudo -v [-AknS] [-g group] [-h host] [-p prompt] [-u user]\n');
    return 1;
  }
  if (!io.root && session.world.sudoPassword !== undefined && !(await authenticate(session.world.sudoPassword, flags, io))) return 1;
  const name = rest[0];
  const known = name === 'env' || name === 'sudo' || name === 'xargs' || ALSO_PROGRAMS.has(name) || (COMMANDS.has(name.replace(/^.*\//, '')) && isAvailable(name.replace(/^.*\//, ''), session.node));
  if (!known) {
    io.err(`sudo: ${name}: command not found\n`);
    return 1;
  }
  return runWords(session, rest, { ...io, root: true, env });
}

/**
 * A node whose sudo asks for a password (`sim --sudo-password`), as sudo 1.9.9 on 22.04 answers without a
 * terminal: -n refuses, -S reads one line a try from stdin (3 tries), otherwise it needs a terminal.
 * Every call asks: the sim keeps no timestamp ticket. Messages: docs/commands.md (sudo).
 */
async function authenticate(password: string, flags: Set<string>, io: Io): Promise<boolean> {
  if (flags.has('-n')) { io.err('sudo: a password is required\n'); return false; }
  if (!flags.has('-S')) {
    io.err('sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\nsudo: a password is required\n');
    return false;
  }
  for (let tries = 0; tries < 3; tries++) {
    const line = await io.stdin.readLine();
    if (line === password) return true;
    if (line === null) {
      // At end of input: the prompt's newline, then both lines (observed: Debian 12's sudo 1.9.13 on the testbed).
      io.err(`\nsudo: no password was provided\nsudo: ${tries === 0 ? 'a password is required' : `${tries} incorrect password attempt${tries > 1 ? 's' : ''}`}\n`);
      return false;
    }
    if (tries < 2) io.err('Sorry, try again.\n');
  }
  io.err('sudo: 3 incorrect password attempts\n');
  return false;
}

async function builtin(session: Session, name: string, args: string[], io: Io): Promise<number> {
  const { node } = session;
  switch (name) {
    case 'true': case ':': case 'cd': return 0;
    case 'false': return 1;
    case 'exit': throw new ShellExit(args[0] ? Number(args[0]) & 255 : 0);
    case 'echo': {
      const noNewline = args[0] === '-n';
      io.out((noNewline ? args.slice(1) : args).join(' ') + (noNewline ? '' : '\n'));
      return 0;
    }
    case 'command': case 'type': {
      // `command -v X`: the path of an external command or the name of a builtin; nothing and 1 if none.
      const names = name === 'command' ? (args[0] === '-v' || args[0] === '-V' ? args.slice(1) : null) : args;
      if (names === null) return runWords(session, args, io);
      let status = 0;
      for (const n of names) {
        if (BUILTINS.has(n) || n === 'sudo' || n === 'env') { io.out(name === 'type' ? `${n} is a shell builtin\n` : `${n}\n`); continue; }
        const path = isAvailable(n, node) ? commandPath(n) : undefined;
        if (path) io.out(name === 'type' ? `${n} is ${path}\n` : `${path}\n`);
        else { status = 1; if (name === 'type') io.err(`bash: line 1: type: ${n}: not found\n`); }
      }
      return status;
    }
    case 'test': case '[': {
      const a = name === '[' ? (args[args.length - 1] === ']' ? args.slice(0, -1) : null) : args;
      if (a === null) { io.err("bash: line 1: [: missing `]'\n"); return 2; }
      return testExpr(a, node) ? 0 : 1;
    }
    default: return 0;
  }
}

function testExpr(a: string[], node: Session['node']): boolean {
  if (a[0] === '!') return !testExpr(a.slice(1), node);
  if (a.length === 2) {
    const [op, path] = a;
    if (op === '-e' || op === '-f' || op === '-d' || op === '-r' || op === '-s' || op === '-x') {
      if (op === '-s') return (node.files.get(path)?.content.length ?? 0) > 0 || node.virtualExists(path);
      return node.exists(path);
    }
    if (op === '-n') return path !== '';
    if (op === '-z') return path === '';
  }
  if (a.length === 3) {
    const [x, op, y] = a;
    if (op === '=' || op === '==') return x === y;
    if (op === '!=') return x !== y;
    if (op === '-eq') return Number(x) === Number(y);
    if (op === '-ne') return Number(x) !== Number(y);
  }
  return a.length === 1 ? a[0] !== '' : false;
}
