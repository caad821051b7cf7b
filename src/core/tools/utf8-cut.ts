/**
 * Cutting UTF-8 text on character boundaries, so that shortening tool output never produces
 * U+FFFD replacement characters from a split multi-byte sequence (UTF-8 layout: RFC 3629 §3;
 * continuation bytes are 0b10xxxxxx). grep's worker does the same for UTF-16 surrogate pairs.
 */

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) === 0xc0) return 2;
  if ((lead & 0xf0) === 0xe0) return 3;
  if ((lead & 0xf8) === 0xf0) return 4;
  return 1; // not a lead byte: invalid input, left as it is
}

/** `buf` without a multi-byte character that is cut off at its end. */
export function utf8Complete(buf: Buffer): Buffer {
  // A character is at most 4 bytes long: look back over at most 3 continuation bytes.
  for (let i = buf.length - 1; i >= 0 && i >= buf.length - 4; i--) {
    if (isContinuation(buf[i])) continue;
    return i + sequenceLength(buf[i]!) > buf.length ? buf.subarray(0, i) : buf;
  }
  return buf;
}

/**
 * The longest prefix of `buf` of at most `maxBytes` bytes that does not end inside a character.
 * @param maxBytes non-negative byte count
 */
export function utf8Prefix(buf: Buffer, maxBytes: number): Buffer {
  if (buf.length <= maxBytes) return buf;
  return utf8Complete(buf.subarray(0, Math.max(0, maxBytes)));
}

/**
 * The longest suffix of `buf` of at most `maxBytes` bytes that does not start inside a character.
 * @param maxBytes non-negative byte count
 */
export function utf8Suffix(buf: Buffer, maxBytes: number): Buffer {
  if (buf.length <= maxBytes) return buf;
  let start = buf.length - Math.max(0, maxBytes);
  for (let i = 0; i < 3 && start < buf.length && isContinuation(buf[start]); i++) start++;
  return buf.subarray(start);
}

/**
 * `text` shortened to at most `maxBytes` bytes of UTF-8, on a character boundary.
 * @returns the (possibly unchanged) text and how many bytes were left out
 */
export function cutUtf8(text: string, maxBytes: number): { text: string; omittedBytes: number } {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return { text, omittedBytes: 0 };
  const kept = utf8Prefix(buf, maxBytes);
  return { text: kept.toString('utf8'), omittedBytes: buf.length - kept.length };
}
