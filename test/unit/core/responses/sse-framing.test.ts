/**
 * SSE framing cases on the SSE + assembly layer: B21 (events split across
 * reads), B23 (multi-byte UTF-8 split, truncated tail), B24 (keep-alives, empty data, pings, [DONE]).
 */
import { describe, expect, it } from 'vitest';
import { toSse, ev } from '../../../fakes/sse-events.js';
import { assembleChunks, chunked, deltaText, splitAt } from '../../../helpers/stream.js';

const COMPLETED =
  'event: response.completed\ndata: {"type":"response.completed","response":{"id":"r","status":"completed","output":[]}}\n\n';
const B21_BODY = Buffer.from(
  'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"alpha "}\n\n' +
    'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"beta"}\n\n' +
    COMPLETED,
);

describe('B21 SSE event split across network reads', () => {
  const at = (needle: string, offset: number) => B21_BODY.indexOf(needle) + offset;

  it('B21 (1) split inside the JSON type', async () => {
    const a = await assembleChunks(splitAt(B21_BODY, at('"response.outp', '"response.outp'.length)));
    expect(a.error).toBeUndefined();
    expect(deltaText(a)).toBe('alpha beta');
  });

  it('B21 (2) split inside "data:"', async () => {
    const a = await assembleChunks(splitAt(B21_BODY, at('data:', 2)));
    expect(deltaText(a)).toBe('alpha beta');
    expect(a.outcome!.items).toHaveLength(1);
  });

  it('B21 (3) split between the two newlines of a blank line', async () => {
    const a = await assembleChunks(splitAt(B21_BODY, at('}\n\n', 2)));
    expect(deltaText(a)).toBe('alpha beta');
  });

  it('B21 (4) one byte per read', async () => {
    const a = await assembleChunks(chunked(B21_BODY, 1));
    expect(deltaText(a)).toBe('alpha beta');
    expect(a.events.filter((e) => e.type === 'message.completed')).toEqual([
      { type: 'message.completed', text: 'alpha beta' },
    ]);
  });

  it('B21 (5) a 40 KB delta in 1 KB reads arrives intact', async () => {
    const big = Array.from({ length: 40 * 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const body = Buffer.from(toSse([ev.created(), ev.textDelta(big), ev.completed()]));
    const a = await assembleChunks(chunked(body, 1024));
    expect(deltaText(a)).toBe(big);
  });

  it('B21 property: every two-chunk split gives alpha beta and one message', async () => {
    const reference = await assembleChunks([B21_BODY]);
    for (let i = 1; i < B21_BODY.length; i++) {
      const got = await assembleChunks(splitAt(B21_BODY, i));
      if (JSON.stringify(got) !== JSON.stringify(reference)) expect({ i, got }).toEqual({ i, got: reference });
    }
    expect(deltaText(reference)).toBe('alpha beta');
  });

  it('B21 a complete event that is not JSON is a loud upstream error, never skipped', async () => {
    const body = Buffer.from(
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"al\n\n' + COMPLETED,
    );
    const a = await assembleChunks([body]);
    expect(a.error).toMatchObject({ code: 'bad_event_json', exitClass: 'upstream' });
  });
});

describe('B21 events before a malformed one', () => {
  it('B21 are delivered before the error, however the body is split', async () => {
    const body = Buffer.from(
      toSse([ev.created(), ev.textDelta('before ')]) +
        'data: {"type":"response.output_text.delta","delta":"br\n\n' +
        COMPLETED,
    );
    for (const parts of [[body], chunked(body, 1), splitAt(body, body.indexOf('"br') + 1)]) {
      const a = await assembleChunks(parts);
      expect(deltaText(a)).toBe('before ');
      expect(a.error).toMatchObject({ code: 'bad_event_json' });
    }
  });
});

describe('B23 multi-byte UTF-8 split across chunks', () => {
  const TEXT = 'naïve 東京 🦊';
  const body = Buffer.from(toSse([ev.created(), ev.textDelta(TEXT), ev.messageDone(TEXT), ev.completed()]));

  it('B23 one byte per read keeps every character (no U+FFFD)', async () => {
    const a = await assembleChunks(chunked(body, 1));
    expect(a.error).toBeUndefined();
    expect(deltaText(a)).toBe(TEXT);
    expect(JSON.stringify(a)).not.toContain('\uFFFD');
  });

  it('B23 every split point inside the emoji and the CJK characters', async () => {
    const start = body.indexOf(Buffer.from('東'));
    for (let i = start; i < start + 12; i++) {
      const a = await assembleChunks(splitAt(body, i));
      expect(deltaText(a)).toBe(TEXT);
    }
  });

  it('B23 a body ending inside a 4-byte sequence is an incomplete stream, not a replacement character', async () => {
    const head = Buffer.from(
      toSse([ev.created(), ev.textDelta('naïve ')]) +
        'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"',
    );
    const cut = Buffer.concat([head, Buffer.from([0xf0, 0x9f])]);
    for (const parts of [[cut], chunked(cut, 1)]) {
      const a = await assembleChunks(parts);
      expect(deltaText(a)).toBe('naïve ');
      expect(a.error).toMatchObject({ code: 'stream_incomplete', exitClass: 'upstream' });
      expect(JSON.stringify(a)).not.toContain('\uFFFD');
    }
  });

  it('B23 invalid UTF-8 inside a complete event is a loud error', async () => {
    const bad = Buffer.concat([
      Buffer.from('data: {"type":"response.output_text.delta","delta":"a'),
      Buffer.from([0xff]),
      Buffer.from('"}\n\n' + COMPLETED),
    ]);
    const a = await assembleChunks([bad]);
    expect(a.error).toMatchObject({ code: 'bad_utf8', exitClass: 'upstream' });
    expect(deltaText(a)).toBe('');
  });

  it('B23 events completed before invalid bytes are delivered first, however the body is split', async () => {
    const bad = Buffer.concat([
      Buffer.from(
        toSse([ev.created(), ev.textDelta('東京 ')]) + 'data: {"type":"response.output_text.delta","delta":"a',
      ),
      Buffer.from([0xc3, 0x28]), // a lead byte followed by ASCII: invalid
      Buffer.from('"}\n\n' + COMPLETED),
    ]);
    for (let i = 1; i < bad.length; i++) {
      const a = await assembleChunks(splitAt(bad, i));
      if (deltaText(a) !== '東京 ' || a.error?.code !== 'bad_utf8')
        expect({ i, a }).toEqual({ i, a: 'before-then-error' });
    }
  });
});

describe('B24 keep-alive comments, empty data, ping events, [DONE]', () => {
  const B24 =
    ': keepalive\n\n:\n\nretry: 3000\n\nevent: ping\ndata: \n\n' +
    'id: 7\ndata: {"type":"response.output_text.delta","delta":"ok"}\n\n' +
    ': ping 2026-01-01T00:00:00\n\n' +
    COMPLETED +
    'data: [DONE]\n\n';

  it('B24 only "ok" comes out, the response completes, nothing fails', async () => {
    const a = await assembleChunks([Buffer.from(B24)]);
    expect(a.error).toBeUndefined();
    expect(deltaText(a)).toBe('ok');
    expect(a.events.map((e) => e.type)).toEqual(['text.delta', 'message.completed']);
  });

  it('B24 the same for every split point and with CRLF', async () => {
    for (const body of [Buffer.from(B24), Buffer.from(B24.replace(/\n/g, '\r\n'))]) {
      for (let i = 1; i < body.length; i++) {
        const a = await assembleChunks(splitAt(body, i));
        if (a.error || deltaText(a) !== 'ok') expect({ i, a }).toEqual({ i, a: 'ok' });
      }
    }
  });

  it('a leading byte-order mark does not hide the first data line', async () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('data: {"type":"response.output_text.delta","delta":"ok"}\n\n' + COMPLETED),
    ]);
    for (const parts of [[body], chunked(body, 1)]) expect(deltaText(await assembleChunks(parts))).toBe('ok');
  });

  it('B24 unknown event types are ignored', async () => {
    const body = Buffer.from(
      'event: response.something_new\ndata: {"type":"response.something_new","x":1}\n\n' +
        'data: {"type":"response.output_text.delta","delta":"ok"}\n\n' +
        COMPLETED,
    );
    const a = await assembleChunks([body]);
    expect(a.error).toBeUndefined();
    expect(deltaText(a)).toBe('ok');
  });

  it('B19 [DONE] alone does not mean completion', async () => {
    const body = Buffer.from('data: {"type":"response.output_text.delta","delta":"Step 1"}\n\ndata: [DONE]\n\n');
    const a = await assembleChunks([body]);
    expect(deltaText(a)).toBe('Step 1');
    expect(a.error).toMatchObject({ code: 'stream_incomplete' });
  });
});
