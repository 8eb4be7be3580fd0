// The one quoting function: every value interpolated into a shell command passes through it.
// POSIX single quotes make everything literal except the single quote itself, which is closed,
// escaped and reopened ('\''). NUL cannot be carried by any shell word, so it is refused outright.

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
