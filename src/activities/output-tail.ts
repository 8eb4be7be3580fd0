// Redaction and bounded output. Output is redacted as it streams (so progress callbacks never see a
// secret, even one split across two chunks), and only the redacted text is kept, as a tail of bytes.
import { StringDecoder } from 'node:string_decoder';
import { terminalSafe } from '../safe-text';

export const REDACTED = '[REDACTED]';

/** Distinct non-empty secrets. */
export function secretsOf(list: readonly string[] | undefined): string[] {
  return [...new Set((list ?? []).filter((s) => s.length > 0))];
}

/** Where secrets occur, overlapping occurrences merged (so "abc" + "bcd" in "abcd" hides all four). */
function secretRanges(text: string, secrets: readonly string[]): [number, number][] {
  const found: [number, number][] = [];
  for (const s of secrets) for (let i = text.indexOf(s); i !== -1; i = text.indexOf(s, i + 1)) found.push([i, i + s.length]);
  found.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of found) {
    const last = merged[merged.length - 1];
    if (last && a < last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

function replaceRanges(text: string, ranges: [number, number][], upTo: number): string {
  let out = '';
  let at = 0;
  for (const [a, b] of ranges) {
    if (a >= upTo) break;
    out += text.slice(at, a) + REDACTED;
    at = b;
  }
  return out + text.slice(at, upTo);
}

export function redactText(text: string, secrets: readonly string[]): string {
  return secrets.length ? replaceRanges(text, secretRanges(text, secrets), text.length) : text;
}

/**
 * Turns a byte stream into redacted text. A secret that the next chunk may complete can only start
 * in the last (longest secret - 1) characters, so those stay unreleased (unredacted) until more
 * text or flush() comes; a match that starts earlier is complete and is released as [REDACTED].
 */
export class StreamRedactor {
  private readonly decoder = new StringDecoder('utf8');
  private readonly hold: number;
  private pending = '';

  constructor(private readonly secrets: readonly string[]) {
    this.hold = Math.max(0, ...secrets.map((s) => s.length - 1));
  }

  push(chunk: Buffer): string {
    return this.release(this.pending + this.decoder.write(chunk), false);
  }

  flush(): string {
    return this.release(this.pending + this.decoder.end(), true);
  }

  private release(text: string, all: boolean): string {
    const ranges = secretRanges(text, this.secrets);
    let cut = all ? text.length : Math.max(0, text.length - this.hold);
    for (const [a, b] of ranges) if (a < cut && b > cut) cut = a; // keep a match whole (it may still grow by overlap)
    // Never split a surrogate pair: a lone half would be re-encoded as U+FFFD.
    if (cut > 0 && cut < text.length && /[\uD800-\uDBFF]/.test(text[cut - 1])) cut -= 1;
    this.pending = text.slice(cut);
    return replaceRanges(text, ranges, cut);
  }
}

/** Keeps the last `maxBytes` bytes of a text stream; says how much was cut, within the same bound. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  push(text: string): void {
    if (!text) return;
    // What is kept is shown to people (status, the Web UI, logs): a node's control characters stop here.
    const b = Buffer.from(terminalSafe(text), 'utf8');
    this.chunks.push(b);
    this.kept += b.length;
    this.total += b.length;
    while (this.chunks.length > 1 && this.kept - this.chunks[0].length >= this.maxBytes) {
      this.kept -= this.chunks.shift()!.length;
    }
  }

  get totalBytes(): number {
    return this.total;
  }

  toString(): string {
    const all = Buffer.concat(this.chunks);
    if (this.total <= this.maxBytes) return all.toString('utf8');
    // Size the marker for the largest possible count so marker + tail never exceed maxBytes.
    const reserve = Buffer.byteLength(`[... ${this.total} bytes cut]\n`);
    let start = all.length - Math.max(0, this.maxBytes - reserve);
    while (start < all.length && (all[start] & 0xc0) === 0x80) start++; // not inside a UTF-8 character
    const marker = `[... ${this.total - (all.length - start)} bytes cut]\n`;
    return (marker + all.subarray(start).toString('utf8')).slice(0, this.maxBytes);
  }
}
