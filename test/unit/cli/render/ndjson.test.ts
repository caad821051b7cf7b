/**
 * The NDJSON renderer (src/cli/render/ndjson.ts) on an IO over buffers, fed by a real in-process
 * turn against the fake backend: one schema-valid line per event on stdout, in order, and one stderr
 * line per retry.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ndjsonRenderer } from '../../../../src/cli/render/ndjson.js';
import { startFakeBackend, type FakeBackend } from '../../../fakes/backend.js';
import { httpError } from '../../../fakes/faults.js';
import { textAnswer, toolCall } from '../../../fakes/sse-events.js';
import {
  bufferIO,
  collectTurn,
  fakeProvider,
  turnOptions,
  workspace,
  type Workspace,
} from '../../../helpers/in-process.js';
import { parseEvents } from '../../../helpers/schema.js';

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

it('writes every event of a tool round trip with a retry as one valid line, nothing else on stdout', async () => {
  fake.push(
    httpError(503, { error: { message: 'busy' } }, { 'retry-after-ms': '1' }),
    { kind: 'sse', events: toolCall('call_1', 'list_dir', {}) },
    { kind: 'sse', events: textAnswer('Empty.') },
  );
  const { io, stdout, stderr } = bufferIO();
  const { events } = await collectTurn(turnOptions(fakeProvider(fake), ws.root), ndjsonRenderer(io));

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

it('ends a failed turn with one valid turn.failed line', async () => {
  fake.push(httpError(400, { detail: 'Unsupported parameter: temperature' }));
  const { io, stdout } = bufferIO();
  await collectTurn(turnOptions(fakeProvider(fake), ws.root), ndjsonRenderer(io));
  const lines = parseEvents(stdout.text);
  expect(lines.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'http_400', http_status: 400 } });
  expect(lines.filter((l) => l.type === 'turn.failed')).toHaveLength(1);
});

it('keeps retry notices off stderr with --quiet', async () => {
  fake.push(httpError(500, {}, { 'retry-after-ms': '1' }), { kind: 'sse', events: textAnswer('ok') });
  const { io, stdout, stderr } = bufferIO({ quiet: true });
  await collectTurn(turnOptions(fakeProvider(fake), ws.root), ndjsonRenderer(io));
  expect(parseEvents(stdout.text).some((l) => l.type === 'retry')).toBe(true);
  expect(stderr.text).toBe('');
});
