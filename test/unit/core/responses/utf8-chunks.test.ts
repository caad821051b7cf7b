/** The strict chunked UTF-8 decoder behind the SSE layer (case B23: a character split between reads). */
import { describe, expect, it } from 'vitest';
import { Utf8ChunkDecoder, completeLength } from '../../../../src/core/responses/utf8-chunks.js';

describe('Utf8ChunkDecoder', () => {
  it('B23 completeLength cuts only an incomplete trailing sequence', () => {
    const fox = Buffer.from('🦊'); // 4 bytes
    expect(completeLength(fox)).toBe(4);
    expect(completeLength(fox.subarray(0, 3))).toBe(0);
    expect(completeLength(Buffer.concat([Buffer.from('ab'), fox.subarray(0, 1)]))).toBe(2);
    expect(completeLength(Buffer.from('abc'))).toBe(3);
    expect(completeLength(Buffer.alloc(0))).toBe(0);
  });

  it('B23 every split of mixed text decodes to the same string, never U+FFFD', () => {
    const text = 'naïve 東京 🦊 done\n';
    const bytes = Buffer.from(text);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const d = new Utf8ChunkDecoder();
        let out = '';
        for (const part of [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]) {
          const r = d.decode(part);
          expect(r.ok).toBe(true);
          if (r.ok) out += r.text;
        }
        expect(d.end()).toBe(false);
        expect(out).toBe(text);
      }
    }
  });

  it('B23 a stream that ends inside a character reports it at end()', () => {
    const d = new Utf8ChunkDecoder();
    expect(d.decode(Buffer.from([0x61, 0xf0, 0x9f]))).toEqual({ ok: true, text: 'a' });
    expect(d.end()).toBe(true);
  });

  it('B23 invalid bytes: reports the valid whole-line prefix', () => {
    const d = new Utf8ChunkDecoder();
    const r = d.decode(
      Buffer.concat([Buffer.from('line one\nline two\npart'), Buffer.from([0xff]), Buffer.from('\nmore\n')]),
    );
    expect(r).toEqual({ ok: false, validText: 'line one\nline two\n' });
    expect(new Utf8ChunkDecoder().decode(Buffer.from([0xff, 0x0a]))).toEqual({ ok: false, validText: '' });
  });

  it('drops a leading byte-order mark, even split, and only at the start', () => {
    const d = new Utf8ChunkDecoder();
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const parts = [
      bom.subarray(0, 2),
      Buffer.concat([bom.subarray(2), Buffer.from('data: x\n')]),
      Buffer.concat([bom, Buffer.from('y')]),
    ];
    expect(parts.map((p) => d.decode(p)).map((r) => (r.ok ? r.text : '!'))).toEqual(['', 'data: x\n', '\uFEFFy']);
  });
});
