/**
 * runTurn (src/core/turn.ts) through its transport seam (`TurnOptions.openTransport`) with the
 * in-process provider of test/fakes/in-process-provider.ts: no socket, the SSE event builders as
 * the server's answers, each request body recorded and validated like the real server does. Covers
 * the tool round trip, the retry policy as the loop applies it, and both renderers fed from the
 * turn's events into an IO over buffers.
 */
import { Chalk } from 'chalk';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ndjsonRenderer } from '../../../src/cli/render/ndjson.js';
import { textRenderer } from '../../../src/cli/render/text.js';
import { KolegaError } from '../../../src/core/errors.js';
import type { TurnEvent } from '../../../src/core/events.js';
import type { TurnOptions } from '../../../src/core/turn.js';
import {
  IN_PROCESS_KEY,
  answer,
  inProcessBackend,
  status,
  type InProcessBackend,
} from '../../fakes/in-process-provider.js';
import { ev, textAnswer, toolCall } from '../../fakes/sse-events.js';
import { bufferIO, collectTurn, turnOptions, workspace, type Workspace } from '../../helpers/in-process.js';
import { parseEvents } from '../../helpers/schema.js';

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

const types = (events: TurnEvent[]) => events.map((e) => e.type);
const input = (backend: InProcessBackend, n: number) => backend.requests[n]!.body.input as Record<string, unknown>[];
const failed = (events: TurnEvent[]) => {
  const last = events.at(-1);
  if (last?.type !== 'turn.failed') throw new Error(`the turn did not fail: ${JSON.stringify(last)}`);
  return last.error;
};
/** Options running against `backend` in the scratch workspace. */
const opts = (backend: InProcessBackend, extra: Parameters<typeof turnOptions>[2] = {}): TurnOptions =>
  turnOptions(backend.provider, ws.root, { openTransport: backend.openTransport, ...extra });

describe('the transport seam', () => {
  it('opens one transport per turn in the mode asked for and closes it', async () => {
    const backend = inProcessBackend([answer(textAnswer('hi'))]);
    const { result } = await collectTurn(opts(backend, { transport: 'http' }));
    expect(result).toMatchObject({ status: 'completed', finalText: 'hi', requests: 1 });
    expect(backend.opened).toEqual(['http']);
    expect(backend.open).toBe(0);
    expect(result.uploads).toHaveLength(1);
  });

  it('refuses a body the real server would refuse (an orphan function_call_output) as a 400', async () => {
    const backend = inProcessBackend([answer(textAnswer('never'))]);
    const { events } = await collectTurn(
      opts(backend, { history: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }] }),
    );
    expect(failed(events)).toMatchObject({ code: 'http_400', http_status: 400 });
    expect(failed(events).message).toMatch(/No tool call found/);
  });
});

describe('tool round trip', () => {
  it('runs the call and sends its output back in the second request, after the call', async () => {
    writeFileSync(path.join(ws.root, 'notes.txt'), 'alpha\nbeta\n');
    const backend = inProcessBackend([
      answer(toolCall('call_1', 'read_file', { path: 'notes.txt' })),
      answer(textAnswer('It says alpha and beta.')),
    ]);
    const { result, events } = await collectTurn(opts(backend));

    expect(result).toMatchObject({ status: 'completed', finalText: 'It says alpha and beta.', requests: 2 });
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
    const toolResult = events[2] as Extract<TurnEvent, { type: 'tool.result' }>;
    expect(toolResult).toMatchObject({ call_id: 'call_1', name: 'read_file', status: 'ok' });
    expect(toolResult.output).toContain('alpha');

    expect(backend.requests).toHaveLength(2);
    expect(input(backend, 0)).toHaveLength(1);
    const second = input(backend, 1);
    expect(second.map((i) => i.type)).toEqual(['message', 'function_call', 'function_call_output']);
    expect(second[1]).toMatchObject({ call_id: 'call_1', name: 'read_file', arguments: '{"path":"notes.txt"}' });
    expect(second[2]).toEqual({ type: 'function_call_output', call_id: 'call_1', output: toolResult.output });
    // The second request continues from the first one's input plus its output.
    expect(backend.requests[1]!.chainFrom).toBe(2);
    expect(backend.requests[1]!.body.tools).toEqual(backend.requests[0]!.body.tools);
  });

  it('runs two calls of one response in order and answers both', async () => {
    const backend = inProcessBackend([
      answer([
        ev.created(),
        ev.callDone('c1', 'list_dir', '{}'),
        ev.callDone('c2', 'read_file', '{"path":"missing.txt"}'),
        ev.completed(),
      ]),
      answer(textAnswer('done')),
    ]);
    const { result, events } = await collectTurn(opts(backend));
    expect(result).toMatchObject({ status: 'completed', toolCalls: 2 });
    expect(events.filter((e) => e.type === 'tool.result').map((e) => (e as { call_id: string }).call_id)).toEqual([
      'c1',
      'c2',
    ]);
    const outputs = input(backend, 1).filter((i) => i.type === 'function_call_output');
    expect(outputs.map((o) => o.call_id)).toEqual(['c1', 'c2']);
  });
});

