// File commands: cat, tee, install, rm, mv, mkdir, chmod. Permissions are the simple truth of a server:
// the login user reads world-readable files and writes only under its home and /tmp; sudo does anything.
import type { Proc } from '../process';
import type { CommandDef } from './types';

async function cat(p: Proc): Promise<number> {
  const files = p.argv.slice(1).filter((a) => !a.startsWith('-') || a === '-');
  if (files.length === 0) { p.out(await p.stdin.readAll()); return 0; }
  let status = 0;
  for (const f of files) {
    if (f === '-') { p.out(await p.stdin.readAll()); continue; }
    const content = p.readFile(f);
    if (content === undefined) {
      p.err(p.node.exists(f) ? `cat: ${f}: Is a directory\n` : `cat: ${f}: No such file or directory\n`);
      status = 1;
    } else if (!p.node.canRead(f, p.root)) {
      p.err(`cat: ${f}: Permission denied\n`);
      status = 1;
    } else p.out(content);
  }
  return status;
}

async function tee(p: Proc): Promise<number> {
  const append = p.argv.includes('-a') || p.argv.includes('--append');
  const files = p.argv.slice(1).filter((a) => !a.startsWith('-'));
  const data = await p.stdin.readAll();
  let status = 0;
  for (const f of files) {
    if (f === '/dev/null') continue;
    if (!p.node.canWrite(f, p.root, p.world.user)) { p.err(`tee: ${f}: Permission denied\n`); status = 1; continue; }
    const old = p.node.files.get(f);
    p.writeFile(f, append ? (old?.content ?? '') + data : data, old?.mode ?? 0o644);
  }
  p.out(data);
  return status;
}

/** `install -D -m MODE SRC DEST`: creates the parents and DEST (truncated to SRC's content) with MODE. */
async function install(p: Proc): Promise<number> {
  let mode = 0o755;
  let parents = false;
  const rest: string[] = [];
  const a = p.argv.slice(1);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '-D') parents = true;
    else if (a[i] === '-m' || a[i] === '--mode') mode = parseInt(a[++i], 8);
    else if (a[i].startsWith('--mode=')) mode = parseInt(a[i].slice(7), 8);
    else if (a[i] === '-o' || a[i] === '-g') i++;
    else if (a[i] === '-d') { p.err('install: -d is not supported by the simulator\n'); return 1; }
    else rest.push(a[i]);
  }
  if (rest.length !== 2 || Number.isNaN(mode)) { p.err("install: missing destination file operand after '" + (rest[0] ?? '') + "'\nTry 'install --help' for more information.\n"); return 1; }
  const [src, dest] = rest;
  const content = src === '/dev/null' ? '' : p.readFile(src);
  if (content === undefined) { p.err(`install: cannot stat '${src}': No such file or directory\n`); return 1; }
  const dir = dest.replace(/\/[^/]*$/, '') || '/';
  if (!parents && !p.node.exists(dir)) { p.err(`install: cannot create regular file '${dest}': No such file or directory\n`); return 1; }
  if (!p.node.canWrite(dest, p.root, p.world.user)) { p.err(`install: cannot create regular file '${dest}': Permission denied\n`); return 1; }
  p.writeFile(dest, content, mode);
  return 0;
}

async function rm(p: Proc): Promise<number> {
  const force = p.argv.some((a) => /^-[a-zA-Z]*f/.test(a));
  let status = 0;
  for (const f of p.argv.slice(1).filter((a) => !a.startsWith('-'))) {
    if (!p.node.files.has(f)) {
      if (p.root && p.node.removeVirtual(f)) { p.effect(`delete ${f}`); continue; }
      if (!force) { p.err(`rm: cannot remove '${f}': No such file or directory\n`); status = 1; }
      continue;
    }
    if (!p.node.canWrite(f, p.root, p.world.user)) { p.err(`rm: cannot remove '${f}': Permission denied\n`); status = 1; continue; }
    p.deleteFile(f);
  }
  return status;
}

/** `mv [-f] SRC DEST`: one rename(2) (same file system): DEST is the old file or the new one, never half of either. */
async function mv(p: Proc): Promise<number> {
  const [src, dest, extra] = p.argv.slice(1).filter((a) => !a.startsWith('-'));
  if (!src || !dest || extra !== undefined) { p.err(`mv: missing destination file operand after '${src ?? ''}'\nTry 'mv --help' for more information.\n`); return 1; }
  const entry = p.node.files.get(src);
  if (!entry) { p.err(`mv: cannot stat '${src}': No such file or directory\n`); return 1; }
  if (!p.node.canWrite(src, p.root, p.world.user) || !p.node.canWrite(dest, p.root, p.world.user)) {
    p.err(`mv: cannot move '${src}' to '${dest}': Permission denied\n`);
    return 1;
  }
  p.writeFile(dest, entry.content, entry.mode);
  p.deleteFile(src);
  return 0;
}

async function chmod(p: Proc): Promise<number> {
  const [mode, ...files] = p.argv.slice(1).filter((a) => !a.startsWith('-'));
  let status = 0;
  for (const f of files) {
    const entry = p.node.files.get(f);
    if (!entry) { p.err(`chmod: cannot access '${f}': No such file or directory\n`); status = 1; continue; }
    if (!p.root) { p.err(`chmod: changing permissions of '${f}': Operation not permitted\n`); status = 1; continue; }
    p.writeFile(f, entry.content, parseInt(mode, 8));
  }
  return status;
}

async function mkdir(p: Proc): Promise<number> {
  const dirs = p.argv.slice(1).filter((a) => !a.startsWith('-'));
  for (const d of dirs) {
    if (!p.node.canWrite(`${d}/x`, p.root, p.world.user)) { p.err(`mkdir: cannot create directory '${d}': Permission denied\n`); return 1; }
  }
  return 0;
}

/** `ls -1 DIR`: the names in a directory, one a line, sorted (coreutils in the C locale). */
async function ls(p: Proc): Promise<number> {
  const dirs = p.argv.slice(1).filter((a) => !a.startsWith('-'));
  let status = 0;
  for (const d of dirs.length ? dirs : ['.']) {
    const dir = d.replace(/\/+$/, '');
    if (p.node.files.has(dir)) { p.out(`${dir}\n`); continue; }
    if (!p.node.exists(dir)) { p.err(`ls: cannot access '${d}': No such file or directory\n`); status = 2; continue; }
    const names = new Set<string>();
    for (const f of p.node.files.keys()) if (f.startsWith(`${dir}/`)) names.add(f.slice(dir.length + 1).split('/')[0]);
    p.out([...names].sort().map((n) => `${n}\n`).join(''));
  }
  return status;
}

export const FILES: Record<string, CommandDef> = {
  ls: { path: '/usr/bin/ls', run: ls },
  cat: { path: '/usr/bin/cat', run: cat },
  tee: { path: '/usr/bin/tee', run: tee },
  install: { path: '/usr/bin/install', run: install },
  rm: { path: '/usr/bin/rm', run: rm },
  mv: { path: '/usr/bin/mv', run: mv },
  chmod: { path: '/usr/bin/chmod', run: chmod },
  mkdir: { path: '/usr/bin/mkdir', run: mkdir },
};
