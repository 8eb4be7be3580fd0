// What the support bundle reads on a node: `microk8s inspect` (canonical/microk8s scripts/inspect.sh: its
// progress lines, then `  Report tarball is at ${SNAP_DATA}/inspection-report-<%Y%m%d_%H%M%S>.tar.gz`, a real
// gzipped tar of inspection-report/ written on the node), dqlite's cluster.yaml/info.yaml (go-dqlite's NodeInfo
// as YAML: Address, ID, Role 0 voter / 1 stand-by / 2 spare), `journalctl -u 'snap.microk8s.*'`. base64 (copies off the node): base64.ts.
import type { Proc } from '../process';
import type { SimNode } from '../node-state';
import type { CommandDef } from './types';
import { SNAP_REVISION } from '../addons-data';
import { packTarGz } from '../../bundle/tar';
import { NO_PERMISSION } from './microk8s-state';

export const BACKEND_DIR = '/var/snap/microk8s/current/var/kubernetes/backend';
const SERVICES = ['snap.microk8s.daemon-cluster-agent', 'snap.microk8s.daemon-containerd', 'snap.microk8s.daemon-kubelite', 'snap.microk8s.daemon-k8s-dqlite'];
const ROLE = { voter: 0, standby: 1, spare: 2 } as const;

/** The node's dqlite files, or undefined on a worker or before MicroK8s (no backend there). */
export function dqliteFile(node: SimNode, path: string): string | undefined {
  const c = node.microk8s.cluster;
  if (!c || node.isWorker() || !path.startsWith(`${BACKEND_DIR}/`)) return undefined;
  const id = (n: SimNode) => String(BigInt(`0x${n.bootId.replace(/-/g, '').slice(0, 15)}`));
  const entry = (n: SimNode, role: number, indent: string) => `${indent}Address: ${c.dqliteAddress(n)}\n  ID: ${id(n)}\n  Role: ${role}\n`;
  const members = [...c.members.values()].filter((m) => m.role !== 'worker');
  if (path === `${BACKEND_DIR}/cluster.yaml`) return members.map((m) => entry(m.node, ROLE[m.role as keyof typeof ROLE] ?? 2, '- ')).join('');
  if (path === `${BACKEND_DIR}/info.yaml`) {
    const self = members.find((m) => m.node === node);
    return `Address: ${c.dqliteAddress(node)}\nID: ${id(node)}\nRole: ${ROLE[(self?.role ?? 'spare') as keyof typeof ROLE] ?? 2}\n`;
  }
  return undefined;
}

/** Journal lines (journalctl's default short format, merged in time order) of the snap's services since the node's boot. */
export function journal(node: SimNode, units: string[], lines: number): string {
  const ts = (ms: number) => new Date(ms).toUTCString().replace(/^\w+, (\d+) (\w+) \d+ ([\d:]+) GMT$/, (_m, d, mon, t) => `${mon} ${d.padStart(2, '0')} ${t}`);
  const out: { at: number; text: string }[] = [];
  units.forEach((u, i) => {
    const name = u.replace(/^snap\./, '').replace(/\.service$/, '');
    out.push({ at: node.bootedAt, text: `systemd[1]: Started Service for snap application ${name}.` });
    out.push({ at: node.bootedAt + 1000, text: `${name}[${2100 + i}]: + exec ${name.replace('microk8s.daemon-', '')}` });
  });
  return out.sort((a, b) => a.at - b.at).slice(-lines).map((l) => `${ts(l.at)} ${node.hostname} ${l.text}`).join('\n') + '\n';
}

async function inspect(p: Proc): Promise<number> {
  if (!p.root) { p.out(NO_PERMISSION(p.world.user)); return 1; }
  const node = p.node;
  const snapData = `/var/snap/microk8s/${SNAP_REVISION}`;
  p.out('Inspecting system\nInspecting Certificates\nInspecting services\n');
  const worker = node.isWorker();
  const services = worker ? SERVICES.filter((s) => !s.endsWith('k8s-dqlite')) : SERVICES;
  for (const s of services) p.out(`  Service ${s} is running\n`);
  p.out('  Copy service arguments to the final report tarball\nInspecting AppArmor configuration\nGathering system information\n' +
    '  Copy processes list to the final report tarball\n  Copy disk usage information to the final report tarball\n' +
    '  Copy memory usage information to the final report tarball\n  Copy server uptime to the final report tarball\n' +
    '  Copy openSSL information to the final report tarball\n  Copy snap list to the final report tarball\n' +
    '  Copy VM name (or none) to the final report tarball\n  Copy current linux distribution to the final report tarball\n' +
    '  Copy asnycio usage and limits to the final report tarball\n  Copy inotify max_user_instances and max_user_watches to the final report tarball\n' +
    '  Copy network configuration to the final report tarball\nInspecting kubernetes cluster\n  Inspect kubernetes cluster\n');
  await p.work('command');
  const now = new Date();
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  const file = (name: string, text: string) => ({ name: `inspection-report/${name}`, data: Buffer.from(text) });
  const entries = [
    { name: 'inspection-report', data: Buffer.alloc(0), dir: true },
    ...services.flatMap((s) => [
      // check_service (classic confinement): the directory is the unit's name, snap. prefix included.
      file(`${s}/journal.log`, journal(node, [s], 100_000)),
      file(`${s}/systemctl.log`, `● ${s}.service - Service for snap application ${s.replace(/^snap\./, '')}\n     Active: active (running)\n`),
    ]),
    file('args/kubelet', '--kubeconfig=${SNAP_DATA}/credentials/kubelet.config\n--cert-dir=${SNAP_DATA}/certs\n'),
    file('sys/snap-list', `Name      Version  Rev    Tracking     Publisher   Notes\nmicrok8s  v1.32.3  ${SNAP_REVISION}   1.32/stable  canonical\u2713  classic\n`),
    file('k8s/version', 'Client Version: v1.32.3\nServer Version: v1.32.3\n'),
  ];
  if (!worker) {
    p.out('Inspecting dqlite\n  Inspect dqlite\n');
    for (const f of ['cluster.yaml', 'info.yaml']) entries.push(file(`dqlite/${f}`, dqliteFile(node, `${BACKEND_DIR}/${f}`) ?? ''));
  }
  const path = `${snapData}/inspection-report-${stamp}.tar.gz`;
  p.out('Building the report tarball\n');
  p.writeFile(path, packTarGz(entries).toString('base64'), 0o644);
  node.files.get(path)!.binary = true;
  p.out(`  Report tarball is at ${path}\n`);
  return 0;
}

/** `journalctl -u PATTERN -n N --no-pager`: root (or the adm group) reads the system journal. */
async function journalctl(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  const pattern = a[a.indexOf('-u') + 1] ?? '';
  const n = Number(a[a.indexOf('-n') + 1] ?? 100);
  if (!p.root) { p.out('Hint: You are currently not seeing messages from other users and the system.\n      Users in groups \'adm\', \'systemd-journal\' can see all messages.\n      Pass -q to turn off this notice.\n-- No entries --\n'); return 0; }
  const re = new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
  const units = p.node.microk8s.installed ? SERVICES.filter((s) => re.test(s)) : [];
  p.out(units.length ? journal(p.node, units, n) : '-- No entries --\n');
  return 0;
}

export { inspect };
export const SUPPORT_READS: Record<string, CommandDef> = {
  journalctl: { path: '/usr/bin/journalctl', run: journalctl },
};
