/**
 * A resumed request splices the recorded items' JSON text (src/core/sessions/compose.ts,
 * src/core/responses/json-text.ts): the body's bytes equal `JSON.stringify` of the same body, for
 * every shape, and a line kolega did not write in its own form falls back to serializing the item.
 */
import { describe, expect, it } from 'vitest';
import { newSessionLead, replay } from '../../../../src/core/sessions/compose.js';
import type { SessionRecord } from '../../../../src/core/sessions/records.js';
import { CLASSIC_SHAPE, type RequestShape } from '../../../../src/core/responses/presentation.js';
import { buildRequestBody, type FunctionToolSpec } from '../../../../src/core/responses/request.js';
import { itemJson, requestChunks, requestJson, withJsonText } from '../../../../src/core/responses/json-text.js';
import { loadSession } from '../../../../src/core/sessions/store.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFrame } from '../../../../src/core/responses/websocket.js';
import type { InputItem } from '../../../../src/core/responses/items.js';

const LITE: RequestShape = {
  lite: true,
  instructions: 'developer_message',
  tools: 'additional_tools',
  parallelToolCalls: false,
  reasoningContext: 'all_turns',
  verbosity: 'low',
};
const TOOLS: FunctionToolSpec[] = [
  { type: 'function', name: 'read_file', description: 'Read a file', strict: false, parameters: { type: 'object' } },
];

/** Two turns as kolega records them, including non-ASCII text, a lone surrogate and escapes. */
function records(shape: RequestShape, model: string): SessionRecord[] {
  const lead = newSessionLead(
    shape,
    'be brief',
    TOOLS,
    '/w',
    'notes\n',
    '<environment_context>\n</environment_context>',
  );
  const recs: SessionRecord[] = [];
  for (const turn of [1, 2]) {
    recs.push({
      type: 'turn',
      turn,
      at: 't',
      provider: 'openai',
      model,
      effort: 'low',
      sandbox: 'read-only',
      cwd: '/w',
      instructions: 'be brief',
    });
    if (turn === 1) for (const l of lead) recs.push({ type: 'input', turn, item: l.item, lead: l.kind });
    recs.push(
      {
        type: 'input',
        turn,
        item: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: `q${turn} "żółw" \ud800 \n\t</>` }],
        },
      },
      {
        type: 'output',
        turn,
        item: {
          id: `rs_${turn}`,
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: 'ś' }],
          encrypted_content: 'E\\"NC',
        },
      },
      {
        type: 'output',
        turn,
        item: {
          id: `fc_${turn}`,
          type: 'function_call',
          status: 'completed',
          name: 'read_file',
          arguments: '{"path":"a"}',
          call_id: `c${turn}`,
        },
      },
      { type: 'input', turn, item: { type: 'function_call_output', call_id: `c${turn}`, output: 'x\u2028y' } },
      {
        type: 'output',
        turn,
        item: { id: `m${turn}`, type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a' }] },
      },
      {
        type: 'turn_end',
        turn,
        at: 't',
        status: 'completed',
        usage: {
          input_tokens: 1,
          cached_input_tokens: 0,
          output_tokens: 1,
          reasoning_output_tokens: 0,
          total_tokens: 2,
        },
      },
    );
  }
  return recs;
}

/** The records as read back from their file: parsed lines, with the lines. */
function readBack(recs: SessionRecord[]): { records: SessionRecord[]; lines: string[] } {
  const lines = recs.map((r) => JSON.stringify(r));
  return { records: lines.map((l) => JSON.parse(l) as SessionRecord), lines };
}

function bodyOf(shape: RequestShape, model: string, input: InputItem[]): Record<string, unknown> {
  return buildRequestBody({
    model,
    instructions: 'be brief',
    input,
    tools: TOOLS,
    effort: 'low',
    sessionId: 's1',
    chatgptBackend: true,
    shape,
    leadInInput: true,
  });
}

