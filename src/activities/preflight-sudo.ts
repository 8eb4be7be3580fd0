// Preflight's sudo-password check (ssh.sudoPasswordFile): the file is readable and sudo accepts its
// password. One probe per connection; a rejected password is not tried again (lockouts count attempts).
import { query } from './commands/sh';
import { run, type ActivityDeps } from './run';
import { PROBE_PASSWORDLESS } from './ssh-sudo';
import { SudoPasswordError, type SshTarget } from './ssh';

/**
 * The problem to report, or undefined when sudo works (with the password, or without needing one). Without a
 * password file, `sudo -n true` first: a user whose sudo wants a password would otherwise fail the node's
 * first sudo command, and preflight would report nothing else about it (seen on a real node).
 */
export async function sudoPasswordProblem(deps: ActivityDeps, target: SshTarget): Promise<string | undefined> {
  if (!target.sudoPasswordFile) {
    const r = await run(deps, target, query(PROBE_PASSWORDLESS, { okCodes: [0, 1] }));
    if (r.code === 0) return undefined;
    return `ssh.user needs passwordless sudo (or set ssh.sudoPasswordFile): ${target.username}'s \`${PROBE_PASSWORDLESS}\` said ` +
      `${JSON.stringify(r.stderr.trim().split('\n')[0] ?? '')}; add a NOPASSWD sudoers rule for ${target.username}, or put its password in a file named by ssh.sudoPasswordFile`;
  }
  try {
    const access = await deps.pool.sudoAccess(target);
    if (access.mode !== 'rejected') return undefined;
    return `sudo does not accept the password in ${target.sudoPasswordFile} for ${target.username} (sudo said: ${access.detail}): ` +
      `put ${target.username}'s login password on the first line of that file, or correct ssh.sudoPasswordFile (or nodes[].sudoPasswordFile)`;
  } catch (err) {
    if (err instanceof SudoPasswordError) return err.message;
    throw err;
  }
}
