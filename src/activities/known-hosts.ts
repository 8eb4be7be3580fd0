// The worker's known hosts: the host key first seen for each node of each site, kept beyond one run so that
// update, uninstall, add-node and a re-run of the install check the key too (an impostor gets no command).
// Keyed like OpenSSH's known_hosts by host and port, and by site and node name. Stored in the JSON file named by
// KLOUDSPOT_KNOWN_HOSTS_FILE (mode 0600, written whole and renamed into place); without it, in the worker's
// memory only (tests; a restarted worker then re-learns keys at the next install's preflight).
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SSH_FINGERPRINT } from '../site/patterns';

export const ENV_KNOWN_HOSTS_FILE = 'KLOUDSPOT_KNOWN_HOSTS_FILE';

export interface HostEntry { name: string; host: string; port: number }
export interface PinnedHost extends HostEntry { hostKey: string }

const keyOf = (site: string, h: HostEntry) => `${site}/${h.name} ${h.host}:${h.port}`;

export class KnownHosts {
  private memory = new Map<string, string>();
  constructor(private readonly file?: string) {}

  private load(): Map<string, string> {
    if (!this.file) return this.memory;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new Error(`known hosts file ${this.file} cannot be read (${(err as NodeJS.ErrnoException).code}); fix its permissions or point ${ENV_KNOWN_HOSTS_FILE} elsewhere`);
    }
    const raw = JSON.parse(text) as Record<string, unknown>;
    return new Map(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string' && SSH_FINGERPRINT.test(e[1])));
  }

  private save(map: Map<string, string>): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries([...map].sort()), null, 1) + '\n', { mode: 0o600, flag: 'w' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  /** The pinned key of each host that has one. */
  lookup(site: string, hosts: HostEntry[]): Record<string, string> {
    const map = this.load();
    const out: Record<string, string> = {};
    for (const h of hosts) { const k = map.get(keyOf(site, h)); if (k) out[h.name] = k; }
    return out;
  }

  /** Pins keys first seen; a pinned key is never replaced here (a person changes it: nodes[].hostKey or the file). */
  pin(site: string, hosts: PinnedHost[]): string[] {
    const map = this.load();
    const added = hosts.filter((h) => SSH_FINGERPRINT.test(h.hostKey) && !map.has(keyOf(site, h)));
    if (added.length === 0) return [];
    for (const h of added) map.set(keyOf(site, h), h.hostKey);
    this.save(map);
    return added.map((h) => `${h.name} ${h.hostKey}`);
  }
}

let shared: KnownHosts | undefined;
/** The worker's store (one per process): the file from the environment, else memory. */
export function workerKnownHosts(): KnownHosts {
  shared ??= new KnownHosts(process.env[ENV_KNOWN_HOSTS_FILE]?.trim() || undefined);
  return shared;
}

export function createKnownHostsActivities(store: () => KnownHosts = workerKnownHosts) {
  return {
    async knownHostKeys(site: string, hosts: HostEntry[]): Promise<Record<string, string>> {
      return store().lookup(site, hosts);
    },
    async pinHostKeys(site: string, hosts: PinnedHost[]): Promise<string[]> {
      return store().pin(site, hosts);
    },
  };
}
