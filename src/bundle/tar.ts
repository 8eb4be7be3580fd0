// A minimal POSIX ustar writer and reader (regular files and directories only) with gzip from node:zlib: what
// the support bundle packs and unpacks (microk8s inspect's report, the bundle itself), and what the simulator
// writes as inspect's tarball. Layout from POSIX.1-2001 pax/ustar: 512-byte header, octal fields, checksum
// with the checksum field counted as spaces, two zero blocks at the end.
import { gunzipSync, gzipSync } from 'node:zlib';

export interface TarEntry { name: string; data: Buffer; mode?: number; mtime?: number; dir?: boolean }

const BLOCK = 512;
const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';

function header(e: TarEntry): Buffer {
  const h = Buffer.alloc(BLOCK);
  let name = e.name + (e.dir && !e.name.endsWith('/') ? '/' : '');
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`tar: name too long: ${e.name}`);
  }
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode ?? (e.dir ? 0o755 : 0o644), 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(e.dir ? 0 : e.data.length, 12), 124, 'ascii');
  h.write(octal(Math.floor((e.mtime ?? Date.now()) / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(e.dir ? '5' : '0', 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

export function packTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (!e.dir) {
      parts.push(e.data);
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

const field = (h: Buffer, at: number, len: number) => h.subarray(at, at + len).toString('utf8').replace(/\0.*$/s, '');

/** Regular files and directories (GNU tar's long names too); other entry types (links, pax headers) are skipped. */
export function unpackTar(tar: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length;) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    const type = field(h, 156, 1) || '0';
    const prefix = field(h, 345, 155);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    const name = longName ?? (prefix ? `${prefix}/` : '') + field(h, 0, 100);
    longName = type === 'L' ? data.toString('utf8').replace(/\0.*$/s, '') : undefined;
    if (type === '0' || type === '5') {
      out.push({ name, data: Buffer.from(data), mode: parseInt(field(h, 100, 8).trim() || '644', 8), mtime: parseInt(field(h, 136, 12).trim() || '0', 8) * 1000, dir: type === '5' });
    }
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

export const packTarGz = (entries: TarEntry[]): Buffer => gzipSync(packTar(entries));
export const unpackTarGz = (gz: Buffer): TarEntry[] => unpackTar(gunzipSync(gz));
export const isGzip = (b: Buffer): boolean => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
