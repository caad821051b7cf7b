/**
 * ResponseAssembler: items from output_item.done (B20), deltas as live display and fallback,
 * terminal events (B19), several calls in one response (B27), usage conversion.
 */
import { describe, expect, it } from 'vitest';
import { ResponseAssembler, addUsage, toUsage } from '../../../../src/core/responses/assemble.js';
import type { RawStreamEvent } from '../../../../src/core/responses/sse.js';
import type { TurnEvent } from '../../../../src/core/events.js';
import { emptyUsage } from '../../../../src/core/events.js';
import { ev } from '../../../fakes/sse-events.js';

function run(events: RawStreamEvent[]) {
  const out: TurnEvent[] = [];
  const asm = new ResponseAssembler((e) => out.push(e));
  for (const e of events) asm.push(e);
  try {
    return { out, outcome: asm.finish(), error: undefined };
  } catch (error) {
    return { out, outcome: undefined, error: error as Error & { code: string } };
  }
}

describe('ResponseAssembler', () => {
  it('B20 completed with output: [] -> the message comes from output_item.done; usage from completed', () => {
    const r = run([
      { type: 'response.created', response: { id: 'r3' } },
      { type: 'response.output_item.added', item: { type: 'message', id: 'm1', role: 'assistant', content: [] } },
      { type: 'response.output_text.delta', item_id: 'm1', delta: 'Hi' },
      { type: 'response.output_text.done', item_id: 'm1', text: 'Hi' },
      {
        type: 'response.output_item.done',
        item: { type: 'message', id: 'm1', content: [{ type: 'output_text', text: 'Hi' }] },
      },
      {
        type: 'response.completed',
        response: { id: 'r3', status: 'completed', output: [], usage: { input_tokens: 5, output_tokens: 1 } },
      },
    ]);
    expect(r.error).toBeUndefined();
    expect(r.out).toEqual([
      { type: 'text.delta', delta: 'Hi' },
      { type: 'message.completed', text: 'Hi' },
    ]);
    expect(r.outcome!.items).toHaveLength(1);
    expect(r.outcome!.usage).toEqual({
      input_tokens: 5,
      cached_input_tokens: 0,
      output_tokens: 1,
      reasoning_output_tokens: 0,
      total_tokens: 6,
    });
    expect(r.outcome!.responseId).toBe('r3');
  });

  it('B20 variant: a function call only in output_item.done is kept', () => {
    const r = run([
      ev.created(),
      {
        type: 'response.output_item.done',
        item: { type: 'function_call', id: 'fc1', name: 'read_file', arguments: '{"path":"a"}', call_id: 'call_1' },
      },
      ev.completed(),
    ]);
    expect(r.outcome!.items).toEqual([
      { type: 'function_call', id: 'fc1', name: 'read_file', arguments: '{"path":"a"}', call_id: 'call_1' },
    ]);
  });

  it('B27 two calls in one response, interleaved, are both kept once, matched by call_id', () => {
    const r = run([
      ev.created(),
      ev.callAdded('call_a', 'get_time', 'fc_a'),
      ev.callAdded('call_b', 'read_file', 'fc_b'),
      ev.callArgsDelta('{"path":"x"}', 'fc_b'),
      ev.callArgsDelta('{}', 'fc_a'),
      ev.callDone('call_b', 'read_file', '{"path":"x"}', 'fc_b'),
      ev.callDone('call_a', 'get_time', '{}', 'fc_a'),
      ev.completed(),
    ]);
    const calls = r.outcome!.items.filter((i) => i.type === 'function_call');
    expect(calls.map((c) => [c.call_id, c.name, c.arguments])).toEqual([
      ['call_b', 'read_file', '{"path":"x"}'],
      ['call_a', 'get_time', '{}'],
    ]);
  });

  it('a call finished only by arguments.done (never output_item.done) is still kept', () => {
    const r = run([
      ev.created(),
      ev.callAdded('call_z', 'list_dir', 'fc_z'),
      { type: 'response.function_call_arguments.done', item_id: 'fc_z', arguments: '{"path":"."}' },
      ev.completed(),
    ]);
    expect(r.outcome!.items).toMatchObject([{ type: 'function_call', call_id: 'call_z', arguments: '{"path":"."}' }]);
  });

  it('an item text without deltas is emitted once as text; deltas then the item never duplicate', () => {
    const r = run([ev.created(), ev.textDelta('Hel'), ev.messageDone('Hello'), ev.completed()]);
    expect(r.out.filter((e) => e.type === 'text.delta').map((e) => (e as { delta: string }).delta)).toEqual([
      'Hel',
      'lo',
    ]);
    expect(r.out.filter((e) => e.type === 'message.completed')).toEqual([{ type: 'message.completed', text: 'Hello' }]);
  });

  it('falls back to completed.output when no item arrived, and to streamed deltas last', () => {
    const viaOutput = run([
      {
        type: 'response.completed',
        response: {
          id: 'r',
          output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'from output' }] }],
        },
      },
    ]);
    expect(viaOutput.out).toEqual([
      { type: 'text.delta', delta: 'from output' },
      { type: 'message.completed', text: 'from output' },
    ]);
    const viaDeltas = run([ev.textDelta('only deltas'), ev.completed()]);
    expect(viaDeltas.outcome!.items).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: 'only deltas' }] },
    ]);
  });

  it('B19 EOF after deltas without a terminal event fails, never succeeds', () => {
    const r = run([
      ev.created(),
      { type: 'response.output_text.delta', delta: 'Step 1' },
      { type: 'response.output_text.delta', delta: '\nStep 2' },
    ]);
    expect(r.error).toMatchObject({ code: 'stream_incomplete', exitClass: 'upstream' });
    expect(r.out.map((e) => e.type)).toEqual(['text.delta', 'text.delta']);
  });

  it('B17 response.failed and response.incomplete are failures with usage kept', () => {
    const out: TurnEvent[] = [];
    const asm = new ResponseAssembler((e) => out.push(e));
    asm.push({
      type: 'response.failed',
      response: {
        error: { code: 'context_length_exceeded', message: 'too long' },
        usage: { input_tokens: 7, output_tokens: 0 },
      },
    });
    expect(asm.done).toBe(true);
    expect(() => asm.finish()).toThrow(/context window/);
    expect(asm.reportedUsage).toMatchObject({ input_tokens: 7 });
    const inc = run([ev.textDelta('part'), ev.incomplete('content_filter')]);
    expect(inc.error).toMatchObject({ code: 'response_incomplete' });
    expect(inc.error!.message).toContain('content_filter');
  });

  it('an error event with a known permanent code keeps its class (no retry storm); unknown codes are retryable', () => {
    const quota = run([ev.created(), { type: 'error', code: 'insufficient_quota', message: 'no credit' }]);
    expect(quota.error).toMatchObject({ code: 'insufficient_quota', exitClass: 'quota', retryable: false });
    const ctx = run([{ type: 'error', code: 'context_length_exceeded', message: 'too long' }]);
    expect(ctx.error).toMatchObject({ code: 'context_length_exceeded', retryable: false });
    const rate = run([{ type: 'error', code: 'rate_limit_exceeded', message: 'try again in 2s' }]);
    expect(rate.error).toMatchObject({ retryable: true, retryDelayMs: 2000 });
    const other = run([{ type: 'error', code: 'server_error', message: 'oops' }]);
    expect(other.error).toMatchObject({ code: 'server_error', exitClass: 'upstream', retryable: true });
  });

  it('a nested error object {code, message, type} is read like the top-level shape', () => {
    const cases: [string, string, boolean][] = [
      ['context_length_exceeded', 'upstream', false],
      ['insufficient_quota', 'quota', false],
      ['invalid_prompt', 'upstream', false],
      ['cyber_policy', 'upstream', false],
      ['server_is_overloaded', 'upstream', true],
      ['slow_down', 'upstream', true],
      ['server_error', 'upstream', true],
    ];
    for (const [code, exitClass, retryable] of cases) {
      const top = run([ev.created(), { type: 'error', code, message: `server says ${code}` }]).error!;
      const nested = run([
        ev.created(),
        { type: 'error', error: { code, message: `server says ${code}`, type: 'invalid_request_error' } },
      ]).error!;
      for (const e of [top, nested]) {
        expect(e).toMatchObject({ code, exitClass, retryable });
        expect(e.message).toContain(code);
        expect(e.message).toContain(`server says ${code}`);
      }
    }
    // Only a type: the type is the code.
    const typeOnly = run([{ type: 'error', error: { type: 'insufficient_quota', message: 'pay up' } }]).error!;
    expect(typeOnly).toMatchObject({ code: 'insufficient_quota', retryable: false });
  });

  it('events after the terminal event are ignored', () => {
    const r = run([ev.created(), ev.textDelta('a'), ev.completed(), ev.textDelta('late')]);
    expect(r.out.filter((e) => e.type === 'text.delta')).toHaveLength(1);
  });

  it('reasoning summary parts are separated by a blank line', () => {
    const r = run([
      { type: 'response.reasoning_summary_part.added', summary_index: 0 },
      ev.reasoningDelta('one', 0),
      { type: 'response.reasoning_summary_part.added', summary_index: 1 },
      ev.reasoningDelta('two', 1),
      ev.completed(),
    ]);
    expect(r.out.map((e) => (e.type === 'reasoning.delta' ? e.delta : '')).join('')).toBe('one\n\ntwo');
  });
});

