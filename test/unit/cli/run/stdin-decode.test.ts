/**
 * Decoding piped stdin: UTF-16 with a byte-order mark, a UTF-8 BOM, and the byte offset of the first
 * invalid UTF-8 byte (checked against Node's own validator on random bytes).
 */
import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeStdin, firstInvalidUtf8Offset } from '../../../../src/cli/run/stdin-decode.js';

const SAMPLE = 'naïve 東京 🦊 line two\n';

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
}

describe('decodeStdin', () => {
  it('UTF-16LE with a BOM (PowerShell, Notepad "Unicode")', () => {
    expect(decodeStdin(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SAMPLE, 'utf16le')]))).toEqual({
      text: SAMPLE,
    });
  });

  it('UTF-16BE with a BOM', () => {
    expect(decodeStdin(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(SAMPLE)]))).toEqual({ text: SAMPLE });
  });

  it('UTF-16 that is cut (odd byte) or holds a lone surrogate: U+FFFD and a note', () => {
    const odd = decodeStdin(
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ab', 'utf16le'), Buffer.from([0x41])]),
    );
    expect(odd.text).toBe('ab\ufffd');
    expect(odd.note).toMatch(/UTF-16LE.*U\+FFFD/);
    const lone = decodeStdin(Buffer.from([0xff, 0xfe, 0x3d, 0xd8, 0x41, 0x00]));
    expect(lone.text).toBe('\ufffdA');
    expect(lone.note).toContain('UTF-16LE');
  });

  it('a UTF-8 BOM is dropped; clean UTF-8 gives no note', () => {
    expect(decodeStdin(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)]))).toEqual({
      text: SAMPLE,
    });
    expect(decodeStdin(Buffer.from(SAMPLE))).toEqual({ text: SAMPLE });
    expect(decodeStdin(Buffer.alloc(0))).toEqual({ text: '' });
  });

  it('invalid UTF-8: the note gives the offset and value of the first bad byte (BOM counted)', () => {
    const bytes = Buffer.concat([
      Buffer.from('caf'),
      Buffer.from([0xe9]),
      Buffer.from(' au lait '),
      Buffer.from([0xff]),
    ]);
    const r = decodeStdin(bytes);
    expect(r.text).toBe('caf\ufffd au lait \ufffd');
    expect(r.note).toContain('byte offset 3');
    expect(r.note).toContain('0xe9');
    const withBom = decodeStdin(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]));
    expect(withBom.note).toContain('byte offset 6');
  });
});

describe('firstInvalidUtf8Offset', () => {
  it.each([
    ['valid mixed text', Buffer.from(SAMPLE), -1],
    ['a lone continuation byte', Buffer.from([0x61, 0x80, 0x61]), 1],
    ['an overlong two-byte form', Buffer.from([0x61, 0x62, 0xc0, 0xaf]), 2],
    ['an overlong three-byte form', Buffer.from([0xe0, 0x80, 0xaf]), 0],
    ['a UTF-16 surrogate encoded in UTF-8', Buffer.from([0x41, 0xed, 0xa0, 0x80]), 1],
    ['above U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0],
    ['a four-byte sequence cut by the end', Buffer.from([0x41, 0x42, 0xf0, 0x9f, 0xa6]), 2],
    ['a lead byte followed by ASCII', Buffer.from([0x41, 0xe6, 0x41, 0x41]), 1],
    ['0xF5 and above never appear', Buffer.from([0xf5, 0x80, 0x80, 0x80]), 0],
  ])('%s', (_name, bytes, offset) => {
    expect(firstInvalidUtf8Offset(bytes)).toBe(offset);
  });

  it('agrees with Node on validity for random byte strings, and the prefix before the offset is valid', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    const pool = [0x41, 0x0a, 0x80, 0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xe6, 0xed, 0xef, 0xf0, 0xf4, 0xa0, 0x9f, 0x90, 0x8f];
    for (let n = 0; n < 5000; n++) {
      const len = 1 + (rand() % 8);
      const buf = Buffer.from(
        Array.from({ length: len }, () => (rand() % 3 === 0 ? rand() : pool[rand() % pool.length]!)),
      );
      const off = firstInvalidUtf8Offset(buf);
      expect(off === -1, buf.toString('hex')).toBe(isUtf8(buf));
      if (off > 0) expect(isUtf8(buf.subarray(0, off)), buf.toString('hex')).toBe(true);
    }
  });
});
