// Preflight's sudo-password check (ssh.sudoPasswordFile): the file is readable and sudo accepts its
// password. One probe per connection; a rejected password is not tried again (lockouts count attempts).
import type { ActivityDeps } from './run';
import { SudoPasswordError, type SshTarget } from './ssh';

/** The problem to report, or undefined when sudo works (with the password, or without needing one). */
export async function sudoPasswordProblem(deps: ActivityDeps, target: SshTarget): Promise<string | undefined> {
  if (!target.sudoPasswordFile) return undefined;
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