describe('recorded JSON text in a resumed request', () => {
  for (const [name, shape, model] of [
    ['classic', CLASSIC_SHAPE, 'gpt-5.5'],
    ['Responses Lite', LITE, 'gpt-lite'],
  ] as const) {
    it(`${name}: the body is byte-identical to JSON.stringify, and recorded items use their recorded text`, () => {
      const { records: recs, lines } = readBack(records(shape, model));
      const target = { model, shape, instructions: 'be brief', tools: TOOLS };
      const withText = replay(recs, target, { lines });
      const plain = replay(readBack(records(shape, model)).records, target);
      const body = bodyOf(shape, model, withText.items);
      expect(requestJson(body)).toBe(JSON.stringify(bodyOf(shape, model, plain.items)));
      // Every input record's item and every reasoning item is sent as its recorded text.
      const spliced = withText.items.filter((i) => itemJson(i) !== JSON.stringify(i));
      expect(spliced).toEqual([]);
      const userLine = lines.find((l) => l.includes('"role":"user","content":[{"type":"input_text","text":"q1'))!;
      const user = withText.items.find((i) => JSON.stringify(i).includes('q1 '))!;
      expect(userLine).toContain(itemJson(user));
      const reasoning = withText.items.filter((i) => i.type === 'reasoning');
      expect(reasoning).toHaveLength(2);
      expect(itemJson(reasoning[0])).toBe(
        '{"type":"reasoning","summary":[{"type":"summary_text","text":"ś"}],"encrypted_content":"E\\\\\\"NC"}',
      );
    });
  }

  it('the recorded text is what is sent; a line not in the form kolega writes is serialized instead', () => {
    const { records: recs, lines } = readBack(records(CLASSIC_SHAPE, 'gpt-5.5'));
    // Mark the lines after parsing: an item sent from its line carries the mark, a serialized one not.
    const mark = (l: string) =>
      l.replace('q1 ', 'Q1 ').replace('x\u2028y', 'X\u2028y').replace('"E\\\\\\"NC"', '"MARK"');
    for (let i = 0; i < lines.length; i++) lines[i] = mark(lines[i]!);
    const target = { model: 'gpt-5.5', shape: CLASSIC_SHAPE, instructions: 'be brief', tools: TOOLS };
    const sent = requestJson(bodyOf(CLASSIC_SHAPE, 'gpt-5.5', replay(recs, target, { lines }).items));
    expect(sent).toContain('Q1 ');
    expect(sent).toContain('X\u2028y');
    expect(sent).toContain('"encrypted_content":"MARK"');

    // Another form of the line (whitespace, key order, an extra key): the item is serialized.
    const again = readBack(records(CLASSIC_SHAPE, 'gpt-5.5'));
    const i = again.lines.findIndex((l) => l.includes('function_call_output'));
    again.lines[i] = mark(again.lines[i]!.replace('{"type":"input",', '{ "type":"input",'));
    const r = again.records.findIndex((x) => x.type === 'output' && x.item.type === 'reasoning');
    again.lines[r] = mark(again.lines[r]!);
    (again.records[r] as { item: Record<string, unknown> }).item = {
      type: 'reasoning',
      id: 'rs_1',
      summary: [],
      encrypted_content: 'E',
    };
    const u = again.records.findIndex((x) => x.type === 'input' && JSON.stringify(x).includes('q1 '));
    (again.records[u] as unknown as Record<string, unknown>).extra = true;
    again.lines[u] = mark(again.lines[u]!);
    const out = requestJson(
      bodyOf(CLASSIC_SHAPE, 'gpt-5.5', replay(again.records, target, { lines: again.lines }).items),
    );
    expect(out).not.toContain('Q1 ');
    expect(out).not.toContain('X\u2028y');
    expect(out).not.toContain('MARK');
    expect(out).toContain('{"type":"reasoning","summary":[],"encrypted_content":"E"}');
  });

  it('requestJson: JSON.stringify without known texts (undefined left out), the known text where there is one', () => {
    const body = { a: 1, skip: undefined, input: [{ type: 'message' }, { b: [1, 'x'] }], z: { y: null } };
    expect(requestJson(body)).toBe(JSON.stringify(body));
    const item = withJsonText({ type: 'message' }, '{"type":"message","recorded":true}');
    expect(requestJson({ input: [item] })).toBe('{"input":[{"type":"message","recorded":true}]}');
  });

  it('the WebSocket frame splices the same texts', () => {
    const { records: recs, lines } = readBack(records(CLASSIC_SHAPE, 'gpt-5.5'));
    const target = { model: 'gpt-5.5', shape: CLASSIC_SHAPE, instructions: 'be brief', tools: TOOLS };
    const spec = {
      model: 'gpt-5.5',
      instructions: 'be brief',
      tools: TOOLS,
      effort: 'low',
      sessionId: 's1',
      chatgptBackend: true,
      leadInInput: true,
    };
    const frame = buildFrame({ ...spec, input: replay(recs, target, { lines }).items }, undefined, undefined, 5);
    const plain = buildFrame(
      { ...spec, input: replay(readBack(records(CLASSIC_SHAPE, 'gpt-5.5')).records, target).items },
      undefined,
      undefined,
      5,
    );
    expect(frame).toBe(plain);
  });
});

describe('recorded bytes of an all-ASCII session file', () => {
  it('requestChunks sends the bytes read (not copies), equal to JSON.stringify of the same body encoded as UTF-8', () => {
    const ascii = (r: SessionRecord) => JSON.parse(JSON.stringify(r).replace(/[^\x00-\x7f]/g, 'o')) as SessionRecord;
    for (const [shape, model] of [
      [CLASSIC_SHAPE, 'gpt-5.5'],
      [LITE, 'gpt-lite'],
    ] as const) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kolega-recorded-'));
      try {
        const header = { type: 'session', v: 1, id: 's1', created_at: 't', cwd: '/w', provider: 'openai', model };
        const recs = records(shape, model).map(ascii);
        const file = path.join(dir, 's1.jsonl');
        writeFileSync(file, [header, ...recs].map((r) => JSON.stringify(r)).join('\n') + '\n');
        const loaded = loadSession(file);
        expect(loaded.ascii).toBeDefined();
        const target = { model, shape, instructions: 'be brief', tools: TOOLS };
        const sent = Buffer.concat(requestChunks(bodyOf(shape, model, replay(loaded.records, target, loaded).items)));
        const plain = JSON.stringify(bodyOf(shape, model, replay(loadSession(file).records, target).items));
        expect(sent.equals(Buffer.from(plain))).toBe(true);
        expect(requestJson(bodyOf(shape, model, replay(loaded.records, target, loaded).items))).toBe(plain);
        // The bytes come from the file: a change made to them after loading is what is sent.
        const again = loadSession(file);
        const items = replay(again.records, target, again).items;
        again.ascii!.data.write('Q', again.ascii!.data.indexOf('q1 '), 'latin1');
        expect(Buffer.concat(requestChunks(bodyOf(shape, model, items))).includes('Q1 ')).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
