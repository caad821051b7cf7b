/**
 * Decoding the bytes of a piped prompt. Text editors and shells on Windows (PowerShell's `>` and
 * `Out-File`, Notepad's "Unicode") write UTF-16 with a byte-order mark; read as UTF-8 that text
 * becomes NUL-riddled garbage. So a BOM decides: UTF-8 (EF BB BF), UTF-16LE (FF FE) or UTF-16BE
 * (FE FF), per the Unicode Standard section 23.8 and https://encoding.spec.whatwg.org/#decode.
 * Without a BOM the bytes are UTF-8; invalid bytes are replaced with U+FFFD and the note gives the
 * byte offset of the first one, so the user can find it.
 */

/** Decoded text plus a note for stderr when something was replaced. */
export interface DecodedInput {
  text: string;
  /** One line for stderr, or undefined when the input decoded cleanly. */
  note?: string;
}

/**
 * The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or -1 when `buf` is valid. A sequence cut
 * by the end of `buf` is reported at its lead byte.
 */
export function firstInvalidUtf8Offset(buf: Uint8Array): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + need >= n) return i; // cut by the end
    const second = buf[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const c = buf[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Decodes UTF-16 (after its BOM); an odd trailing byte or a lone surrogate becomes U+FFFD with a note. */
function decodeUtf16(body: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): DecodedInput {
  const label = encoding === 'utf-16le' ? 'UTF-16LE' : 'UTF-16BE';
  try {
    return { text: new TextDecoder(encoding, { fatal: true }).decode(body) };
  } catch {
    return {
      text: new TextDecoder(encoding).decode(body),
      note: `stdin is ${label} (byte-order mark) but not well-formed (a lone surrogate or an odd byte at the end); those were replaced with U+FFFD`,
    };
  }
}

/**
 * Decodes piped stdin.
 * @returns the text (without a BOM) and a note when bytes had to be replaced
 */
export function decodeStdin(buf: Uint8Array): DecodedInput {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return decodeUtf16(buf.subarray(2), 'utf-16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return decodeUtf16(buf.subarray(2), 'utf-16be');
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const body = buf.subarray(bom);
  const bad = firstInvalidUtf8Offset(body);
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  if (bad < 0) return { text };
  const offset = bad + bom;
  return {
    text,
    note: `stdin is not valid UTF-8 (first invalid byte 0x${buf[offset]!.toString(16).padStart(2, '0')} at byte offset ${offset}); invalid bytes were replaced with U+FFFD`,
  };
}
