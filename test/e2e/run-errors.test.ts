/**
 * errors-http (B12, B13, B15), sse-events (B17, B19, B20), sse-framing end to end (B21, B23),
 * tools (B27) and the retry policy against scripted 429/5xx/401 sequences.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { writeChatGPTCredentials } from '../helpers/tokens.js';
import { ev, textAnswer, toolCall, toSse } from '../fakes/sse-events.js';
import { httpError, rateLimitStep, repeat, usageLimitStep } from '../fakes/faults.js';

const t = useFakeBackend();
const chatgptEnv = () => {
  writeChatGPTCredentials(t.home);
  return { KOLEGA_HOME: t.home, KOLEGA_CHATGPT_BASE_URL: t.fake.chatgptBaseUrl };
};
const texts = (events: Record<string, unknown>[]) =>
  events
    .filter((e) => e.type === 'text.delta')
    .map((e) => e.delta)
    .join('');

describe('errors-http', () => {
  it('B12 ChatGPT backend contract: default and custom instructions both pass the strict fake', async () => {
    t.fake.push({ kind: 'sse', events: textAnswer('one') }, { kind: 'sse', events: textAnswer('two') });
    const env = chatgptEnv();
    const a = await runCli(['run', 'hi'], { env });
    const b = await runCli(['run', '--instructions', 'be terse', 'hi'], { env });
    expect([a.code, a.stdout, b.code, b.stdout]).toEqual([0, 'one\n', 0, 'two\n']);
    expect(t.fake.requests.map((r) => r.status)).toEqual([200, 200]);
    // current ChatGPT models take the instructions as the first developer message, not `instructions`
    const developer = (t.fake.requests[1]!.body.input as Record<string, unknown>[]).find(
      (i) => i.type === 'message' && i.role === 'developer',
    );
    expect(developer).toEqual({
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: 'be terse' }],
    });
    expect(t.fake.requests[1]!.body).not.toHaveProperty('instructions');
    for (const r of t.fake.requests) expect(r.body).toMatchObject({ store: false, stream: true });
  });

  it('B12 a 400 from the backend anyway: detail on stderr, exactly one request', async () => {
    t.fake.push(httpError(400, { detail: 'Store must be set to false' }));
    const r = await runCli(['run', 'hi'], { env: chatgptEnv() });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Store must be set to false');
    expect(t.fake.requests).toHaveLength(1);
  });

  it('B13 --max-output-tokens: dropped with one warning on ChatGPT, sent on the API; a forced 400 fails fast', async () => {
    t.fake.push({ kind: 'sse', events: textAnswer('chat') });
    const chat = await runCli(['run', '--max-output-tokens', '64', 'hi'], { env: chatgptEnv() });
    expect(chat.code).toBe(0);
    expect(chat.stderr.match(/max-output-tokens/g)).toHaveLength(1);
    expect(t.fake.requests[0]!.body).not.toHaveProperty('max_output_tokens');

    t.fake.push({ kind: 'sse', events: textAnswer('api') });
    const api = await runCli(['run', '-m', 'openai/gpt-5.5', '--max-output-tokens', '64', 'hi'], {
      env: t.env({ KOLEGA_CHATGPT_BASE_URL: t.fake.chatgptBaseUrl }),
    });
    expect(api.code).toBe(0);
    expect(t.fake.requests[1]!.body.max_output_tokens).toBe(64);

    t.fake.push(httpError(400, { detail: 'Unsupported parameter: max_output_tokens' }));
    const t0 = Date.now();
    const forced = await runCli(['run', '-m', 'openai/gpt-5.5', 'hi'], {
      env: t.env({ KOLEGA_CHATGPT_BASE_URL: t.fake.chatgptBaseUrl }),
    });
    expect(forced.code).toBe(5);
    expect(t0 + forced.ms - t.fake.requests[2]!.receivedAt!).toBeLessThan(2000); // no backoff after a 400
    expect(t.fake.requests).toHaveLength(3);
  });

  it('B15 (a) 429 usage_limit_reached with x-codex headers: one request, plan, local and relative reset, resets_at, exit 4', async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 13872;
    t.fake.push(
      usageLimitStep({
        plan: 'plus',
        resetsAt,
        resetsInSeconds: 13872,
        headers: { 'x-codex-primary-used-percent': '100', 'x-codex-primary-reset-at': String(resetsAt) },
      }),
    );
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(4);
    expect(t.fake.requests).toHaveLength(1);
    expect(r.stderr).toMatch(/plus plan\); resets at (\d{4}-\d\d-\d\d )?\d\d:\d\d, in 3h 51m/);
    expect(parseEvents(r.stdout).at(-1)).toMatchObject({
      type: 'turn.failed',
      error: { code: 'usage_limit_reached', resets_at: resetsAt },
    });
  });

  it('B15 (b) the same on a free plan', async () => {
    t.fake.push(usageLimitStep({ plan: 'free', resetsInSeconds: 600 }));
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('free plan');
    expect(t.fake.requests).toHaveLength(1);
  });

  it('B15 (c) 429 rate_limit_exceeded with retry-after: 2 -> waits about 2 s, retries, succeeds', async () => {
    t.fake.push(rateLimitStep({ seconds: 2 }), { kind: 'sse', events: textAnswer('hello') });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', attempt: 1, delay_ms: 2000, reason: expect.stringContaining('429') },
    ]);
    const gap = t.fake.requests[1]!.receivedAt! - t.fake.requests[0]!.receivedAt!;
    expect(gap).toBeGreaterThanOrEqual(1900);
    expect(texts(events)).toBe('hello');
  });

  it('429 with a retry-after beyond the cap fails at once with exit 4', async () => {
    t.fake.push(rateLimitStep({ seconds: 3600 }));
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.code).toBe(4);
    expect(t.fake.requests).toHaveLength(1);
  });
});

describe('retry sequences', () => {
  it('5xx twice (retry-after-ms honoured) then success: two retry events, one stderr line each, exit 0', async () => {
    t.fake.push(httpError(500, { detail: 'a' }, { 'retry-after-ms': '50' }), httpError(502, 'bad gateway'), {
      kind: 'sse',
      events: textAnswer('third time'),
    });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    const retries = parseEvents(r.stdout).filter((e) => e.type === 'retry');
    expect(retries.map((e) => e.attempt)).toEqual([1, 2]);
    expect(retries[0]!.delay_ms).toBe(50);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(t.fake.requests).toHaveLength(3);
  });

  it('5xx every time: 1 + 4 retries, then exit 5', async () => {
    t.fake.push(...repeat(httpError(500, { detail: 'down' }), 5));
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    expect(t.fake.requests).toHaveLength(5);
    expect(r.stderr.trim().split('\n').at(-1)).toContain('down');
  });

  it('a reset before any output is retried; a stream cut after output is never replayed', async () => {
    t.fake.push({ kind: 'reset' }, { kind: 'sse', events: textAnswer('fresh') });
    const a = await runCli(['run', 'hi'], { env: t.env() });
    expect([a.code, a.stdout]).toEqual([0, 'fresh\n']);
    t.fake.push(
      { kind: 'sse', events: [ev.created(), ev.textDelta('shown')] },
      { kind: 'sse', events: textAnswer('DUPLICATE') },
    );
    const b = await runCli(['run', 'hi'], { env: t.env() });
    expect(b.code).toBe(5);
    expect(b.stdout).toBe('shown\n');
    expect(t.fake.requests).toHaveLength(3);
  });

  it('401 on the second request of a turn (after a tool call): exit 3, not retried', async () => {
    t.fake.push(
      { kind: 'sse', events: toolCall('c1', 'list_dir', { path: '.' }) },
      httpError(401, { error: { message: 'revoked' } }),
    );
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(3);
    expect(t.fake.requests).toHaveLength(2);
    expect(parseEvents(r.stdout).at(-1)).toMatchObject({ type: 'turn.failed', error: { http_status: 401 } });
  });

  it('a failure on the second request after a tool ran is retried (that request showed nothing)', async () => {
    t.fake.push({ kind: 'sse', events: toolCall('c1', 'list_dir', { path: '.' }) }, httpError(503, 'busy'), {
      kind: 'sse',
      events: textAnswer('ok'),
    });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'tool.result')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'turn.completed', requests: 3, tool_calls: 1 });
  });
});

describe('sse-events', () => {
  it('B17 context_length_exceeded inside a 200 stream, 3 MB prompt on stdin: one request, exit 5, code and size named', async () => {
    t.fake.push({
      kind: 'sse',
      events:
        'event: response.created\ndata: {"type":"response.created","response":{"id":"r2"}}\n\n' +
        'event: response.failed\ndata: {"type":"response.failed","response":{"id":"r2","status":"failed","error":{"code":"context_length_exceeded","message":"(fixture) too long"}}}\n\n',
    });
    const r = await runCli(['run', '--json', '-'], { env: t.env(), stdin: 'a'.repeat(3_000_000) });
    expect(r.code).toBe(5);
    expect(t.fake.requests).toHaveLength(1);
    expect(r.stderr).toContain('context_length_exceeded');
    expect(r.stderr).toMatch(/2\.9 MiB|3\.0 MiB/);
    expect(parseEvents(r.stdout).at(-1)).toMatchObject({
      type: 'turn.failed',
      error: { code: 'context_length_exceeded' },
    });
  });

  it('B19 clean EOF without response.completed (with and without [DONE]): partial text, exit 5, last line a failure', async () => {
    const body =
      'event: response.created\ndata: {"type":"response.created","response":{"id":"r"}}\n\n' +
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"Step 1"}\n\n' +
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"\\nStep 2"}\n\n';
    t.fake.push({ kind: 'sse', events: body }, { kind: 'sse', events: body + 'data: [DONE]\n\n' });
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
      expect(r.code).toBe(5);
      expect(r.stderr).toContain('closed before response.completed');
      const events = parseEvents(r.stdout);
      expect(texts(events)).toBe('Step 1\nStep 2');
      expect(events.at(-1)!.type).toBe('turn.failed');
    }
    expect(t.fake.requests).toHaveLength(2);
  });

  it('B20 completed with output: [] -> "Hi", exit 0; variant: a call only in output_item.done still runs', async () => {
    const b20 =
      'event: response.created\ndata: {"type":"response.created","response":{"id":"r3"}}\n\n' +
      'event: response.output_item.added\ndata: {"type":"response.output_item.added","item":{"type":"message","id":"m1","role":"assistant","content":[]}}\n\n' +
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"m1","delta":"Hi"}\n\n' +
      'event: response.output_text.done\ndata: {"type":"response.output_text.done","item_id":"m1","text":"Hi"}\n\n' +
      'event: response.output_item.done\ndata: {"type":"response.output_item.done","item":{"type":"message","id":"m1","content":[{"type":"output_text","text":"Hi"}]}}\n\n' +
      'event: response.completed\ndata: {"type":"response.completed","response":{"id":"r3","status":"completed","output":[],"usage":{"input_tokens":5,"output_tokens":1}}}\n\n';
    t.fake.push({ kind: 'sse', events: b20 });
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'Hi\n', '']);

    t.fake.push(
      {
        kind: 'sse',
        events: [
          ev.created(),
          {
            type: 'response.output_item.done',
            item: { type: 'function_call', id: 'fc9', name: 'list_dir', arguments: '{"path":"."}', call_id: 'call_9' },
          },
          ev.completed(),
        ],
      },
      { kind: 'sse', events: textAnswer('listed') },
    );
    const v = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(v.code).toBe(0);
    expect(parseEvents(v.stdout).find((e) => e.type === 'tool.result')).toMatchObject({
      call_id: 'call_9',
      status: 'ok',
    });
  });
});

describe('sse-framing end to end', () => {
  const body = Buffer.from(
    'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"alpha "}\n\n' +
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"beta"}\n\n' +
      'event: response.completed\ndata: {"type":"response.completed","response":{"id":"r","status":"completed","output":[]}}\n\n',
  );
  const raw = body.toString('utf8');

  it('B21 deliveries (1) inside the type, (2) inside data:, (3) between the LFs, (4) one byte per write', async () => {
    t.fake.push(
      { kind: 'sse', events: raw, splitAt: [body.indexOf('"response.outp') + 14], delayMs: 30 },
      { kind: 'sse', events: raw, splitAt: [body.indexOf('data:') + 2], delayMs: 30 },
      { kind: 'sse', events: raw, splitAt: [body.indexOf('}\n\n') + 2], delayMs: 30 },
      { kind: 'sse', events: raw, chunkBytes: 1 },
    );
    for (let i = 0; i < 4; i++) {
      const r = await runCli(['run', 'hi'], { env: t.env() });
      expect([r.code, r.stdout, r.stderr]).toEqual([0, 'alpha beta\n', '']);
    }
  });

  it('B21 a complete event that is not JSON: loud exit 5 after the text shown so far, never a silent skip', async () => {
    t.fake.push({
      kind: 'sse',
      events:
        toSse([ev.created(), ev.textDelta('before ')]) +
        'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"br\n\n' +
        toSse([ev.completed()]),
    });
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('before \n');
    expect(r.stderr).toContain('not JSON');
    expect(t.fake.requests).toHaveLength(1);
  });

  it('B21 (5) a 40 KB delta in 1 KB writes 5 ms apart arrives intact', async () => {
    const big = Array.from({ length: 40 * 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    t.fake.push({
      kind: 'sse',
      events: [ev.created(), ev.textDelta(big), ev.completed()],
      chunkBytes: 1024,
      delayMs: 5,
    });
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(big + '\n');
  });

  it('B23 "naïve 東京 🦊" one byte per write: exact UTF-8 bytes on stdout, no EF BF BD', async () => {
    const text = 'naïve 東京 🦊';
    t.fake.push({
      kind: 'sse',
      events: [ev.created(), ev.textDelta(text), ev.messageDone(text), ev.completed()],
      chunkBytes: 1,
    });
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    expect(Buffer.from(r.stdout)).toEqual(Buffer.from(text + '\n', 'utf8'));
    expect(Buffer.from(r.stdout).includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
  });

  it('B23 a body ending inside a 4-byte sequence: incomplete-stream failure (B19), no replacement character', async () => {
    const head =
      toSse([ev.created(), ev.textDelta('naïve ')]) +
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"';
    t.fake.push({
      kind: 'sse',
      events: Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from([0xf0, 0x9f])]),
      chunkBytes: 1,
    });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    const events = parseEvents(r.stdout);
    expect(texts(events)).toBe('naïve ');
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'stream_incomplete' } });
    expect(Buffer.from(r.stdout + r.stderr).includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
    expect(t.fake.requests).toHaveLength(1); // text was shown: never replayed
  });
});

describe('B27 parallel function calls in one response', () => {
  it('B27 each tool runs once, results matched by call_id, both outputs sent back, one failing', async () => {
    t.fake.push(
      {
        kind: 'sse',
        events: [
          ev.created(),
          ev.callAdded('call_a', 'get_time', 'fc_a'),
          ev.callAdded('call_b', 'read_file', 'fc_b'),
          ev.callArgsDelta('{"path":"package.json"}', 'fc_b'),
          ev.callArgsDelta('{}', 'fc_a'),
          ev.callDone('call_b', 'read_file', '{"path":"package.json"}', 'fc_b'),
          ev.callDone('call_a', 'get_time', '{}', 'fc_a'),
          ev.completed(),
        ],
      },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    const calls = events.filter((e) => e.type === 'tool.call').map((e) => e.call_id);
    const results = events.filter((e) => e.type === 'tool.result');
    expect(calls.sort()).toEqual(['call_a', 'call_b']);
    expect(results.map((e) => e.call_id).sort()).toEqual(['call_a', 'call_b']);
    expect(results.find((e) => e.call_id === 'call_b')).toMatchObject({
      name: 'read_file',
      status: 'ok',
      output: expect.stringContaining('"name": "kolega"'),
    });
    expect(results.find((e) => e.call_id === 'call_a')).toMatchObject({ name: 'get_time', status: 'error' });
    const input = t.fake.requests[1]!.body.input as Record<string, unknown>[];
    expect(
      input
        .filter((i) => i.type === 'function_call')
        .map((i) => i.call_id)
        .sort(),
    ).toEqual(['call_a', 'call_b']);
    const outputs = input.filter((i) => i.type === 'function_call_output');
    expect(outputs.map((i) => i.call_id).sort()).toEqual(['call_a', 'call_b']);
    expect(outputs.find((i) => i.call_id === 'call_b')!.output).toContain('"name": "kolega"');
    expect(outputs.find((i) => i.call_id === 'call_a')!.output).toContain('unknown tool');
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'turn.completed', final_text: 'done', tool_calls: 2 });
  });
});
