/**
 * Atomic file replacement, the one writer of kolega (stored state, `-o`, the write tools): the data
 * goes to a temporary file in the same directory, opened with the final mode before the first byte
 * is written (so a secret is never readable by others, not even briefly), fsynced, then renamed over
 * the target; a reader sees the old or the new content, never part of it, even when several
 * processes write at once. Ours rather than `atomically`/`write-file-atomic` because those hook
 * SIGINT/SIGTERM at import (when-exit re-raises the signal), which breaks the run's own signal
 * handling (docs/design.md: SIGINT exits 130 after flushing partial output).
 * A symlink destination is written through: the temp file goes next to the link's final target and
 * is renamed over it, so the link stays. A destination that exists and is not a regular file
 * (directory, FIFO, device) is refused, unless the caller allows writing into a FIFO or device.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/** Options of `writeFileAtomic`. */
export interface AtomicWriteOptions {
  /** Mode of the new file (e.g. 0o600); default: keep an existing file's mode, else 0o666 minus the umask. */
  mode?: number;
  /** Create missing parent directories first (the write tools' `path` may name new directories). */
  createDirs?: boolean;
  /**
   * When the destination is a FIFO or a character device (`-o /dev/stdout`, `-o fifo`), open it and
   * write into it plainly (no temp file, no rename: neither can be replaced atomically and replacing
   * one would break whoever reads it). Default: refuse such a destination with ENOTREG.
   */
  writeIntoSpecial?: boolean;
}

/**
 * The file a write to `file` must replace: `file` itself, or, when it is a symlink (chain), the
 * link's final target, so the link is kept and the target gets the data. A dangling link resolves
 * to where it points (the target is then created).
 * @throws ELOOP after 40 links (the Linux limit, symlink(7))
 */
function resolveDestination(file: string): string {
  let current = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = lstatSync(current);
    } catch {
      return current;
    }
    if (!st.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), readlinkSync(current));
  }
  throw Object.assign(new Error(`too many symbolic links: ${file}`), { code: 'ELOOP' });
}

/**
 * Replaces the file at `dest` (or a symlink's target) with `data` atomically (synchronous: no
 * event-loop turn can observe a half state).
 * @throws the Node errno error (ENOENT for a missing directory, EACCES, ENOSPC...) after removing
 *   the temporary file; an error with code EISDIR or ENOTREG when `dest` is a directory or another
 *   non-regular file (see `writeIntoSpecial`); ELOOP for a symlink loop
 */
export function writeFileAtomic(dest: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const file = resolveDestination(dest);
  if (opts.createDirs) mkdirSync(path.dirname(file), { recursive: true });
  let mode = opts.mode;
  let existing;
  try {
    existing = statSync(file);
  } catch {
    existing = undefined;
  }
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (existing && !existing.isFile()) {
    if (opts.writeIntoSpecial && (existing.isFIFO() || existing.isCharacterDevice())) {
      writeFileSync(file, buf);
      return;
    }
    const code = existing.isDirectory() ? 'EISDIR' : 'ENOTREG';
    throw Object.assign(new Error(`${file} is not a regular file (${code})`), { code, path: file });
  }
  if (mode === undefined && existing) mode = existing.mode & 0o7777;
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const fd = openSync(tmp, 'wx', mode ?? 0o666);
  try {
    // The umask may have narrowed or the mode been given: set it exactly before writing.
    if (mode !== undefined) fchmodSync(fd, mode);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or gone
    }
    throw err;
  }
  try {
    // Persist the rename itself.
    const dirFd = openSync(path.dirname(file), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // some filesystems cannot fsync a directory; the rename is still atomic
  }
}
