// A small SFTP subsystem (what SshPool.upload uses: open/write/close, setstat, rename, remove, stat,
// realpath), with the login user's permissions: writable only under its home and /tmp. Each upload is
// audited like a command (`(sftp) put PATH`) with its file effects.
import { utils, type SFTPWrapper } from 'ssh2';
import type { SimNode } from './node-state';
import type { World } from './world';
import { sha256hex } from './random';

const { STATUS_CODE, OPEN_MODE } = utils.sftp;

interface OpenFile { path: string; chunks: Buffer[]; mode: number; write: boolean; content?: string }

export function serveSftp(sftp: SFTPWrapper, node: SimNode, world: World, connection: number): void {
  const user = world.user;
  const handles = new Map<number, OpenFile>();
  let next = 1;
  const abs = (p: string) => (p.startsWith('/') ? p : `/home/${user}/${p === '.' ? '' : p}`.replace(/\/$/, '') || '/');
  const handleOf = (buf: Buffer) => (buf.length === 4 ? handles.get(buf.readUInt32BE(0)) : undefined);
  const writable = (p: string) => node.canWrite(p, false, user);
  const record = (what: string, path: string, before: string | undefined, beforeMode: number | undefined) => {
    const entry = world.auditLog.begin(node.name, 'ssh', `(sftp) ${what} ${path}`, connection);
    const after = node.files.get(path);
    if (after && (after.content !== before || after.mode !== beforeMode)) {
      world.auditLog.addEffect(entry, `write ${path} sha256:${sha256hex(after.content).slice(0, 12)} mode ${after.mode.toString(8).padStart(4, '0')}`);
    } else if (!after && before !== undefined) world.auditLog.addEffect(entry, `delete ${path}`);
    world.auditLog.finish(entry, 0);
  };
  const attrsOf = (p: string) => {
    const f = node.files.get(p);
    const isDir = !f && node.exists(p);
    if (!f && !isDir) return undefined;
    const now = Math.floor(Date.now() / 1000);
    return { mode: f ? 0o100000 | f.mode : 0o040755, uid: 0, gid: 0, size: f ? Buffer.byteLength(f.content) : 4096, atime: now, mtime: now };
  };

  sftp.on('OPEN', (reqid, filename, flags, attrs) => {
    const path = abs(filename);
    const write = (flags & OPEN_MODE.WRITE) !== 0;
    if (write && !writable(path)) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
    const existing = node.files.get(path);
    if (!write) {
      if (!existing) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
      if (!node.canRead(path, false)) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
    }
    const id = next++;
    const keep = write && (flags & OPEN_MODE.TRUNC) === 0 && existing ? [Buffer.from(existing.content)] : [];
    handles.set(id, { path, chunks: keep, mode: attrs?.mode !== undefined ? attrs.mode & 0o7777 : existing?.mode ?? 0o664, write, content: existing?.content });
    const h = Buffer.alloc(4);
    h.writeUInt32BE(id, 0);
    sftp.handle(reqid, h);
  });
  sftp.on('WRITE', (reqid, handle, offset, data) => {
    const f = handleOf(handle);
    if (!f || !f.write) return sftp.status(reqid, STATUS_CODE.FAILURE);
    const cur = Buffer.concat(f.chunks);
    const out = Buffer.alloc(Math.max(cur.length, offset + data.length));
    cur.copy(out);
    data.copy(out, offset);
    f.chunks = [out];
    sftp.status(reqid, STATUS_CODE.OK);
  });
  sftp.on('READ', (reqid, handle, offset, length) => {
    const f = handleOf(handle);
    const buf = Buffer.from(f?.content ?? '');
    if (!f || offset >= buf.length) return sftp.status(reqid, STATUS_CODE.EOF);
    sftp.data(reqid, buf.subarray(offset, offset + length));
  });
  sftp.on('CLOSE', (reqid, handle) => {
    const f = handleOf(handle);
    if (!f) return sftp.status(reqid, STATUS_CODE.FAILURE);
    handles.delete(handle.readUInt32BE(0));
    if (f.write) {
      const before = node.files.get(f.path);
      // SFTP moves bytes: what is not UTF-8 text is kept as the simulator keeps binary files (base64, node-state.ts).
      const bytes = Buffer.concat(f.chunks);
      const text = bytes.toString('utf8');
      const binary = !Buffer.from(text, 'utf8').equals(bytes);
      node.files.set(f.path, { content: binary ? bytes.toString('base64') : text, mode: f.mode, mtime: Date.now(), ...(binary ? { binary } : {}) });
      record('put', f.path, before?.content, before?.mode);
    }
    sftp.status(reqid, STATUS_CODE.OK);
  });
  const setstat = (reqid: number, path: string | undefined, attrs: { mode?: number }) => {
    if (!path) return sftp.status(reqid, STATUS_CODE.FAILURE);
    const f = node.files.get(path);
    if (!f) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    if (!writable(path)) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
    if (attrs.mode !== undefined) {
      const before = f.mode;
      node.files.set(path, { ...f, mode: attrs.mode & 0o7777 });
      record('chmod', path, f.content, before);
    }
    sftp.status(reqid, STATUS_CODE.OK);
  };
  sftp.on('SETSTAT', (reqid, path, attrs) => setstat(reqid, abs(path), attrs));
  sftp.on('FSETSTAT', (reqid, handle, attrs) => {
    const f = handleOf(handle);
    if (f && attrs.mode !== undefined) f.mode = attrs.mode & 0o7777;
    sftp.status(reqid, f ? STATUS_CODE.OK : STATUS_CODE.FAILURE);
  });
  sftp.on('RENAME', (reqid, oldPath, newPath) => {
    const from = abs(oldPath);
    const to = abs(newPath);
    const f = node.files.get(from);
    if (!f) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    if (!writable(from) || !writable(to)) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
    if (node.files.has(to)) return sftp.status(reqid, STATUS_CODE.FAILURE); // SFTP v3 rename does not replace
    const before = node.files.get(to);
    node.files.delete(from);
    node.files.set(to, f);
    record('rename', to, before?.content, before?.mode);
    sftp.status(reqid, STATUS_CODE.OK);
  });
  sftp.on('REMOVE', (reqid, path) => {
    const p = abs(path);
    const f = node.files.get(p);
    if (!f) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    if (!writable(p)) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
    node.files.delete(p);
    record('remove', p, f.content, f.mode);
    sftp.status(reqid, STATUS_CODE.OK);
  });
  const stat = (reqid: number, path: string) => {
    const a = attrsOf(abs(path));
    if (!a) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    sftp.attrs(reqid, a);
  };
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);
  sftp.on('FSTAT', (reqid, handle) => {
    const f = handleOf(handle);
    if (!f) return sftp.status(reqid, STATUS_CODE.FAILURE);
    const size = Buffer.concat(f.chunks).length || Buffer.byteLength(f.content ?? '');
    const now = Math.floor(Date.now() / 1000);
    sftp.attrs(reqid, { mode: 0o100000 | f.mode, uid: 0, gid: 0, size, atime: now, mtime: now });
  });
  sftp.on('REALPATH', (reqid, path) => {
    const p = abs(path);
    sftp.name(reqid, [{ filename: p, longname: p, attrs: attrsOf(p) ?? { mode: 0o040755, uid: 0, gid: 0, size: 4096, atime: 0, mtime: 0 } }]);
  });
  for (const op of ['OPENDIR', 'READDIR', 'MKDIR', 'RMDIR', 'READLINK', 'SYMLINK', 'EXTENDED'] as const) {
    sftp.on(op as 'OPENDIR', (reqid: number) => sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED));
  }
}
