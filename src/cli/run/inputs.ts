/**
 * File inputs of `kolega run`: instructions files and images (as `input_image` data URLs,
 * docs/protocol.md §e.5). Every problem is a usage error naming the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { KolegaError } from '../../core/errors.js';
import { formatBytes } from '../../core/format.js';
import type { InputContent } from '../../core/responses/items.js';

/** Largest image attached, in bytes. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Largest instructions file, in bytes. */
export const MAX_INSTRUCTIONS_BYTES = 1024 * 1024;

function readInput(file: string, what: string, max: number): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new KolegaError('usage', 'not_a_file', `${what} ${file} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof KolegaError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new KolegaError(
      'usage',
      'file_missing',
      `${what} ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`,
      {
        hint: 'check the path',
      },
    );
  }
  if (size > max)
    throw new KolegaError(
      'usage',
      'file_too_large',
      `${what} ${file} is ${formatBytes(size)} (${size} bytes); the limit is ${formatBytes(max)}`,
    );
  try {
    return readFileSync(file);
  } catch (err) {
    throw new KolegaError(
      'usage',
      'file_unreadable',
      `${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      {
        hint: 'check the file permissions',
      },
    );
  }
}

/** Reads `--instructions-file`. @throws KolegaError(usage) when missing, unreadable, empty or too large. */
export function readInstructionsFile(file: string): string {
  const text = readInput(file, 'instructions file', MAX_INSTRUCTIONS_BYTES).toString('utf8');
  if (text.trim() === '') throw new KolegaError('usage', 'empty_instructions', `instructions file ${file} is empty`);
  return text;
}

/** The MIME type of an image from its first bytes, or undefined when it is not PNG/JPEG/GIF/WebP. */
export function sniffImageType(data: Buffer): string | undefined {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (
    data.length >= 6 &&
    (data.subarray(0, 6).toString('latin1') === 'GIF87a' || data.subarray(0, 6).toString('latin1') === 'GIF89a')
  )
    return 'image/gif';
  if (
    data.length >= 12 &&
    data.subarray(0, 4).toString('latin1') === 'RIFF' &&
    data.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return undefined;
}

/** Reads `--image` files into `input_image` parts. @throws KolegaError(usage) naming the bad file. */
export function readImages(files: string[]): InputContent[] {
  return files.map((file) => {
    let data: Buffer;
    try {
      data = readInput(file, 'image', MAX_IMAGE_BYTES);
    } catch (err) {
      // -i meant --instructions before kolega followed `codex exec -i` (images): say so.
      if (err instanceof KolegaError && err.code === 'file_missing') {
        throw new KolegaError('usage', 'file_missing', `image ${JSON.stringify(file)} does not exist`, {
          hint: '-i/--image attaches an image: check the path; system instructions are given with --instructions',
        });
      }
      throw err;
    }
    const mime = sniffImageType(data);
    if (!mime) throw new KolegaError('usage', 'not_an_image', `${file} is not a PNG, JPEG, GIF or WebP image`);
    return { type: 'input_image', image_url: `data:${mime};base64,${data.toString('base64')}` };
  });
}
