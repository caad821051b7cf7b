/**
 * runTurn in-process (src/core/turn.ts): a provider aimed at the strict fake backend on 127.0.0.1,
 * the built-in tools in a scratch workspace, the events collected from the sink. Covers the tool
 * round trip, denied and invalid calls, the retry policy as the turn applies it, and how failures
 * end the turn (one `turn.failed`, never a throw).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KolegaError } from '../../../src/core/errors.js';
import type { TurnEvent } from '../../../src/core/events.js';
import { startFakeBackend, type FakeBackend, type RecordedRequest, type Step } from '../../fakes/backend.js';
import { httpError, rateLimitStep, usageLimitStep } from '../../fakes/faults.js';
import { ev, textAnswer, toolCall } from '../../fakes/sse-events.js';
import { collectTurn, fakeProvider, turnOptions, workspace, type Workspace } from '../../helpers/in-process.js';

let fake: FakeBackend;
let ws: Workspace;
beforeEach(async () => {
  fake = await startFakeBackend();
  ws = workspace();
});
afterEach(async () => {
  await fake.close();
  ws.cleanup();
});

const types = (events: TurnEvent[]) => events.map((e) => e.type);
const sse = (events: ReturnType<typeof textAnswer>): Step => ({ kind: 'sse', events });
const input = (r: RecordedRequest) => r.body.input as Record<string, unknown>[];
const failed = (events: TurnEvent[]) => {
  const last = events.at(-1);
  if (last?.type !== 'turn.failed') throw new Error(`the turn did not fail: ${JSON.stringify(last)}`);
  return last.error;
};

describe('tool round trip', () => {
  it('runs the call, reports it, and sends its output back with the whole conversation', async () => {
    writeFileSync(path.join(ws.root, 'notes.txt'), 'alpha\nbeta\n');
    fake.push(sse(toolCall('call_1', 'read_file', { path: 'notes.txt' })), sse(textAnswer('It says alpha and beta.')));
    const { result, events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root));

    expect(result).toMatchObject({
      status: 'completed',
      finalText: 'It says alpha and beta.',
      requests: 2,
      toolCalls: 1,
    });
    expect(types(events)).toEqual([
      'turn.started',
      'tool.call',
      'tool.result',
      'text.delta',
      'text.delta',
      'text.delta',
      'message.completed',
      'turn.completed',
    ]);
    expect(events[1]).toEqual({
      type: 'tool.call',
      call_id: 'call_1',
      name: 'read_file',
      arguments: { path: 'notes.txt' },
    });
    const toolResult = events[2] as Extract<TurnEvent, { type: 'tool.result' }>;
    expect(toolResult).toMatchObject({ call_id: 'call_1', name: 'read_file', status: 'ok' });
    expect(toolResult.output).toContain('alpha');

    const [first, second] = fake.requests;
    expect(input(first!)).toHaveLength(1);
    const replay = input(second!);
    expect(replay[0]).toEqual(input(first!)[0]);
    const call = replay.find((i) => i.type === 'function_call');
    const output = replay.find((i) => i.type === 'function_call_output');
    expect(call).toMatchObject({ call_id: 'call_1', name: 'read_file', arguments: '{"path":"notes.txt"}' });
    expect(call).not.toHaveProperty('id');
    expect(output).toEqual({ type: 'function_call_output', call_id: 'call_1', output: toolResult.output });
    // Usage is summed over both requests (each completed event reports 10 in, 5 out).
    expect(events.at(-1)).toMatchObject({
      type: 'turn.completed',
      requests: 2,
      tool_calls: 1,
      usage: { input_tokens: 20, output_tokens: 10 },
    });
  });

  it('denies a tool above the sandbox level and tells the model why, then goes on', async () => {
    fake.push(
      sse(toolCall('call_w', 'write_file', { path: 'x.txt', content: 'x' })),
      sse(textAnswer('I could not write.')),
    );
    const { result, events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root, { sandbox: 'read-only' }));
    expect(result.status).toBe('completed');
    const denied = events.find((e) => e.type === 'tool.result') as Extract<TurnEvent, { type: 'tool.result' }>;
    expect(denied.status).toBe('denied');
    expect(denied.output).toMatch(/--sandbox workspace-write/);
    expect(input(fake.requests[1]!).find((i) => i.type === 'function_call_output')).toMatchObject({
      call_id: 'call_w',
      output: denied.output,
    });
  });

  it('answers invalid JSON arguments with an error result without running anything', async () => {
    fake.push(sse(toolCall('call_j', 'read_file', '{"path": ')), sse(textAnswer('Sorry.')));
    const { events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root));
    expect(events.find((e) => e.type === 'tool.call')).toMatchObject({ arguments: '{"path": ' });
    expect(events.find((e) => e.type === 'tool.result')).toMatchObject({
      status: 'error',
      output: expect.stringMatching(/not valid JSON/),
    });
  });

  it('fails the turn once the model exceeds --max-tool-calls', async () => {
    fake.push(sse(toolCall('c1', 'list_dir', {})), sse(toolCall('c2', 'list_dir', {})));
    const { result, events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root, { maxToolCalls: 1 }));
    expect(result.status).toBe('failed');
    expect(failed(events)).toMatchObject({ code: 'max_tool_calls' });
    expect(events.filter((e) => e.type === 'tool.result')).toHaveLength(1);
  });
});

describe('retries', () => {
  it('retries a 5xx before any output and reports the retry', async () => {
    fake.push(
      httpError(502, { error: { message: 'bad gateway' } }, { 'retry-after-ms': '1' }),
      sse(textAnswer('fine')),
    );
    const { result, events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root));
    expect(result).toMatchObject({ status: 'completed', finalText: 'fine', requests: 2 });
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', attempt: 1, delay_ms: 1, reason: expect.stringMatching(/502/) },
    ]);
    expect(fake.requests).toHaveLength(2);
  });

  it('retries a rate-limit 429 after the delay the server asked for', async () => {
    fake.push(rateLimitStep({ ms: 5 }), sse(textAnswer('done')));
    const { result, events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root));
    expect(result.status).toBe('completed');
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ attempt: 1, delay_ms: 5 });
  });

  it('gives up after the last retry with the last failure', async () => {
    fake.push(
      ...Array.from({ length: 5 }, () => httpError(500, { error: { message: 'down' } }, { 'retry-after-ms': '1' })),
    );
    const { result, events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root));
    expect(result.status).toBe('failed');
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { attempt: number }).attempt)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(failed(events)).toMatchObject({ code: 'http_500', http_status: 500 });
    expect(fake.requests).toHaveLength(5);
  });

  it('never replays an attempt that already showed text', async () => {
    fake.push(sse([ev.created(), ev.textDelta('half an ans')]), sse(textAnswer('must not be requested')));
    const { result, events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root));
    expect(result.status).toBe('failed');
    expect(types(events)).toEqual(['turn.started', 'text.delta', 'turn.failed']);
    expect(failed(events).code).toBe('stream_incomplete');
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    ['a 400', httpError(400, { detail: 'Unsupported parameter: foo' }), 'http_400'],
    ['a usage limit', usageLimitStep({ resetsInSeconds: 3600 }), 'usage_limit_reached'],
    [
      'context_length_exceeded',
      sse([ev.created(), ev.failed('context_length_exceeded', 'too long')]),
      'context_length_exceeded',
    ],
    ['response.incomplete', sse([ev.created(), ev.incomplete('max_output_tokens')]), 'response_incomplete'],
  ])('does not retry %s', async (_name, step, code) => {
    fake.push(step, sse(textAnswer('must not be requested')));
    const { events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root));
    expect(events.some((e) => e.type === 'retry')).toBe(false);
    expect(failed(events).code).toBe(code);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('how a turn ends', () => {
  it('reports an abort with the signal reason and stops waiting for the server', async () => {
    fake.push({ kind: 'stall' });
    const controller = new AbortController();
    const opts = turnOptions(fakeProvider(fake), ws.root, { signal: controller.signal });
    const reason = new KolegaError('interrupted', 'interrupted', 'interrupted by SIGINT');
    const { result, events } = await collectTurn(opts, (e) => {
      if (e.type === 'turn.started') setImmediate(() => controller.abort(reason));
    });
    expect(result).toMatchObject({ status: 'failed', error: reason });
    expect(types(events)).toEqual(['turn.started', 'turn.failed']);
    expect(failed(events)).toMatchObject({ code: 'interrupted', message: 'interrupted by SIGINT' });
  });

  it('masks the API key when the server echoes it in an error', async () => {
    fake.push(httpError(400, { error: { message: 'Incorrect API key provided: test-key' } }));
    const { result, events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root));
    expect(failed(events).message).not.toContain('test-key');
    expect(result.error?.message).not.toContain('test-key');
  });
});
