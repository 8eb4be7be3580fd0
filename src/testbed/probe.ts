// Whether this machine can run the testbed at all: root, the programs, and a kernel that lets
// systemd-nspawn start a container. Returns why not, or undefined.
import { spawnSync } from 'node:child_process';
import { hasCommand } from './exec';

export function nspawnRefusal(): string | undefined {
  if (process.getuid?.() !== 0) return 'the real-node tier needs root (systemd-nspawn, network namespaces, loop devices)';
  if (!hasCommand('systemd-nspawn')) return 'systemd-nspawn is not installed (apt-get install systemd-container)';
  // The smallest container: the host's own /usr, no boot. A kernel without the namespaces nspawn needs refuses here.
  const r = spawnSync('systemd-nspawn', ['--register=no', '--keep-unit', '-q', '--directory=/', '--volatile=yes', '/bin/true'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return `systemd-nspawn cannot start a container on this kernel: ${(r.stderr || r.error?.message || '').trim().slice(0, 300)}`;
  return undefined;
}
