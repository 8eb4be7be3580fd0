// The command table: every program the simulated nodes know, with the path `command -v` prints.
// Programs installed later (the kloudspot CLI, the microk8s snap) exist only once installed.
import type { SimNode } from '../node-state';
import type { CommandDef } from './types';
import { BASIC } from './basic';
import { FILES } from './files';
import { APT } from './apt';
import { SYSTEMD } from './systemd';
import { LVM } from './lvm';
import { MICROK8S } from './microk8s';
import { TOOLS } from './tools';
import { SNAP } from './snap';
import { BASE64 } from './base64';
import { HEALTH_READS } from './health-reads';
import { ARPING } from './arping';
import { SUPPORT_READS } from './inspect';

export type { CommandDef } from './types';

export const COMMANDS = new Map<string, CommandDef>([
  ...Object.entries(BASIC), ...Object.entries(FILES), ...Object.entries(APT), ...Object.entries(SYSTEMD),
  ...Object.entries(LVM), ...Object.entries(MICROK8S), ...Object.entries(TOOLS), ...Object.entries(SNAP), ...Object.entries(ARPING),
  ...Object.entries(SUPPORT_READS), ...Object.entries(BASE64),
  // Last: its openssl answers x509 and hands the rest to basic's.
  ...Object.entries(HEALTH_READS),
]);

export function isAvailable(name: string, node: SimNode): boolean {
  const def = COMMANDS.get(name);
  return !!def && (!def.available || def.available(node));
}

export function commandPath(name: string): string | undefined {
  return COMMANDS.get(name)?.path;
}

/** The names the simulator answers (for documentation and the drift test). */
export function knownCommands(): string[] {
  return [...COMMANDS.keys()].filter((n) => !n.startsWith('__')).sort();
}