describe('usage', () => {
  it('tolerates null details and missing totals; sums in place', () => {
    expect(toUsage(null)).toBeUndefined();
    expect(
      toUsage({ input_tokens: 3, input_tokens_details: null, output_tokens: 2, output_tokens_details: null }),
    ).toEqual({
      input_tokens: 3,
      cached_input_tokens: 0,
      output_tokens: 2,
      reasoning_output_tokens: 0,
      total_tokens: 5,
    });
    const total = emptyUsage();
    addUsage(total, toUsage({ input_tokens: 1, output_tokens: 1, total_tokens: 2 }));
    addUsage(
      total,
      toUsage({ input_tokens: 2, output_tokens: 3, total_tokens: 5, input_tokens_details: { cached_tokens: 1 } }),
    );
    addUsage(total, undefined);
    expect(total).toEqual({
      input_tokens: 3,
      cached_input_tokens: 1,
      output_tokens: 4,
      reasoning_output_tokens: 0,
      total_tokens: 7,
    });
  });
});

describe('ResponseAssembler: phases and refusals', () => {
  it('a refusal that arrives only as a refusal content part (no deltas) is still emitted once', () => {
    const r = run([
      { type: 'response.created', response: { id: 'r9' } },
      {
        type: 'response.output_item.done',
        item: { type: 'message', id: 'm9', role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
      },
      { type: 'response.completed', response: { id: 'r9', status: 'completed', output: [] } },
    ]);
    expect(r.error).toBeUndefined();
    expect(r.out.filter((e) => e.type === 'refusal.delta')).toEqual([{ type: 'refusal.delta', delta: 'No.' }]);
  });

  it('streamed refusal deltas are not repeated when the item arrives', () => {
    const r = run([
      { type: 'response.created', response: { id: 'r8' } },
      { type: 'response.output_item.added', item: { type: 'message', id: 'm8', role: 'assistant', content: [] } },
      { type: 'response.refusal.delta', item_id: 'm8', delta: 'I can' },
      { type: 'response.refusal.delta', item_id: 'm8', delta: "'t." },
      {
        type: 'response.output_item.done',
        item: { type: 'message', id: 'm8', role: 'assistant', content: [{ type: 'refusal', refusal: "I can't." }] },
      },
      { type: 'response.completed', response: { id: 'r8', status: 'completed', output: [] } },
    ]);
    expect(
      r.out
        .filter((e) => e.type === 'refusal.delta')
        .map((e) => (e as { delta: string }).delta)
        .join(''),
    ).toBe("I can't.");
  });
});
