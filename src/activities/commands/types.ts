/** A command ready to run on a node: shell text built only from quoted values, plus optional stdin. */
export interface RemoteCommand {
  /** The shell text (POSIX sh), every interpolated value passed through shellQuote. */
  command: string;
  /** Content written to the command's stdin (file bodies, manifests); never put secrets in `command`. */
  stdin?: string;
  /** Exit codes that mean success; default [0]. */
  okCodes?: number[];
  /** Substrings that must never be logged (tokens); the SSH layer redacts them. */
  redact?: string[];
}

export function cmd(command: string, extra: Omit<RemoteCommand, 'command'> = {}): RemoteCommand {
  return { command, ...extra };
}
