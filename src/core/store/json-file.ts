/**
 * Reading and atomically writing the small JSON files kolega keeps (settings, credentials).
 * Reads never repair or replace a corrupt file: they throw an error naming the file and the byte
 * position of the first error, without echoing the file's bytes, so the user can fix it without
 * losing what it holds. Writes go through `writeFileAtomic` (temp file in the same directory,
 * opened with the final mode, fsync, rename), so a reader never sees partial content.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import { KolegaError } from '../errors.js';
import { parseJsonText } from '../json-syntax.js';
import { ensureHome } from './paths.js';
import path from 'node:path';

/**
 * Reads and parses a JSON object file.
 * @returns the object, or `undefined` when the file does not exist.
 * @throws KolegaError(config, `file_corrupt`) when the content is not a JSON object (including empty,
 *   zero-filled or truncated files); KolegaError(config, `file_unreadable`) on other I/O errors.
 */
export function readJsonObject(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new KolegaError('config', 'file_unreadable', `${file} is a directory, not a file`, {
        hint: `move it away (e.g. mv '${file}' '${file}.bak'); kolega never deletes it on its own`,
        cause: err,
      });
    }
    throw new KolegaError('config', 'file_unreadable', `cannot read ${file}: ${(err as Error).message}`, {
      hint: 'check the file permissions',
      cause: err,
    });
  }
  let value: unknown;
  try {
    value = parseJsonText(text);
  } catch (err) {
    throw corrupt(file, `not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw corrupt(file, 'not a JSON object');
  }
  return value as Record<string, unknown>;
}

function corrupt(file: string, detail: string): KolegaError {
  return new KolegaError('config', 'file_corrupt', `${file} is corrupt (${detail})`, {
    hint: `fix or move the file away (e.g. mv '${file}' '${file}.bak'); kolega never overwrites it on its own`,
  });
}

/**
 * Writes `value` as pretty JSON atomically with `mode` (e.g. 0o600), creating the directory with
 * mode 0700 when missing.
 * @throws KolegaError(config, `file_write_failed`) on I/O errors.
 */
export function writeJsonAtomic(file: string, value: unknown, mode: number): void {
  ensureHome(path.dirname(file));
  try {
    writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', { mode });
  } catch (err) {
    throw new KolegaError('config', 'file_write_failed', `cannot write ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