describe('tool round trip on the ChatGPT backend', () => {
  it('replays reasoning and the call without item ids (store: false) and sends no max_output_tokens', async () => {
    const backend = inProcessBackend(
      [
        answer([
          ev.created(),
          ev.reasoningDone('Look first.', 'enc_1'),
          ev.callDone('c1', 'list_dir', '{}'),
          ev.completed(),
        ]),
        answer(textAnswer('Empty.')),
      ],
      { chatgpt: true },
    );
    const { result } = await collectTurn(opts(backend, { maxOutputTokens: 100 }));
    expect(result).toMatchObject({ status: 'completed', finalText: 'Empty.', requests: 2 });
    const [first, second] = backend.requests.map((r) => r.body);
    expect(first).toMatchObject({ store: false, stream: true, instructions: 'You are a test.' });
    expect(first).not.toHaveProperty('max_output_tokens');
    const replay = second!.input as Record<string, unknown>[];
    expect(replay.map((i) => i.type)).toEqual(['message', 'reasoning', 'function_call', 'function_call_output']);
    expect(replay[1]).toMatchObject({ encrypted_content: 'enc_1' });
    for (const item of replay) expect(item).not.toHaveProperty('id');
  });
});

describe('retries', () => {
  it('retries a 502 before any output and succeeds, reporting one retry', async () => {
    const backend = inProcessBackend([
      status(502, { error: { message: 'bad gateway' } }, { 'retry-after-ms': '1' }),
      answer(textAnswer('fine')),
    ]);
    const { result, events } = await collectTurn(opts(backend));
    expect(result).toMatchObject({ status: 'completed', finalText: 'fine', requests: 2 });
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', attempt: 1, delay_ms: 1, reason: expect.stringMatching(/502/) },
    ]);
    // The replay sends the same body.
    expect(backend.requests[1]!.body).toEqual(backend.requests[0]!.body);
  });

  it('retries a stream dropped before any output (stream_incomplete) and a connection reset', async () => {
    const backend = inProcessBackend([
      answer([ev.created()]),
      { kind: 'reset', events: [ev.created()] },
      answer(textAnswer('third time')),
    ]);
    const { result, events } = await collectTurn(opts(backend));
    expect(result).toMatchObject({ status: 'completed', finalText: 'third time', requests: 3 });
    const retries = events.filter((e) => e.type === 'retry') as Extract<TurnEvent, { type: 'retry' }>[];
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(retries[0]!.reason).toMatch(/response\.completed/);
    expect(retries[1]!.reason).toMatch(/ECONNRESET/);
  });

  it.each([
    ['a 400', status(400, { detail: 'Unsupported parameter: foo' }), 'http_400'],
    ['a 401 (no recovery possible)', status(401, { error: { message: 'bad key' } }), 'http_401'],
    [
      'context_length_exceeded',
      answer([ev.created(), ev.failed('context_length_exceeded', 'too long')]),
      'context_length_exceeded',
    ],
  ])('does not retry %s', async (_name, step, code) => {
    const backend = inProcessBackend([step, answer(textAnswer('must not be requested'))]);
    const { result, events } = await collectTurn(opts(backend));
    expect(result.status).toBe('failed');
    expect(events.some((e) => e.type === 'retry')).toBe(false);
    expect(failed(events).code).toBe(code);
    expect(backend.requests).toHaveLength(1);
  });

  it('never replays an attempt that already showed text, even if the drop is retryable', async () => {
    const backend = inProcessBackend([
      { kind: 'reset', events: [ev.created(), ev.textDelta('half an ans')] },
      answer(textAnswer('must not be requested')),
    ]);
    const { events } = await collectTurn(opts(backend));
    expect(types(events)).toEqual(['turn.started', 'text.delta', 'turn.failed']);
    expect(failed(events).code).toBe('stream_interrupted');
    expect(backend.requests).toHaveLength(1);
  });

  it('masks the API key in a retry reason and in the failure', async () => {
    const echo = { error: { message: `Incorrect API key provided: ${IN_PROCESS_KEY}` } };
    const backend = inProcessBackend([status(500, echo, { 'retry-after-ms': '1' }), status(400, echo)]);
    const { events } = await collectTurn(opts(backend));
    const retry = events.find((e) => e.type === 'retry') as Extract<TurnEvent, { type: 'retry' }>;
    expect(retry.reason).not.toContain(IN_PROCESS_KEY);
    expect(failed(events).message).not.toContain(IN_PROCESS_KEY);
  });

  it('reports an abort during a stalled request with the signal reason', async () => {
    const backend = inProcessBackend([{ kind: 'stall' }]);
    const controller = new AbortController();
    const reason = new KolegaError('interrupted', 'interrupted', 'interrupted by SIGINT');
    const { result, events } = await collectTurn(opts(backend, { signal: controller.signal }), (e) => {
      if (e.type === 'turn.started') setImmediate(() => controller.abort(reason));
    });
    expect(result).toMatchObject({ status: 'failed', error: reason });
    expect(types(events)).toEqual(['turn.started', 'turn.failed']);
    expect(backend.open).toBe(0);
  });
});

