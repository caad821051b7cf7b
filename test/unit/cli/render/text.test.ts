/**
 * The text renderer (src/cli/render/text.ts) on an IO over buffers: the answer alone on stdout,
 * ending with a newline; reasoning, commentary and tool activity on stderr only with --verbose (or a
 * terminal); denied calls and retries always get one stderr line; --quiet silences notices.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { TurnEvent } from '../../../../src/core/events.js';
import { emptyUsage } from '../../../../src/core/events.js';
import { textRenderer } from '../../../../src/cli/render/text.js';
import { bufferIO } from '../../../helpers/in-process.js';

const started: TurnEvent = {
  type: 'turn.started',
  schema_version: 1,
  provider: 'openai',
  model: 'gpt-5.4',
  effort: 'low',
  session_id: 's',
  cwd: '/w',
  sandbox: 'read-only',
  tools: ['read_file'],
};
const completed: TurnEvent = {
  type: 'turn.completed',
  status: 'completed',
  final_text: 'Hello world',
  usage: emptyUsage(),
  requests: 1,
  tool_calls: 1,
  duration_ms: 5,
};
const roundTrip: TurnEvent[] = [
  started,
  { type: 'reasoning.delta', delta: 'Thinking about files' },
  { type: 'text.delta', delta: 'Let me look.', phase: 'commentary' },
  { type: 'message.completed', text: 'Let me look.', phase: 'commentary' },
  { type: 'tool.call', call_id: 'c1', name: 'read_file', arguments: { path: 'a.txt' } },
  { type: 'tool.result', call_id: 'c1', name: 'read_file', status: 'ok', output: 'hi', duration_ms: 3 },
  { type: 'text.delta', delta: 'Hello ' },
  { type: 'text.delta', delta: 'world' },
  { type: 'message.completed', text: 'Hello world' },
  completed,
];

function render(events: TurnEvent[], opts: Parameters<typeof bufferIO>[0] = {}) {
  const b = bufferIO(opts);
  let firstOutput = 0;
  // The CLI passes chalk's constructor (imported only when colour is on); so does the test.
  const sink = textRenderer(b.io, () => firstOutput++, Chalk);
  for (const e of events) sink(e);
  return { stdout: b.stdout.text, stderr: b.stderr.text, firstOutput };
}

describe('text renderer', () => {
  it('prints only the answer on stdout, ending with a newline, and nothing on a quiet stderr by default', () => {
    const r = render(roundTrip);
    expect(r.stdout).toBe('Hello world\n');
    expect(r.stderr).toBe('');
    expect(r.firstOutput).toBe(1);
  });

  it('shows reasoning, commentary and tool activity on stderr with --verbose, never on stdout', () => {
    const r = render(roundTrip, { verbose: true });
    expect(r.stdout).toBe('Hello world\n');
    expect(r.stderr).toContain('Thinking about files');
    expect(r.stderr).toContain('Let me look.');
    expect(r.stderr).toMatch(/→ read_file \{"path":"a.txt"\}/);
    expect(r.stderr).toMatch(/✓ read_file \(3 ms\)/);
    expect(r.stderr).not.toMatch(/\x1b\[/); // NO_COLOR
  });

  it('shows progress when stderr is a terminal, and colour unless NO_COLOR', () => {
    const r = render(roundTrip, { stderrTTY: true, env: { FORCE_COLOR: '1' } });
    expect(r.stderr).toContain('Thinking about files');
    expect(r.stderr).toMatch(/\x1b\[2m/);
    expect(r.stdout).toBe('Hello world\n');
  });

  it('always reports a denied call and a retry on stderr, unless --quiet', () => {
    const events: TurnEvent[] = [
      started,
      { type: 'retry', attempt: 1, delay_ms: 200, reason: 'the server failed (502)' },
      { type: 'tool.call', call_id: 'c1', name: 'shell', arguments: { command: 'ls' } },
      {
        type: 'tool.result',
        call_id: 'c1',
        name: 'shell',
        status: 'denied',
        output: 'not allowed under read-only',
        duration_ms: 0,
      },
      { type: 'text.delta', delta: 'Cannot.' },
      completed,
    ];
    const loud = render(events);
    expect(loud.stderr.split('\n').filter(Boolean)).toEqual([
      'kolega: retrying in 200 ms (attempt 1): the server failed (502)',
      'kolega: tool call shell denied: not allowed under read-only',
    ]);
    expect(loud.stdout).toBe('Cannot.\n');
    expect(render(events, { quiet: true }).stderr).toBe('');
  });

  it('separates two answer messages with a newline and prints a refusal like an answer', () => {
    const events: TurnEvent[] = [
      started,
      { type: 'text.delta', delta: 'First.' },
      { type: 'message.completed', text: 'First.' },
      { type: 'text.delta', delta: 'Second.' },
      { type: 'message.completed', text: 'Second.' },
      { type: 'refusal.delta', delta: 'I cannot help with that.' },
      completed,
    ];
    expect(render(events).stdout).toBe('First.\nSecond.\nI cannot help with that.\n');
  });

  it('ends a failed turn at a line start without printing the error (the CLI reports it)', () => {
    const failed: TurnEvent = {
      type: 'turn.failed',
      error: { code: 'http_500', message: 'boom' },
      usage: emptyUsage(),
    };
    const r = render([started, { type: 'text.delta', delta: 'partial' }, failed]);
    expect(r.stdout).toBe('partial\n');
    expect(r.stderr).toBe('');
  });
});
