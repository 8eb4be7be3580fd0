// Field-by-field comparison of a simulated machine with a fresh one: every own field of SimNode is compared
// unless it is listed below with the reason it legitimately differs after an install and a reset.
import type { SimNode } from '../../src/sim';

/** Fields of SimNode left out of the comparison, each with why. */
export const EXCLUDED: Record<string, string> = {
  // The install reboots the nodes (its apt upgrade asks for it): a new boot id, count and time are the point of a reboot.
  bootId: 'rebooted by the install', bootCount: 'rebooted by the install', bootedAt: 'rebooted by the install',
  // Upgraded packages stay upgraded: reset does not downgrade (apt cannot, safely) and a new install would upgrade them anyway.
  pending: 'packages upgraded by the install', installed: 'packages (new kernels) installed by the upgrade',
  // The simulator's own random stream, not the machine's state.
  rng: 'the simulator\'s PRNG position',
};

/** Fields inside a SimNode field (`field.sub`) left out, each with why. */
export const EXCLUDED_INSIDE: Record<string, string> = {
  'microk8s.issuedTokens': 'the simulator\'s memory of every join token ever written (the leak tests read it), not the machine\'s state',
};

/**
 * Resolves once no node has the named transient unit armed or running: its timer no longer `waiting` (the simulator
 * keeps elapsed timers loaded when RemainAfterElapse=yes) and its service finished.
 */
export async function unitSettled(machines: SimNode[], unit: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (machines.some((m) => m.timers.get(unit)?.state === 'waiting' || m.runningServices.has(unit))) {
    if (Date.now() > deadline) throw new Error(`${unit} never ran on every node`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function plain(value: unknown): unknown {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [k, plain(v)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  if (value instanceof Set) return [...value].sort();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    // Creation times of the simulated hardware (disks, the root LV) are when the fleet object was made; a file's mtime is
    // when it was last written (a file the reset put back has the content and mode it had, written anew).
    const skip = new Set(['createdAt', 'handle', 'mtime']);
    return Object.fromEntries(Object.entries(value).filter(([k]) => !skip.has(k)).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/**
 * The machine as comparable data. `hostname`: the reset keeps the name the install gave (the spec's node name);
 * the machine's earlier name (a clone's `ubuntu`) is recorded nowhere, so the fresh machine is compared as if it
 * had been given that name: its hostname, /etc/hostname and /etc/hosts' `127.0.1.1` line.
 */
export function machineState(n: SimNode, hostname = n.hostname): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) {
    if (k in EXCLUDED) continue;
    out[k] = plain(v);
  }
  for (const path of Object.keys(EXCLUDED_INSIDE)) {
    const [field, sub] = path.split('.');
    if (out[field] && typeof out[field] === 'object') out[field] = Object.fromEntries(Object.entries(out[field]).filter(([k]) => k !== sub));
  }
  if (hostname !== n.hostname) {
    const rename = (text: string) => text.replace(new RegExp(`^127\\.0\\.1\\.1 ${n.hostname}$`, 'm'), `127.0.1.1 ${hostname}`)
      .replace(new RegExp(`^${n.hostname}\\n$`), `${hostname}\n`);
    out.hostname = hostname;
    out.files = (out.files as [string, { content: string; mode: number }][]).map(([p, f]) =>
      [p, p === '/etc/hosts' || p === '/etc/hostname' ? { ...f, content: rename(f.content) } : f]);
  }
  return out;
}