describe('renderers fed by runTurn', () => {
  it('NDJSON: one schema-valid line per event on stdout, in order; the retry also on stderr', async () => {
    const backend = inProcessBackend([
      status(503, { error: { message: 'busy' } }, { 'retry-after-ms': '1' }),
      answer(toolCall('call_1', 'list_dir', {})),
      answer(textAnswer('Empty.')),
    ]);
    const { io, stdout, stderr } = bufferIO();
    const { events } = await collectTurn(opts(backend), ndjsonRenderer(io));
    const lines = parseEvents(stdout.text);
    expect(lines).toEqual(JSON.parse(JSON.stringify(events)));
    expect(lines.map((l) => l.type)).toEqual([
      'turn.started',
      'retry',
      'tool.call',
      'tool.result',
      'text.delta',
      'text.delta',
      'text.delta',
      'message.completed',
      'turn.completed',
    ]);
    expect(stderr.text).toMatch(/^kolega: retrying in 1 ms \(attempt 1\): .*503.*\n$/);
  });

  it('text: the answer alone on stdout; tool activity on stderr only with --verbose', async () => {
    const script = () =>
      inProcessBackend([answer(toolCall('call_1', 'list_dir', {})), answer(textAnswer('Nothing here.'))]);
    const quiet = bufferIO();
    await collectTurn(opts(script()), textRenderer(quiet.io, undefined, Chalk));
    expect(quiet.stdout.text).toBe('Nothing here.\n');
    expect(quiet.stderr.text).toBe('');

    const verbose = bufferIO({ verbose: true });
    await collectTurn(opts(script()), textRenderer(verbose.io, undefined, Chalk));
    expect(verbose.stdout.text).toBe('Nothing here.\n');
    expect(verbose.stderr.text).toMatch(/→ list_dir \{\}/);
    expect(verbose.stderr.text).toMatch(/✓ list_dir/);
  });

  it('text: a failed turn after partial text ends stdout at a line start', async () => {
    const backend = inProcessBackend([{ kind: 'reset', events: [ev.created(), ev.textDelta('partial')] }]);
    const { io, stdout } = bufferIO();
    const { result } = await collectTurn(opts(backend), textRenderer(io, undefined, Chalk));
    expect(result.status).toBe('failed');
    expect(stdout.text).toBe('partial\n');
  });
});
