// The testbed's bastion (`testbed up --bastion`): one more systemd-nspawn container on the bridge, running the
// same Debian's real sshd, whose login user has no sudo and only opens forwarded connections. The nodes' sshd
// refuse logins from the host (node-files.ts refuseSshFrom), so whatever reaches a node came through it.
import { join } from 'node:path';
import { run } from './exec';

export const BASTION_NAME = 'bastion';
export const BASTION_USER = 'jump';

/** The bastion's ED25519 host key as OpenSSH prints it (`SHA256:...`), for ssh.bastion.hostKey. */
export function hostKeyFingerprint(root: string): string {
  const out = run(['ssh-keygen', '-l', '-E', 'sha256', '-f', join(root, 'etc/ssh/ssh_host_ed25519_key.pub')]);
  const m = /\b(SHA256:[A-Za-z0-9+/]{43})\b/.exec(out);
  if (!m) throw new Error(`unexpected ssh-keygen -l output for the bastion's host key: ${out.trim()}`);
  return m[1];
}
