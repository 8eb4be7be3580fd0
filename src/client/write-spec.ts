// `status <site> --write-spec <file>`: the keys the install pinned at first contact go into the spec file.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { parsePinnedSummary, writeHostKeysIntoSpec } from '../site/write-pins';
import { EXIT_BAD_INPUT, UserError } from './errors';

/** The status summary entry the install sets (src/workflows/host-keys.ts). */
export const PINNED_SUMMARY = 'host keys pinned at first contact';

export function writePinsToSpec(file: string, summary: string | undefined): void {
  const pins = parsePinnedSummary(summary ?? '');
  if (Object.keys(pins).length === 0) {
    throw new UserError(`the install shows no host keys pinned at first contact, so there is nothing to write into ${file}. ` +
      'Fix: run this after the install\'s preflight (its keys are then in the status), or add nodes[].hostKey by hand', EXIT_BAD_INPUT);
  }
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) {
    throw new UserError(`cannot read the spec file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, EXIT_BAD_INPUT);
  }
  let result;
  try { result = writeHostKeysIntoSpec(text, pins); } catch (err) {
    throw new UserError(`cannot write the host keys into ${file}: ${(err as Error).message}. Fix: add nodes[].hostKey by hand: ` +
      Object.entries(pins).map(([n, k]) => `${n} ${k}`).join(', '), EXIT_BAD_INPUT);
  }
  if (result.written.length === 0) { process.stdout.write(`${file} already holds every pinned host key.\n`); return; }
  // Replaced atomically, with the file's own mode.
  const tmp = `${file}.kloudspot-${process.pid}`;
  writeFileSync(tmp, result.text, { mode: statSync(file).mode & 0o777, flag: 'wx' });
  renameSync(tmp, file);
  process.stdout.write(`Wrote nodes[].hostKey for ${result.written.join(', ')} into ${file} (comments kept). Check each against ` +
    '`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the node.\n');
}
