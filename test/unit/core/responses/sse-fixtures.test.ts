/**
 * The SSE + assembly layer over every recorded fixture (test/fixtures/sse/README.md): each gives
 * its stated outcome, and — property-tested — every two-chunk byte split, every one-byte-per-chunk
 * delivery and CRLF / CR line ends give exactly the same events, outcome and error.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, fixture } from '../../../fakes/backend.js';
import { assembleChunks, chunked, deltaText, splitAt, type Assembled } from '../../../helpers/stream.js';

const SSE_FILES = readdirSync(new URL('sse/', FIXTURES_DIR))
  .filter((f) => f.endsWith('.sse'))
  .sort();

const load = (file: string) => fixture(`sse/${file}`);
const crlf = (buf: Buffer) => Buffer.from(buf.toString('utf8').replace(/\n/g, '\r\n'));
const cr = (buf: Buffer) => Buffer.from(buf.toString('utf8').replace(/\n/g, '\r'));

/** Deterministic PRNG (mulberry32) so a failing split is reproducible. */
function prng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function reasoningText(a: Assembled): string {
  return a.events.map((e) => (e.type === 'reasoning.delta' ? e.delta : '')).join('');
}

describe('fixture outcomes (README table)', () => {
  it('covers every .sse fixture', () => {
    expect(SSE_FILES).toEqual([
      '01-text-answer.sse',
      '02-reasoning-summary-then-text.sse',
      '03-function-call-deltas-empty-output.sse',
      '04-response-failed-context-length.sse',
      '05-response-failed-rate-limit-retry-after.sse',
      '06-error-event.sse',
      '07-incomplete-max-output-tokens.sse',
      '08-truncated-mid-event.sse',
      '09-codex-minimal-fixture.sse',
    ]);
  });

  it('01: three deltas, final text, response id and usage', async () => {
    const a = await assembleChunks([load('01-text-answer.sse')]);
    expect(a.error).toBeUndefined();
    expect(a.events.filter((e) => e.type === 'text.delta').map((e) => (e as { delta: string }).delta)).toEqual([
      'Hello',
      '! How can I ',
      'help you today?',
    ]);
    expect(a.events.filter((e) => e.type === 'message.completed')).toEqual([
      { type: 'message.completed', text: 'Hello! How can I help you today?' },
    ]);
    expect(a.outcome!.responseId).toBe('resp_0a11ce0000000000000000000000000001');
    expect(a.outcome!.usage).toEqual({
      input_tokens: 3012,
      cached_input_tokens: 2944,
      output_tokens: 12,
      reasoning_output_tokens: 0,
      total_tokens: 3024,
    });
    expect(a.outcome!.items.filter((i) => i.type === 'function_call')).toHaveLength(0);
  });

  it('02: two reasoning summary parts, the text, the reasoning item kept with encrypted_content', async () => {
    const a = await assembleChunks([load('02-reasoning-summary-then-text.sse')]);
    expect(a.error).toBeUndefined();
    expect(reasoningText(a)).toBe(
      '**Checking the question**\n\nThe user asks for 2+2; trivial arithmetic.\n\n**Answering**\n\nReply with the number.',
    );
    expect(deltaText(a)).toBe('2 + 2 = 4.');
    expect(a.outcome!.usage).toEqual({
      input_tokens: 2875,
      cached_input_tokens: expect.any(Number),
      output_tokens: 86,
      reasoning_output_tokens: 64,
      total_tokens: 2961,
    });
    const reasoning = a.outcome!.items.find((i) => i.type === 'reasoning')!;
    expect(typeof reasoning.encrypted_content).toBe('string');
    expect(reasoning.summary).toHaveLength(2);
  });

  it('03: exactly one function call from output_item.done, despite output: []', async () => {
    const a = await assembleChunks([load('03-function-call-deltas-empty-output.sse')]);
    expect(a.error).toBeUndefined();
    const calls = a.outcome!.items.filter((i) => i.type === 'function_call');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      name: 'shell_command',
      call_id: 'call_Q7xYz0fakeCallId0003',
      id: 'fc_0a11ce0000000000000000000000000003',
    });
    expect(JSON.parse(calls[0]!.arguments!)).toEqual({ command: 'ls -la', workdir: '/tmp/project' });
    expect(deltaText(a)).toBe('');
    expect(a.outcome!.usage).toMatchObject({
      input_tokens: 4210,
      cached_input_tokens: 4096,
      output_tokens: 31,
      total_tokens: 4241,
    });
  });

  it('04: context_length_exceeded is fatal and not retryable', async () => {
    const a = await assembleChunks([load('04-response-failed-context-length.sse')]);
    expect(a.error).toMatchObject({ code: 'context_length_exceeded', exitClass: 'upstream', retryable: false });
  });

  it('05: rate_limit_exceeded is retryable after 11.054 s', async () => {
    const a = await assembleChunks([load('05-response-failed-rate-limit-retry-after.sse')]);
    expect(a.error).toMatchObject({ code: 'rate_limit_exceeded', retryable: true, retryDelayMs: 11054 });
    expect(a.error!.message).toContain('try again in 11.054s');
  });

  it('06: a top-level error event then EOF is a retryable failure naming server_error', async () => {
    const a = await assembleChunks([load('06-error-event.sse')]);
    expect(a.error).toMatchObject({ code: 'server_error', exitClass: 'upstream', retryable: true });
    expect(a.error!.message).toContain('The server had an error');
  });

  it('07: partial text streamed, then an incomplete-response failure with its reason', async () => {
    const a = await assembleChunks([load('07-incomplete-max-output-tokens.sse')]);
    expect(deltaText(a)).toBe('Here is the first part of a long answer that gets cut');
    expect(a.error).toMatchObject({ code: 'response_incomplete', exitClass: 'upstream' });
    expect(a.error!.message).toContain('max_output_tokens');
  });

  it('08: the half event is never dispatched; EOF without a terminal event fails', async () => {
    const a = await assembleChunks([load('08-truncated-mid-event.sse')]);
    expect(deltaText(a)).toBe('Partial answer');
    expect(a.error).toMatchObject({ code: 'stream_incomplete', exitClass: 'upstream', retryable: true });
  });

  it('09: codex minimal fixture: text without deltas, usage absent (not zero)', async () => {
    const a = await assembleChunks([load('09-codex-minimal-fixture.sse')]);
    expect(a.error).toBeUndefined();
    expect(deltaText(a)).toBe('fixture hello');
    expect(a.outcome!.responseId).toBe('resp1');
    expect(a.outcome!.usage).toBeUndefined();
  });
});

