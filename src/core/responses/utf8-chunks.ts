/**
 * Strict UTF-8 decoding of a byte stream that may be cut anywhere, even inside a character
 * (network reads split text anywhere): a character split across chunks is carried to the next chunk, never replaced
 * by U+FFFD; invalid bytes are reported with how much text before them was valid, so the events that
 * completed before them can still be delivered.
 */
import { isUtf8 } from 'node:buffer';

/** The outcome of decoding one chunk. */
export type DecodedChunk =
  | { ok: true; text: string }
  /** `validText` is the longest prefix ending in a line feed that is valid UTF-8 (maybe empty). */
  | { ok: false; validText: string };

/** Length of `buf` without a trailing, incomplete multi-byte sequence (at most 3 bytes cut off). */
export function completeLength(buf: Uint8Array): number {
  const len = buf.length;
  for (let i = len - 1; i >= 0 && i >= len - 4; i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return len - i < need ? i : len;
  }
  return len; // only continuation bytes at the end: invalid, let validation report it
}

/** A decoder for one stream; feed chunks in order, then call `end`. */
export class Utf8ChunkDecoder {
  private carry: Buffer = Buffer.alloc(0);
  /** Whether the start of the stream (where a byte-order mark may sit) was decoded yet. */
  private started = false;

  /** Decodes `chunk` (plus bytes carried from the previous one); a leading BOM is dropped, as TextDecoder does. */
  decode(chunk: Uint8Array): DecodedChunk {
    const buf =
      this.carry.length > 0
        ? Buffer.concat([this.carry, chunk])
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const cut = completeLength(buf);
    const head = buf.subarray(0, cut);
    this.carry = Buffer.from(buf.subarray(cut));
    if (!isUtf8(head)) return { ok: false, validText: this.stripBom(validLinesPrefix(head)) };
    return { ok: true, text: this.stripBom(head.toString('utf8')) };
  }

  private stripBom(text: string): string {
    if (this.started || text === '') return text;
    this.started = true;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /** True when the stream ended inside a character (the bytes carried are dropped). */
  end(): boolean {
    const cutInside = this.carry.length > 0;
    this.carry = Buffer.alloc(0);
    return cutInside;
  }
}

/** The longest prefix of `buf` that ends in `\n` and is valid UTF-8, as text (binary search: validity is monotonic). */
function validLinesPrefix(buf: Buffer): string {
  const ends: number[] = [];
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) ends.push(i + 1);
  let lo = 0;
  let hi = ends.length - 1;
  let best = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (isUtf8(buf.subarray(0, ends[mid]))) {
      best = ends[mid]!;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return buf.subarray(0, best).toString('utf8');
}
