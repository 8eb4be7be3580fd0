// A simulated program: where `command -v` finds it and what it does. A leaf module, so that the command table
// (index.ts) and the programs it lists do not import each other.
import type { SimNode } from '../node-state';
import type { Proc } from '../process';

export interface CommandDef {
  path: string;
  run: (p: Proc) => Promise<number>;
  /** Present only in some states (installed later). */
  available?: (node: SimNode) => boolean;
}
