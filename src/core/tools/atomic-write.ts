/**
 * Atomic file replacement for the write tools: the data goes to a temporary file in the same
 * directory, which is then renamed over the target, so a reader never sees half a file. An
 * existing file keeps its mode (and owner, where permitted); a new file gets 0666 minus the umask.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';

/**
 * Writes `data` to `realPath` atomically, creating missing parent directories.
 * @param realPath an absolute path already confined by `resolveToolPath` (symlinks resolved)
 * @throws Error (Node errno error) when the directory is not writable or the disk is full
 */
export async function atomicWrite(realPath: string, data: string): Promise<void> {
  await mkdir(path.dirname(realPath), { recursive: true });
  writeFileAtomic(realPath, data);
}

/** Size facts of a text: bytes (UTF-8) and lines (a trailing newline does not start a new line). */
export interface TextSize {
  bytes: number;
  lines: number;
}

/** Measures `text` for the "what changed" part of a write tool's result. */
export function textSize(text: string): TextSize {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (text === '') return { bytes, lines: 0 };
  const newlines = text.split('\n').length - 1;
  return { bytes, lines: text.endsWith('\n') ? newlines : newlines + 1 };
}
