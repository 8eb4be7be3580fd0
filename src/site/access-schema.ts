// The spec keys of field access (DESIGN.md section 10): files on the worker that hold secrets (a sudo
// password, a bastion's key), and the bastion (jump host) that nodes are reached through.
import { z } from 'zod';
import { IPV4, RFC1123_HOSTNAME, SSH_FINGERPRINT, UNIX_USER } from './patterns';

/** A path on the worker: the file is read by the worker only, its content never enters the spec or history. */
export const workerFile = (what: string, example: string) => z.string()
  .min(1, { error: `is empty. Fix: write the path of ${what} on the worker, e.g. ${example}` })
  .max(4096, { error: 'is too long. Fix: write a path of at most 4096 characters' })
  .regex(/^[^\0\n\r]*$/, { error: 'contains a control character. Fix: write a plain file path' });

export const sudoPasswordFile = () => workerFile('a file whose first line is the SSH user\'s sudo password', '/etc/kloudspot/sudo-password');

const port = z.number({ error: 'is not a number. Fix: write a TCP port, e.g. 22' })
  .int({ error: 'is not a whole number. Fix: write a TCP port, e.g. 22' })
  .min(1, { error: 'is not a TCP port. Fix: write a port between 1 and 65535, e.g. 22' })
  .max(65535, { error: 'is not a TCP port. Fix: write a port between 1 and 65535, e.g. 22' });

/** The jump host: the worker logs into it and opens each node's SSH connection through it (direct-tcpip). */
export const BastionSchema = z.strictObject({
  host: z.string().refine((h) => IPV4.test(h) || RFC1123_HOSTNAME.test(h), {
    error: 'is not an IPv4 address or DNS host name. Fix: write the bastion\'s address as the worker reaches it, e.g. 203.0.113.10 or bastion.acme.example',
  }),
  port: port.default(22),
  user: z.string().regex(UNIX_USER, {
    error: 'is not a Unix user name. Fix: use lowercase letters, digits, _ or -, starting with a letter, e.g. jump',
  }),
  /** Absent: the same key as ssh.privateKeyFile. */
  privateKeyFile: workerFile('the bastion\'s SSH private key', '~/.ssh/bastion_ed25519').optional(),
  hostKey: z.string().regex(SSH_FINGERPRINT, {
    error: 'is not an OpenSSH SHA256 fingerprint. Fix: copy it from `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the bastion, e.g. SHA256:<43 characters>',
  }).optional(),
});

export type BastionSpec = z.output<typeof BastionSchema>;