describe('every split point of every fixture gives identical results (B21 property)', () => {
  for (const file of SSE_FILES) {
    it(`${file}: every two-chunk split, LF`, async () => {
      const buf = load(file);
      const reference = await assembleChunks([buf]);
      for (let i = 1; i < buf.length; i++) {
        const got = await assembleChunks(splitAt(buf, i));
        if (JSON.stringify(got) !== JSON.stringify(reference))
          expect({ split: i, got }).toEqual({ split: i, got: reference });
      }
    });

    it(`${file}: CRLF and CR line ends, every two-chunk split of the CRLF body`, async () => {
      const reference = await assembleChunks([load(file)]);
      const body = crlf(load(file));
      expect(await assembleChunks([body])).toEqual(reference);
      expect(await assembleChunks([cr(load(file))])).toEqual(reference);
      for (let i = 1; i < body.length; i++) {
        const got = await assembleChunks(splitAt(body, i));
        if (JSON.stringify(got) !== JSON.stringify(reference))
          expect({ split: i, got }).toEqual({ split: i, got: reference });
      }
    });

    it(`${file}: one byte per chunk, and 200 random three-to-eight-chunk splits`, async () => {
      const buf = load(file);
      const reference = await assembleChunks([buf]);
      expect(await assembleChunks(chunked(buf, 1))).toEqual(reference);
      const rnd = prng(file.length * 7919);
      for (let n = 0; n < 200; n++) {
        const cuts = Array.from(
          { length: 2 + Math.floor(rnd() * 7) },
          () => 1 + Math.floor(rnd() * (buf.length - 1)),
        ).sort((a, b) => a - b);
        const got = await assembleChunks(splitAt(buf, ...cuts));
        if (JSON.stringify(got) !== JSON.stringify(reference)) expect({ cuts, got }).toEqual({ cuts, got: reference });
      }
    });
  }
});
