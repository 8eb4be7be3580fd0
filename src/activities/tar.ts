// The few tar.gz files the installer handles (`microk8s dbctl backup` archives, which Python's tarfile writes in
// ustar/GNU format): read them to check what they hold, and write them (the simulator's dbctl). Regular files
// and directories only; a name that is absolute or climbs out (`..`) is refused, as dbctl's own restore does.
import { gunzipSync, gzipSync } from 'node:zlib';

export interface TarEntry { name: string; data: Buffer }

const BLOCK = 512;

function field(h: Buffer, at: number, len: number): string {
  const s = h.subarray(at, at + len).toString('latin1');
  const nul = s.indexOf('\0');
  return nul >= 0 ? s.slice(0, nul) : s;
}

/** The regular files of a .tar.gz, in order; throws on anything that is not a plain, contained archive. */
export function readTarGz(gz: Buffer, maxBytes = 512 * 2 ** 20): TarEntry[] {
  const tar = gunzipSync(gz, { maxOutputLength: maxBytes });
  const out: TarEntry[] = [];
  for (let at = 0; at + BLOCK <= tar.length;) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    const name = (field(h, 345, 155) ? `${field(h, 345, 155)}/` : '') + field(h, 0, 100);
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    const type = field(h, 156, 1) || '0';
    if (!Number.isFinite(size) || size < 0 || at + BLOCK + size > tar.length) throw new Error(`tar entry ${JSON.stringify(name.slice(0, 80))} runs past the end`);
    if (name.startsWith('/') || name.split('/').includes('..')) throw new Error(`tar entry ${JSON.stringify(name.slice(0, 80))} points outside the archive`);
    if (type === '0') out.push({ name, data: Buffer.from(tar.subarray(at + BLOCK, at + BLOCK + size)) });
    else if (type !== '5') throw new Error(`tar entry ${JSON.stringify(name.slice(0, 80))} is not a file or directory (type ${type})`);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

function header(name: string, size: number, dir: boolean, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const put = (s: string, at: number, len: number) => h.write(s.slice(0, len), at, len, 'latin1');
  put(name, 0, 100);
  put(`${(dir ? 0o755 : 0o640).toString(8).padStart(7, '0')}\0`, 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(`${size.toString(8).padStart(11, '0')}\0`, 124, 12);
  put(`${Math.floor(mtime / 1000).toString(8).padStart(11, '0')}\0`, 136, 12);
  put('        ', 148, 8);
  put(dir ? '5' : '0', 156, 1);
  put('ustar\0' + '00', 257, 8);
  const sum = h.reduce((a, b) => a + b, 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** A .tar.gz of `dir/` and its files (names relative to the archive), as Python's tarfile.add(dir) writes one. */
export function writeTarGz(dir: string, files: TarEntry[], mtime = Date.now()): Buffer {
  const parts = [header(`${dir}/`, 0, true, mtime)];
  for (const f of files) {
    parts.push(header(`${dir}/${f.name}`, f.data.length, false, mtime), f.data, Buffer.alloc((BLOCK - (f.data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts));
}
