// What the testbed puts on a node before its first boot, in the node's own writable layer: its machine
// id and host keys, the login user with key login and sudo, and apt's proxy setting.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec';

export interface NodeUser {
  name: string;
  /** OpenSSH public key line allowed to log in. */
  authorizedKey: string;
  /** With a password, sudo asks for it (no NOPASSWD rule); the password goes to chpasswd on stdin only. */
  sudoPassword?: string;
}

function put(root: string, path: string, content: string, mode: number, owner?: string): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, mode);
  if (owner) run(['chroot', root, 'chown', owner, path]);
}

export function prepareNodeFiles(root: string, user: NodeUser, aptProxy: string, extraUnits: Record<string, string> = {}): void {
  writeFileSync(join(root, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`);
  run(['chroot', root, 'ssh-keygen', '-A']);
  run(['chroot', root, 'useradd', '--create-home', '--shell', '/bin/bash', '--groups', 'sudo', user.name]);
  put(root, `home/${user.name}/.ssh/authorized_keys`, `${user.authorizedKey.trim()}\n`, 0o600, `${user.name}:${user.name}`);
  chmodSync(join(root, `home/${user.name}/.ssh`), 0o700);
  run(['chroot', root, 'chown', `${user.name}:${user.name}`, `/home/${user.name}/.ssh`]);
  if (user.sudoPassword !== undefined) {
    run(['chroot', root, 'chpasswd'], { input: `${user.name}:${user.sudoPassword}\n` });
  } else {
    put(root, `etc/sudoers.d/90-${user.name}`, `${user.name} ALL=(ALL) NOPASSWD:ALL\n`, 0o440);
  }
  put(root, 'etc/apt/apt.conf.d/01kloudspot-testbed-proxy', aptProxy, 0o644);
  // A container has no udev and a read-only /sys: `netplan apply` runs `udevadm trigger`, which fails there
  // ("Failed to write 'change' to '/sys/devices/virtual/net/host0/uevent'") and aborts the apply. Real
  // machines have udev; here a trigger has nothing to do, so it succeeds without doing anything.
  put(root, 'usr/local/sbin/udevadm', '#!/bin/sh\n# kloudspot testbed: no udev in a container (see src/testbed/node-files.ts)\n' +
    '[ "$1" = trigger ] && exit 0\nexec /usr/bin/udevadm "$@"\n', 0o755);
  for (const [name, text] of Object.entries(extraUnits)) {
    put(root, `etc/systemd/system/${name}`, text, 0o644);
    run(['chroot', root, 'systemctl', 'enable', name]);
  }
}

/**
 * A unit that holds apt's lists lock for `seconds` after every boot, as apt-daily.service does on a fresh
 * Ubuntu (apt takes the lock with fcntl F_SETLK; python's lockf is the same call).
 */
export function aptListsLockUnit(seconds: number): Record<string, string> {
  return {
    'kloudspot-testbed-apt-lock.service': `[Unit]
Description=Testbed: hold the apt lists lock after boot, as apt-daily does
After=local-fs.target

[Service]
Type=simple
ExecStart=/usr/bin/python3 -c "import fcntl,time; f=open('/var/lib/apt/lists/lock','w'); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(${seconds})"

[Install]
WantedBy=multi-user.target
`,
  };
}
