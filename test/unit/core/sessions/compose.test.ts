/** Replaying a session's records (src/core/sessions/compose.ts): unchanged bytes, and only the changes the current model needs. */
import { describe, expect, it } from 'vitest';
import { ABORTED_OUTPUT, newSessionLead, projectDocPart, replay } from '../../../../src/core/sessions/compose.js';
import type { SessionRecord } from '../../../../src/core/sessions/records.js';
import { CLASSIC_SHAPE, type RequestShape } from '../../../../src/core/responses/presentation.js';
import type { FunctionToolSpec } from '../../../../src/core/responses/request.js';

const LITE: RequestShape = {
  lite: true,
  instructions: 'developer_message',
  tools: 'additional_tools',
  parallelToolCalls: false,
  reasoningContext: 'all_turns',
  verbosity: 'low',
};
const DEV: RequestShape = {
  lite: false,
  instructions: 'developer_message',
  tools: 'top_level',
  parallelToolCalls: true,
  verbosity: 'low',
};
const TOOLS: FunctionToolSpec[] = [
  { type: 'function', name: 'read_file', description: 'Read a file', strict: false, parameters: { type: 'object' } },
];
const usage = {
  input_tokens: 100,
  cached_input_tokens: 0,
  output_tokens: 20,
  reasoning_output_tokens: 0,
  total_tokens: 120,
};

/** A one-turn session recorded with `shape` and model `model`. */
function session(shape: RequestShape, model: string, extra: SessionRecord[] = []): SessionRecord[] {
  const lead = newSessionLead(
    shape,
    'be brief',
    TOOLS,
    '/w',
    'notes\n',
    '<environment_context>\n</environment_context>',
  );
  return [
    {
      type: 'turn',
      turn: 1,
      at: 't',
      provider: 'openai_chatgpt',
      model,
      effort: 'low',
      sandbox: 'read-only',
      cwd: '/w',
      instructions: 'be brief',
    },
    ...lead.map((l): SessionRecord => ({ type: 'input', turn: 1, item: l.item, lead: l.kind })),
    { type: 'input', turn: 1, item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q1' }] } },
    { type: 'output', turn: 1, item: { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'ENC' } },
    {
      type: 'output',
      turn: 1,
      item: {
        id: 'msg_1',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'a1' }],
        phase: 'final_answer',
      },
    },
    { type: 'turn_end', turn: 1, at: 't', status: 'completed', usage, context_tokens: 120, final_text: 'a1' },
    ...extra,
  ];
}

describe('replay', () => {
  it('same model and shape: every item as recorded, in order; no notes', () => {
    const recs = session(LITE, 'gpt-6.2-sol');
    const r = replay(recs, { model: 'gpt-6.2-sol', shape: LITE, instructions: 'be brief', tools: TOOLS });
    expect(r.notes).toEqual([]);
    expect(r.repairs).toEqual([]);
    expect(r.items.map((i) => (i as { type: string }).type)).toEqual([
      'additional_tools',
      'message',
      'message',
      'message',
      'reasoning',
      'message',
    ]);
    // recorded input items are the very objects recorded (their bytes cannot change)
    expect(r.items[0]).toBe((recs[1] as { item: unknown }).item);
    expect(r.items[5]).toEqual({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'a1' }],
      phase: 'final_answer',
    });
    expect(r.turns).toBe(1);
    expect(r.tokens).toBe(120);
  });

  it('another model: its reasoning is dropped, the lead is reshaped (Lite -> developer shape), with notes', () => {
    const r = replay(session(LITE, 'gpt-6.2-sol'), {
      model: 'gpt-5.5',
      shape: DEV,
      instructions: 'be brief',
      tools: TOOLS,
    });
    expect(r.items.map((i) => (i as { type: string }).type)).toEqual(['message', 'message', 'message', 'message']);
    expect(r.notes.join('\n')).toMatch(/recorded with model gpt-6.2-sol; it continues with gpt-5.5/);
    expect(r.notes.join('\n')).toMatch(/dropped 1 reasoning item that gpt-5.5 cannot read/);
    expect(r.notes.join('\n')).toMatch(/prompt cache will miss/);
  });

  it('classic -> Lite: the tools item and the instructions message are added first', () => {
    const r = replay(session(CLASSIC_SHAPE, 'gpt-5.5'), {
      model: 'gpt-5.5',
      shape: LITE,
      instructions: 'be brief',
      tools: TOOLS,
    });
    expect((r.items[0] as { type: string }).type).toBe('additional_tools');
    expect(r.items[1]).toEqual({
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: 'be brief' }],
    });
    expect(r.lead).toHaveLength(2);
  });

  it('the latest recorded lead of a kind wins (a resume that rebuilt it recorded a newer one)', () => {
    const newer = {
      type: 'additional_tools',
      role: 'developer',
      tools: [{ type: 'namespace', name: 'functions', description: '', tools: [] }],
    };
    const recs = session(LITE, 'gpt-6.2-sol', [
      {
        type: 'turn',
        turn: 2,
        at: 't',
        provider: 'p',
        model: 'gpt-6.2-sol',
        effort: 'low',
        sandbox: 'read-only',
        cwd: '/w',
        instructions: 'be brief',
      },
      { type: 'input', turn: 2, item: newer as never, lead: 'tools' },
    ]);
    const r = replay(recs, { model: 'gpt-6.2-sol', shape: LITE, instructions: 'be brief', tools: [] });
    expect(r.items[0]).toBe(newer);
    expect(r.notes).toEqual([]);
  });

  it('a call without output (a killed run) gets an "aborted" repair', () => {
    const recs = session(CLASSIC_SHAPE, 'gpt-5.5', [
      {
        type: 'turn',
        turn: 2,
        at: 't',
        provider: 'p',
        model: 'gpt-5.5',
        effort: 'low',
        sandbox: 'read-only',
        cwd: '/w',
        instructions: 'be brief',
      },
      { type: 'output', turn: 2, item: { type: 'function_call', name: 'read_file', arguments: '{}', call_id: 'c9' } },
    ]);
    const r = replay(recs, { model: 'gpt-5.5', shape: CLASSIC_SHAPE, instructions: 'be brief', tools: TOOLS });
    expect(r.repairs).toEqual([{ type: 'function_call_output', call_id: 'c9', output: ABORTED_OUTPUT }]);
    // the items after the last turn_end are estimated at ~4 bytes per token on top of the server's count
    expect(r.tokens).toBeGreaterThan(120);
  });
});

describe('the new-session lead', () => {
  it('AGENTS.md part first, then the environment context, in one user message (capture E wording)', () => {
    const lead = newSessionLead(
      CLASSIC_SHAPE,
      'x',
      TOOLS,
      '/home/user/project',
      '# notes\n',
      '<environment_context>\n</environment_context>',
    );
    expect(lead.map((l) => l.kind)).toEqual(['context']);
    expect(lead[0]!.item).toEqual({
      type: 'message',
      role: 'user',
      content: [
        {
          type: 'input_text',
          text: '# AGENTS.md instructions for /home/user/project\n\n<INSTRUCTIONS>\n# notes\n\n</INSTRUCTIONS>',
        },
        { type: 'input_text', text: '<environment_context>\n</environment_context>' },
      ],
    });
    expect(newSessionLead(LITE, 'x', TOOLS, '/w', '', 'env').map((l) => l.kind)).toEqual([
      'tools',
      'instructions',
      'context',
    ]);
    expect(projectDocPart('/p', 'a')).toEqual({
      type: 'input_text',
      text: '# AGENTS.md instructions for /p\n\n<INSTRUCTIONS>\na\n</INSTRUCTIONS>',
    });
  });
});
