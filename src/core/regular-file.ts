/**
 * Reading a file named by a flag: only regular files are opened, so a FIFO or a device
 * (`/dev/zero`, a terminal) can neither block the synchronous read nor fill memory.
 */
import { readFileSync, statSync } from 'node:fs';
import { KolegaError } from './errors.js';
import { formatBytes } from './format.js';

/**
 * Reads `file` after checking it is a regular file of at most `max` bytes.
 * @param what how the message names the file, e.g. "--output-schema"
 * @throws KolegaError(usage, `not_a_file` | `file_too_large`) -> exit 2; a failed stat or read
 *   is rethrown as the Node errno error for the caller to word
 */
export function readRegularFile(file: string, what: string, max: number): Buffer {
  const st = statSync(file);
  if (!st.isFile()) throw new KolegaError('usage', 'not_a_file', `${what} ${file} is not a file`);
  if (st.size > max)
    throw new KolegaError(
      'usage',
      'file_too_large',
      `${what} ${file} is ${formatBytes(st.size)} (${st.size} bytes); the limit is ${formatBytes(max)}`,
    );
  return readFileSync(file);
}
