/**
 * Every recorded fixture (test/fixtures/sse/README.md) through the real binary against the fake:
 * each gives the outcome its README states; a few byte splits and CRLF end to end.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { textAnswer } from '../fakes/sse-events.js';
import { fixture } from '../fakes/backend.js';

const t = useFakeBackend();

const types = (events: Record<string, unknown>[]) => events.map((e) => e.type);
const texts = (events: Record<string, unknown>[]) =>
  events
    .filter((e) => e.type === 'text.delta')
    .map((e) => e.delta)
    .join('');

describe('fixtures end to end', () => {
  it('01 text answer: streamed text, usage, exit 0', async () => {
    t.fake.push({ kind: 'fixture', file: '01-text-answer.sse' });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'text.delta').map((e) => e.delta)).toEqual([
      'Hello',
      '! How can I ',
      'help you today?',
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'turn.completed',
      final_text: 'Hello! How can I help you today?',
      tool_calls: 0,
      usage: {
        input_tokens: 3012,
        cached_input_tokens: 2944,
        output_tokens: 12,
        reasoning_output_tokens: 0,
        total_tokens: 3024,
      },
    });
  });

  it('02 reasoning then text: reasoning deltas, final text, reasoning item echoed on the next request', async () => {
    t.fake.push({ kind: 'fixture', file: '02-reasoning-summary-then-text.sse' });
    const r = await runCli(['run', '--json', 'what is 2+2'], { env: t.env() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(
      events
        .filter((e) => e.type === 'reasoning.delta')
        .map((e) => e.delta)
        .join(''),
    ).toContain('**Answering**');
    expect(events.at(-1)).toMatchObject({
      final_text: '2 + 2 = 4.',
      usage: { input_tokens: 2875, output_tokens: 86, reasoning_output_tokens: 64, total_tokens: 2961 },
    });
  });

  it('02 text mode: only the answer on stdout; reasoning on stderr with --verbose', async () => {
    t.fake.push(
      { kind: 'fixture', file: '02-reasoning-summary-then-text.sse' },
      { kind: 'fixture', file: '02-reasoning-summary-then-text.sse' },
    );
    const quiet = await runCli(['run', 'q'], { env: t.env() });
    expect(quiet.stdout).toBe('2 + 2 = 4.\n');
    expect(quiet.stderr).toBe('');
    const verbose = await runCli(['run', '--verbose', 'q'], { env: t.env() });
    expect(verbose.stdout).toBe('2 + 2 = 4.\n');
    expect(verbose.stderr).toContain('Checking the question');
  });

  it('03 function call with output: []: the call runs once and its output is sent back with the same call_id', async () => {
    t.fake.push(
      { kind: 'fixture', file: '03-function-call-deltas-empty-output.sse' },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', 'list'], { env: t.env() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    const calls = events.filter((e) => e.type === 'tool.call');
    expect(calls).toEqual([
      {
        type: 'tool.call',
        call_id: 'call_Q7xYz0fakeCallId0003',
        name: 'shell_command',
        arguments: { command: 'ls -la', workdir: '/tmp/project' },
      },
    ]);
    expect(events.filter((e) => e.type === 'tool.result')).toHaveLength(1);
    const input = t.fake.requests[1]!.body.input as Record<string, unknown>[];
    expect(input.filter((i) => i.type === 'function_call')).toEqual([
      {
        type: 'function_call',
        name: 'shell_command',
        arguments: '{"command":"ls -la","workdir":"/tmp/project"}',
        call_id: 'call_Q7xYz0fakeCallId0003',
      },
    ]);
    expect(input.filter((i) => i.type === 'function_call_output').map((i) => i.call_id)).toEqual([
      'call_Q7xYz0fakeCallId0003',
    ]);
  });

  it('04 context_length_exceeded: exit 5, one request, code in turn.failed', async () => {
    t.fake.push({ kind: 'fixture', file: '04-response-failed-context-length.sse' });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    expect(t.fake.requests).toHaveLength(1);
    expect(parseEvents(r.stdout).at(-1)).toMatchObject({
      type: 'turn.failed',
      error: { code: 'context_length_exceeded' },
    });
    expect(r.stderr).toContain('context_length_exceeded');
  });

  it('05 rate_limit_exceeded: a retry that waits the suggested 11.054 s (cut short here by --timeout)', async () => {
    t.fake.push(
      { kind: 'fixture', file: '05-response-failed-rate-limit-retry-after.sse' },
      { kind: 'sse', events: textAnswer('late') },
    );
    const r = await runCli(['run', '--json', '--timeout', '4', 'hi'], { env: t.env() });
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', attempt: 1, delay_ms: 11054, reason: expect.stringContaining('try again in 11.054s') },
    ]);
    expect(r.stderr).toMatch(/retrying in 11054 ms \(attempt 1\)/);
    expect(t.fake.requests).toHaveLength(1);
    expect(r.code).toBe(6);
    expect(events.at(-1)).toMatchObject({
      type: 'turn.failed',
      error: { code: 'timeout', message: expect.stringContaining('while waiting to retry') },
    });
  });

  it('06 error event then EOF: retried, and the retry succeeds', async () => {
    t.fake.push({ kind: 'fixture', file: '06-error-event.sse' }, { kind: 'sse', events: textAnswer('recovered') });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(types(events)).toContain('retry');
    expect(events.find((e) => e.type === 'retry')!.reason).toContain('server_error');
    expect(texts(events)).toBe('recovered');
    expect(t.fake.requests).toHaveLength(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('07 incomplete: partial text shown, exit 5 naming max_output_tokens, not replayed', async () => {
    t.fake.push({ kind: 'fixture', file: '07-incomplete-max-output-tokens.sse' });
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.stdout).toBe('Here is the first part of a long answer that gets cut\n');
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('max_output_tokens');
    expect(t.fake.requests).toHaveLength(1);
  });

  it('08 truncated mid-event: deltas shown, the half event dropped, exit 5, not replayed', async () => {
    t.fake.push({ kind: 'fixture', file: '08-truncated-mid-event.sse' });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    const events = parseEvents(r.stdout);
    expect(texts(events)).toBe('Partial answer');
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'stream_incomplete' } });
    expect(r.stderr).toContain('before response.completed');
    expect(t.fake.requests).toHaveLength(1);
  });

  it('09 codex minimal fixture: final text without deltas, usage absent counts as zero', async () => {
    t.fake.push({ kind: 'fixture', file: '09-codex-minimal-fixture.sse' });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events.at(-1)).toMatchObject({ final_text: 'fixture hello', usage: { input_tokens: 0, total_tokens: 0 } });
  });

  it('10 429 usage limit: exit 4, plan and reset time on stderr, resets_at in NDJSON, one request', async () => {
    t.fake.push({ kind: 'fixture', file: '10-http-429-usage-limit.http' });
    const r = await runCli(['run', '--json', 'hi'], { env: t.env({ TZ: 'UTC' }) });
    expect(r.code).toBe(4);
    expect(t.fake.requests).toHaveLength(1);
    expect(r.stderr).toContain('plus plan');
    expect(r.stderr).toMatch(/resets at (\d{4}-\d\d-\d\d )?\d\d:\d\d, in 3h 51m/);
    expect(r.stderr).toContain('5h window 100% used');
    const last = parseEvents(r.stdout).at(-1)!;
    expect(last).toMatchObject({
      type: 'turn.failed',
      error: { code: 'usage_limit_reached', http_status: 429, resets_at: 1777936568, retry_after_seconds: 13872 },
    });
    expect(parseEvents(r.stdout).some((e) => e.type === 'retry')).toBe(false);
  });

  it('11 400 detail: exit 5 showing the detail, exactly one request', async () => {
    t.fake.push({ kind: 'fixture', file: '11-http-400-detail.http' });
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Unsupported parameter: max_output_tokens');
    expect(r.stdout).toBe('');
    expect(t.fake.requests).toHaveLength(1);
  });
});

describe('byte splits end to end', () => {
  it('01 one byte per write, 03 one byte per write, 01 CRLF in 7-byte writes: same answers', async () => {
    t.fake.push(
      { kind: 'fixture', file: '01-text-answer.sse', chunkBytes: 1 },
      { kind: 'fixture', file: '01-text-answer.sse', crlf: true, chunkBytes: 7 },
    );
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['run', 'hi'], { env: t.env() });
      expect(r.stdout).toBe('Hello! How can I help you today?\n');
      expect(r.code).toBe(0);
    }
    t.fake.push(
      { kind: 'fixture', file: '03-function-call-deltas-empty-output.sse', chunkBytes: 1 },
      { kind: 'sse', events: textAnswer('ok') },
    );
    const r = await runCli(['run', '--json', 'hi'], { env: t.env() });
    expect(parseEvents(r.stdout).find((e) => e.type === 'tool.call')).toMatchObject({
      call_id: 'call_Q7xYz0fakeCallId0003',
    });
  });

  it('01 split at a handful of awkward offsets (inside data:, inside JSON, between the blank-line LFs)', async () => {
    const buf = fixture('sse/01-text-answer.sse');
    const offsets = [buf.indexOf('data:') + 2, buf.indexOf('"delta"') + 3, buf.indexOf('}\n\n') + 2, buf.length - 1];
    t.fake.push({ kind: 'fixture', file: '01-text-answer.sse', splitAt: offsets, delayMs: 20 });
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.stdout).toBe('Hello! How can I help you today?\n');
    expect(r.code).toBe(0);
  });
});
