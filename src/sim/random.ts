// A small seeded PRNG (mulberry32) so a fleet started with the same seed produces the same boot ids,
// tokens, names, latencies and chaos decisions. Streams are derived by name so that adding a use in one
// place does not shift the numbers every other place sees.
import { createHash } from 'node:crypto';

export class Rng {
  private state: number;

  constructor(seed: number | string) {
    this.state = typeof seed === 'number' ? seed >>> 0 : hash32(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  hex(chars: number): string {
    let s = '';
    while (s.length < chars) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }

  /** Lowercase letters and digits, as Kubernetes generated name suffixes. */
  alnum(chars: number): string {
    const abc = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    while (s.length < chars) s += abc[Math.floor(this.next() * abc.length)];
    return s;
  }

  uuid(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = '89ab'[parseInt(h[16], 16) & 3];
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** An independent stream for one purpose. */
  derive(name: string): Rng {
    return new Rng(hash32(`${this.state}:${name}`));
  }
}

export function hash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

export const md5hex = (text: string): string => createHash('md5').update(text).digest('hex');
export const sha256hex = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');
