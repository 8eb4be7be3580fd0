// A block of lines between two marker lines, owned by the installer inside a file that others also edit
// (/etc/hosts, containerd-env). Writing replaces the block in place (never a second copy); removing takes it
// out and leaves every other line as it was. Pure text in, text out: reset and plan use the same functions.

export interface BlockMarkers { begin: string; end: string }

/** The lines inside the block, or undefined when the file has none. */
export function blockLines(current: string, m: BlockMarkers): string[] | undefined {
  const lines = current.split('\n');
  const a = lines.indexOf(m.begin);
  const b = lines.indexOf(m.end, a + 1);
  return a >= 0 && b > a ? lines.slice(a + 1, b) : undefined;
}

/** The file without the block (and without a blank line the block left behind at the end). */
export function removeBlock(current: string, m: BlockMarkers): string {
  const out: string[] = [];
  let inBlock = false;
  for (const line of current.split('\n')) {
    if (line === m.begin) { inBlock = true; continue; }
    if (inBlock && line === m.end) { inBlock = false; continue; }
    if (!inBlock) out.push(line);
  }
  const text = out.join('\n');
  return current.endsWith('\n') ? `${text.replace(/\n+$/, '')}\n` : text;
}

/** The file with exactly one block holding `lines`: replaced where it was, else appended at the end. */
export function replaceBlock(current: string, m: BlockMarkers, lines: string[]): string {
  const block = [m.begin, ...lines, m.end];
  const all = current === '' ? [] : current.replace(/\n$/, '').split('\n');
  const a = all.indexOf(m.begin);
  const b = all.indexOf(m.end, a + 1);
  if (a >= 0 && b > a) {
    // Any second copy (a hand edit, an old bug) goes too: there is one block.
    const rest = removeBlock([...all.slice(0, a), ...all.slice(b + 1)].join('\n'), m).split('\n');
    return [...rest.slice(0, a), ...block, ...rest.slice(a)].join('\n') + '\n';
  }
  return [...all, ...(all.length > 0 && all[all.length - 1] !== '' ? [''] : []), ...block].join('\n') + '\n';
}
