// The one quoting mechanism: every value that reaches a node's shell passes through shellQuote, and command
// text is built with the `sh` tagged template, which quotes every interpolation by construction.
// POSIX single quotes make everything literal except the single quote itself, which is closed, escaped and
// reopened ('\''). NUL cannot be carried by any shell word, so it is refused outright.

/** A command ready to run on a node: shell text built only from quoted values, plus optional stdin. */
export interface RemoteCommand {
  /** The shell text (POSIX sh), every interpolated value quoted. */
  command: string;
  /** Content written to the command's stdin (file bodies, manifests); never put secrets in `command`. */
  stdin?: string;
  /** Exit codes that mean success; default [0]. */
  okCodes?: number[];
  /** Substrings that must never be logged (tokens); the SSH layer redacts them. */
  redact?: string[];
  /** Changes nothing on the node: the only commands `plan` (and any read-only activity) may run. */
  readOnly?: boolean;
}

/** A command that may change the node. */
export function cmd(command: string, extra: Omit<RemoteCommand, 'command' | 'readOnly'> = {}): RemoteCommand {
  return { command, ...extra };
}

/** A command that only reads: marked so, the one kind a read-only activity may run. */
export function query(command: string, extra: Omit<RemoteCommand, 'command' | 'readOnly'> = {}): RemoteCommand {
  return { command, ...extra, readOnly: true };
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export class UnquotableError extends Error {
  constructor(what: string) {
    super(`refusing to build a shell command: ${what}`);
    this.name = 'UnquotableError';
  }
}

export function shellQuote(value: string | number): string {
  const text = String(value);
  if (text.includes('\0')) throw new UnquotableError('a value contains a NUL byte');
  if (text !== '' && SAFE_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Joins a command and its arguments, each quoted. */
export function shellJoin(args: readonly (string | number)[]): string {
  return args.map(shellQuote).join(' ');
}

/** Shell text that is spliced in as it is: only for constants of our own (program prefixes, fixed options). */
export class RawShell {
  constructor(readonly text: string) {}
}
export const raw = (text: string): RawShell => new RawShell(text);

/**
 * Every privileged command: `-n` makes sudo fail at once (`sudo: a password is required`) instead of waiting
 * for a password nobody types (a password-protected sudo goes through ssh-sudo.ts's one root shell, where
 * this inner sudo runs as root and never asks); `env LC_ALL=C` because sshd loads the node's locale
 * (/etc/default/locale through pam_env) and apt, dpkg, coreutils and lvm translate what our parsers read.
 */
export const SUDO = raw('sudo -n env LC_ALL=C');
/** An unprivileged command whose output or messages are parsed, in the C locale (see SUDO). */
export const C_LOCALE = raw('env LC_ALL=C');

type ShellValue = string | number | RawShell | readonly (string | number)[];

/**
 * `sh\`sudo lvcreate -L ${size} -n ${name} ${vg}\``: each interpolation is one quoted word (an array, one
 * quoted word per element), except raw() constants. The template's own text is ours and goes in as written.
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): string {
  let out = strings[0];
  values.forEach((v, i) => {
    out += v instanceof RawShell ? v.text : Array.isArray(v) ? shellJoin(v) : shellQuote(v as string | number);
    out += strings[i + 1];
  });
  return out;
}
