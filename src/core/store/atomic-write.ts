/**
 * Atomic file replacement, the one writer of kolega (stored state, `-o`, the write tools): the data
 * goes to a temporary file in the same directory, opened with the final mode before the first byte
 * is written (so a secret is never readable by others, not even briefly), fsynced, then renamed over
 * the target; a reader sees the old or the new content, never part of it, even when several
 * processes write at once. Ours rather than `atomically`/`write-file-atomic` because those hook
 * SIGINT/SIGTERM at import (when-exit re-raises the signal), which breaks the run's own signal
 * handling (docs/design.md: SIGINT exits 130 after flushing partial output).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/** Options of `writeFileAtomic`. */
export interface AtomicWriteOptions {
  /** Mode of the new file (e.g. 0o600); default: keep an existing file's mode, else 0o666 minus the umask. */
  mode?: number;
  /** Create missing parent directories first (the write tools' `path` may name new directories). */
  createDirs?: boolean;
}

/**
 * Replaces `file` with `data` atomically (synchronous: no event-loop turn can observe a half state).
 * @throws the Node errno error (ENOENT for a missing directory, EACCES, ENOSPC...) after removing
 *   the temporary file
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  if (opts.createDirs) mkdirSync(path.dirname(file), { recursive: true });
  let mode = opts.mode;
  if (mode === undefined) {
    try {
      mode = statSync(file).mode & 0o7777;
    } catch {
      mode = undefined;
    }
  }
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const fd = openSync(tmp, 'wx', mode ?? 0o666);
  try {
    // The umask may have narrowed or the mode been given: set it exactly before writing.
    if (mode !== undefined) fchmodSync(fd, mode);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
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
