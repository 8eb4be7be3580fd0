// What the testbed puts on a node before its first boot, in the node's own writable layer: its machine
// id and host keys, the login user with key login and sudo, and apt's proxy setting.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec';

export interface NodeUser {
  name: string;
  /** OpenSSH public key line allowed to log in. */
  authorizedKey: string;
  /** With a password, sudo asks for it (no NOPASSWD rule); the password goes to chpasswd on stdin only. */
  sudoPassword?: string;
  /** No sudo at all (the bastion's login user: it only forwards connections). */
  noSudo?: boolean;
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
  run(['chroot', root, 'useradd', '--create-home', '--shell', '/bin/bash', ...(user.noSudo ? [] : ['--groups', 'sudo']), user.name]);
  put(root, `home/${user.name}/.ssh/authorized_keys`, `${user.authorizedKey.trim()}\n`, 0o600, `${user.name}:${user.name}`);
  chmodSync(join(root, `home/${user.name}/.ssh`), 0o700);
  run(['chroot', root, 'chown', `${user.name}:${user.name}`, `/home/${user.name}/.ssh`]);
  if (user.noSudo) {
    // Nothing: a login that can open forwarded connections and nothing more.
  } else if (user.sudoPassword !== undefined) {
    run(['chroot', root, 'chpasswd'], { input: `${user.name}:${user.sudoPassword}\n` });
  } else {
    put(root, `etc/sudoers.d/90-${user.name}`, `${user.name} ALL=(ALL) NOPASSWD:ALL\n`, 0o440);
  }
  put(root, 'etc/apt/apt.conf.d/01kloudspot-testbed-proxy', aptProxy, 0o644);
  // Ubuntu's packages ask for a reboot from their own postinst (update-notifier). The root file system's apt
  // Post-Invoke stands in for that, but does not run when apt is cut off mid-upgrade (the worker killed, the
  // SSH channel gone); dpkg's own hook runs after every dpkg run that unpacks or configures, the installer's
  // `dpkg --configure -a` included, as the postinst would.
  put(root, 'etc/dpkg/dpkg.cfg.d/kloudspot-testbed-reboot-required', 'post-invoke=touch /var/run/reboot-required\n', 0o644);
  // A container has no udev and a read-only /sys: `netplan apply` runs `udevadm trigger`, which fails there
  // ("Failed to write 'change' to '/sys/devices/virtual/net/host0/uevent'") and aborts the apply. Real
  // machines have udev; here a trigger has nothing to do, so it succeeds without doing anything.
  put(root, 'usr/local/sbin/udevadm', '#!/bin/sh\n# kloudspot testbed: no udev in a container (see src/testbed/node-files.ts)\n' +
    '[ "$1" = trigger ] && exit 0\nexec /usr/bin/udevadm "$@"\n', 0o755);
  for (const [name, text] of Object.entries({ ...BOOT_LOG_UNIT, ...extraUnits })) {
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

/** Where every boot of a node appends its boot id: the e2e tier counts reboots on the node itself. */
const BOOT_LOG_DIR = '/var/lib/kloudspot-testbed';
export const BOOT_LOG = `${BOOT_LOG_DIR}/boots`;

const BOOT_LOG_UNIT: Record<string, string> = {
  'kloudspot-testbed-boot-log.service': `[Unit]
Description=Testbed: append this boot's id to ${BOOT_LOG}
After=local-fs.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'mkdir -p ${BOOT_LOG_DIR} && cat /proc/sys/kernel/random/boot_id >> ${BOOT_LOG}'

[Install]
WantedBy=multi-user.target
`,
};

/**
 * Behind a bastion: the node's sshd refuses every login from `address` (the worker's host), so an install
 * that completes reached the node only through the bastion's forwarded connections.
 */
export function refuseSshFrom(root: string, address: string): void {
  const config = join(root, 'etc/ssh/sshd_config');
  // At the end of the main file: a Match block lasts to the end of the file it is in.
  writeFileSync(config, `${readFileSync(config, 'utf8').trimEnd()}\n\n# kloudspot testbed: reachable only through the bastion\nMatch Address ${address}\n    DenyUsers *\n`);
}
