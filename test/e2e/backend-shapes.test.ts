/**
 * Today's ChatGPT backend end to end (README "Models" and "ChatGPT backend requests"): the real
 * binary against the strict fake, checked field by field against what Codex 0.171.0 sends — the
 * Responses Lite tool round trip (gpt-6.2-sol), the developer-message shape (gpt-5.5), the client
 * identity headers, the turn state echo, phases, refusals, the models ETag refresh and the
 * version-gated catalogue.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LIVE_MODELS,
  liveModel,
  startFakeBackend,
  type FakeBackend,
  type FakeBackendOptions,
  type RecordedRequest,
} from '../fakes/backend.js';
import { ev, phasedMessage, refusalAnswer, textAnswer, type SseEvent } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';
import { writeChatGPTCredentials } from '../helpers/tokens.js';

let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };
let work: { dir: string; cleanup: () => void };

async function restart(opts: FakeBackendOptions = {}): Promise<void> {
  await fake?.close();
  fake = await startFakeBackend({ accountId: 'acct-test-1', ...opts });
}

beforeEach(async () => {
  home = tempDir();
  work = tempDir();
  writeFileSync(path.join(work.dir, 'note.txt'), 'hi-from-tool\n');
  writeChatGPTCredentials(home.dir);
  fake = undefined as unknown as FakeBackend;
  await restart();
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
  work.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl,
  KOLEGA_AUTH_ISSUER: fake.url,
  ...extra,
});
const responses = () => fake.requests.filter((r) => r.path === '/backend-api/codex/responses');
const modelsGets = () => fake.requests.filter((r) => r.path === '/backend-api/codex/models');
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Answer 1 of a tool round trip as the Codex 0.171 captures have it: reasoning, commentary, the call. */
function callAnswer(call: Record<string, unknown>): SseEvent[] {
  return [
    ev.created('resp_1'),
    ev.reasoningDone('Looking', 'ENC_1', 'rs_1'),
    ...phasedMessage('Reading the file.', 'msg_c', 'commentary'),
    {
      type: 'response.output_item.done',
      output_index: 2,
      item: { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', ...call },
    },
    ev.completed('resp_1'),
  ];
}
const finalAnswer = (text: string): SseEvent[] => [
  ev.created('resp_2'),
  ...phasedMessage(text, 'msg_f', 'final_answer'),
  ev.completed('resp_2'),
];

/** The headers every ChatGPT `/responses` request of Codex 0.171 carries (captures A, B, C). */
function expectIdentity(req: RecordedRequest, model: string, lite: boolean): string {
  const h = req.headers;
  const sid = h['session-id'] as string;
  expect(sid).toMatch(UUID_V7);
  expect(h['thread-id']).toBe(sid);
  expect(h['x-client-request-id']).toBe(sid);
  expect(h['x-codex-window-id']).toBe(`${sid}:0`);
  expect(h['x-codex-routing-hint']).toBe(`model=${model}`);
  expect(h.version).toBe('0.171.0');
  expect(h.originator).toBe('codex_exec');
  expect(h['user-agent']).toMatch(/^codex_exec\/0\.171\.0 \([^;()]+; [^;()]+\) \S+ \(codex_exec; 0\.171\.0\)$/);
  expect(h.accept).toBe('text/event-stream');
  expect(h['content-type']).toBe('application/json');
  expect(h['chatgpt-account-id']).toBe('acct-test-1');
  expect(h.authorization).toMatch(/^Bearer /);
  if (lite) expect(h['x-openai-internal-codex-responses-lite']).toBe('true');
  else expect(h).not.toHaveProperty('x-openai-internal-codex-responses-lite');
  expect(req.body.prompt_cache_key).toBe(sid);
  return sid;
}

describe('Responses Lite tool round trip (gpt-6.2-sol, as capture B)', () => {
  it('kolega run -m gpt-6.2-sol -e ultra --json: two requests shaped like Codex 0.171, turn state echoed, phase kept', async () => {
    fake.push(
      {
        kind: 'sse',
        events: callAnswer({ name: 'read_file', namespace: 'functions', arguments: '{"path":"note.txt"}' }),
        headers: { 'x-codex-turn-state': 'ts-1' },
      },
      { kind: 'sse', events: finalAnswer('The file says hi-from-tool.'), headers: { 'x-codex-turn-state': 'ts-2' } },
    );
    const r = await runCli(
      ['run', '-m', 'gpt-6.2-sol', '-e', 'ultra', '--json', '-C', work.dir, 'What does note.txt say?'],
      { env: env() },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [first, second] = responses();
    expect(responses()).toHaveLength(2);

    // headers: identical on both requests, plus the turn state on the follow-up only
    const sid = expectIdentity(first!, 'gpt-6.2-sol', true);
    expect(expectIdentity(second!, 'gpt-6.2-sol', true)).toBe(sid);
    expect(first!.headers).not.toHaveProperty('x-codex-turn-state');
    expect(second!.headers['x-codex-turn-state']).toBe('ts-1');

    // body: Codex's keys in Codex's order (client_metadata left out), no instructions, no tools
    for (const req of [first!, second!]) {
      const body = req.body;
      expect(Object.keys(body)).toEqual([
        'model',
        'stream',
        'input',
        'tool_choice',
        'parallel_tool_calls',
        'reasoning',
        'store',
        'include',
        'prompt_cache_key',
        'text',
      ]);
      expect(body).toMatchObject({
        model: 'gpt-6.2-sol',
        stream: true,
        tool_choice: 'auto',
        parallel_tool_calls: false,
        store: false,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: sid,
        text: { verbosity: 'low' },
      });
      expect(body.reasoning).toEqual({ effort: 'ultra', context: 'all_turns' });
    }

    // input 1: the additional_tools developer item, kolega's tools as the `functions` namespace
    const input1 = first!.body.input as Record<string, unknown>[];
    expect(input1[0]).toMatchObject({ type: 'additional_tools', role: 'developer' });
    const namespaces = input1[0]!.tools as Record<string, unknown>[];
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0]).toMatchObject({ type: 'namespace', name: 'functions', description: '' });
    const fns = namespaces[0]!.tools as Record<string, unknown>[];
    expect(fns.map((t) => t.name)).toEqual(['read_file', 'list_dir', 'grep']);
    for (const t of fns) expect(t).toMatchObject({ type: 'function', strict: false, parameters: { type: 'object' } });
    // input 2: kolega's own instructions as a developer message (never Codex's prompt)
    expect(input1[1]).toMatchObject({ type: 'message', role: 'developer' });
    const instructions = (input1[1]!.content as { text: string }[])[0]!.text;
    expect(instructions).toMatch(/^You are kolega/);
    expect(input1.at(-1)).toEqual({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'What does note.txt say?' }],
    });

    // the follow-up: the first input unchanged, then reasoning, the commentary (phase kept), the call, its output
    const input2 = second!.body.input as Record<string, unknown>[];
    expect(JSON.stringify(input2.slice(0, input1.length))).toBe(JSON.stringify(input1));
    const appended = input2.slice(input1.length);
    expect(appended.map((i) => i.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call_output']);
    expect(appended[0]).toMatchObject({ type: 'reasoning', encrypted_content: 'ENC_1' });
    expect(appended[1]).toEqual({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Reading the file.' }],
      phase: 'commentary',
    });
    expect(appended[2]).toEqual({
      type: 'function_call',
      name: 'read_file',
      namespace: 'functions',
      arguments: '{"path":"note.txt"}',
      call_id: 'call_1',
    });
    expect(appended[3]).toMatchObject({ type: 'function_call_output', call_id: 'call_1' });
    expect(appended[3]!.output).toContain('hi-from-tool');

    // NDJSON: commentary and answer carry their phase; final_text is the answer only
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'text.delta').map((e) => [e.phase, e.delta])).toEqual([
      ['commentary', 'Reading the file.'],
      ['final_answer', 'The file says hi-from-tool.'],
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'turn.completed',
      final_text: 'The file says hi-from-tool.',
      requests: 2,
      tool_calls: 1,
    });
  });

  it('the turn state never crosses turns: a second run starts without it', async () => {
    fake.push(
      { kind: 'sse', events: finalAnswer('one'), headers: { 'x-codex-turn-state': 'ts-A' } },
      { kind: 'sse', events: finalAnswer('two') },
    );
    expect((await runCli(['run', '-m', 'gpt-6.2-sol', 'a'], { env: env() })).code).toBe(0);
    expect((await runCli(['run', '-m', 'gpt-6.2-sol', 'b'], { env: env() })).code).toBe(0);
    expect(responses().map((q) => q.headers['x-codex-turn-state'])).toEqual([undefined, undefined]);
    // and each run is its own session
    expect(responses()[0]!.headers['session-id']).not.toBe(responses()[1]!.headers['session-id']);
  });
});

describe('gpt-5.5 tool round trip (as capture C)', () => {
  it('instructions as a developer message, top-level tools, parallel calls allowed, reasoning without context', async () => {
    fake.push(
      {
        kind: 'sse',
        events: callAnswer({ name: 'read_file', arguments: '{"path":"note.txt"}' }),
        headers: { 'x-codex-turn-state': 'ts-1' },
      },
      { kind: 'sse', events: finalAnswer('hi-from-tool') },
    );
    const r = await runCli(['run', '-m', 'gpt-5.5', '--json', '-C', work.dir, 'read note.txt'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [first, second] = responses();
    const sid = expectIdentity(first!, 'gpt-5.5', false);
    expect(expectIdentity(second!, 'gpt-5.5', false)).toBe(sid);
    expect(first!.headers).not.toHaveProperty('x-codex-turn-state');
    expect(second!.headers['x-codex-turn-state']).toBe('ts-1');
    for (const req of [first!, second!]) {
      expect(Object.keys(req.body)).toEqual([
        'model',
        'stream',
        'input',
        'tools',
        'tool_choice',
        'parallel_tool_calls',
        'reasoning',
        'store',
        'include',
        'prompt_cache_key',
        'text',
      ]);
      expect(req.body).toMatchObject({
        model: 'gpt-5.5',
        stream: true,
        tool_choice: 'auto',
        parallel_tool_calls: true,
        store: false,
        text: { verbosity: 'low' },
      });
      expect(req.body.reasoning).toEqual({ effort: 'medium' });
      expect((req.body.tools as { name: string }[]).map((t) => t.name)).toEqual(['read_file', 'list_dir', 'grep']);
    }
    const input1 = first!.body.input as Record<string, unknown>[];
    expect(input1.map((i) => [i.type, i.role])).toEqual([
      ['message', 'developer'],
      ['message', 'user'], // environment context (capture C has it in the same place)
      ['message', 'user'],
    ]);
    const input2 = second!.body.input as Record<string, unknown>[];
    expect(JSON.stringify(input2.slice(0, 3))).toBe(JSON.stringify(input1));
    expect(input2.slice(3).map((i) => i.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
      'function_call_output',
    ]);
    expect(input2[4]).toMatchObject({ role: 'assistant', phase: 'commentary' });
    expect(input2[5]).toEqual({
      type: 'function_call',
      name: 'read_file',
      arguments: '{"path":"note.txt"}',
      call_id: 'call_1',
    });
  });
});

describe('phases and refusals in the output', () => {
  it('commentary then answer: text mode prints only the answer on stdout, commentary on stderr with --verbose; -o gets the answer', async () => {
    const out = path.join(work.dir, 'last.txt');
    fake.push({
      kind: 'sse',
      events: [
        ev.created(),
        ...phasedMessage('Checking the file.', 'msg_c', 'commentary'),
        ...phasedMessage('42', 'msg_f', 'final_answer'),
        ev.completed(),
      ],
    });
    const r = await runCli(['run', '-m', 'gpt-6.2-sol', '--verbose', '-o', out, 'q'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('42\n');
    expect(r.stderr).toContain('Checking the file.');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(out, 'utf8')).toBe('42\n');
  });

  it('a refusal is printed like an answer, carried in NDJSON, and exit 0', async () => {
    fake.push(
      { kind: 'sse', events: refusalAnswer("I can't help with that.") },
      { kind: 'sse', events: refusalAnswer("I can't help with that.") },
    );
    const text = await runCli(['run', '-m', 'gpt-6.2-sol', 'bad'], { env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toBe("I can't help with that.\n");
    const json = await runCli(['run', '-m', 'gpt-6.2-sol', '--json', 'bad'], { env: env() });
    expect(json.code).toBe(0);
    const events = parseEvents(json.stdout);
    expect(
      events
        .filter((e) => e.type === 'refusal.delta')
        .map((e) => e.delta)
        .join(''),
    ).toBe("I can't help with that.");
    expect(events.at(-1)).toMatchObject({ type: 'turn.completed', final_text: '', refusal: "I can't help with that." });
  });

  it('--output-schema exits 5 saying the model refused', async () => {
    const schema = path.join(work.dir, 'schema.json');
    writeFileSync(
      schema,
      JSON.stringify({
        type: 'object',
        properties: { a: { type: 'string' } },
        required: ['a'],
        additionalProperties: false,
      }),
    );
    fake.push({ kind: 'sse', events: refusalAnswer('No.') });
    const r = await runCli(['run', '-m', 'gpt-6.2-sol', '--output-schema', schema, '--json', 'bad'], { env: env() });
    expect(r.code).toBe(5);
    const events = parseEvents(r.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'model_refused' } });
    expect(r.stderr).toMatch(/the model refused: No\./);
  });
});

describe('the catalogue from the server', () => {
  it('kolega models lists the gpt-6.x models signed in (live) and offline (bundled)', async () => {
    const live = await runCli(['models', '--provider', 'openai_chatgpt'], { env: env() });
    expect(live.code).toBe(0);
    expect(live.stdout.split('\n').slice(0, 3)).toEqual([
      'openai_chatgpt/gpt-6.2-sol',
      'openai_chatgpt/gpt-6.2-astra',
      'openai_chatgpt/gpt-6.1-terra',
    ]);
    expect(modelsGets()[0]!.query).toBe('client_version=0.171.0');
    const base = fake.chatgptBaseUrl;
    await fake.close();
    const offlineHome = tempDir();
    try {
      writeChatGPTCredentials(offlineHome.dir);
      const offline = await runCli(['models', '--json'], {
        env: { KOLEGA_HOME: offlineHome.dir, KOLEGA_CHATGPT_BASE_URL: base, KOLEGA_AUTH_ISSUER: 'http://127.0.0.1:1' },
      });
      expect(offline.code).toBe(0);
      expect(offline.stderr).toMatch(/could not fetch the live model list/);
      const doc = JSON.parse(offline.stdout) as { default_model: string; models: { id: string; source: string }[] };
      expect(doc.default_model).toBe('openai_chatgpt/gpt-6.2-sol');
      expect(doc.models.filter((m) => m.id.startsWith('gpt-6')).length).toBeGreaterThanOrEqual(7);
    } finally {
      offlineHome.cleanup();
      await restart();
    }
  });

  it('an x-models-etag that differs from the cached ETag refreshes the list after the turn; an equal one does not', async () => {
    let etag = '"cat-1"';
    await restart({ modelsEtag: () => etag });
    expect((await runCli(['models'], { env: env() })).code).toBe(0);
    expect(modelsGets()).toHaveLength(1);
    fake.push({ kind: 'sse', events: textAnswer('same'), headers: { 'x-models-etag': '"cat-1"' } });
    expect((await runCli(['run', 'hi'], { env: env() })).code).toBe(0);
    expect(modelsGets()).toHaveLength(1);
    etag = '"cat-2"';
    fake.push({ kind: 'sse', events: textAnswer('changed'), headers: { 'x-models-etag': '"cat-2"' } });
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('changed\n');
    expect(modelsGets()).toHaveLength(2);
    expect(fake.requests.at(-1)!.path).toBe('/backend-api/codex/models'); // right after the turn
    const { readFileSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(path.join(home.dir, 'models-cache.json'), 'utf8')).etag).toBe('"cat-2"');
  });

  it('a claimed version below a model minimum hides it from the live list; the server refuses it with a message naming the model and kolega models', async () => {
    const older = env({ KOLEGA_CODEX_VERSION: '0.150.0' });
    const list = await runCli(['models', '--json', '--provider', 'openai_chatgpt'], { env: older });
    expect(modelsGets()[0]!.query).toBe('client_version=0.150.0');
    const doc = JSON.parse(list.stdout) as { models: { id: string; source: string }[] };
    expect(doc.models.filter((m) => m.source === 'live').map((m) => m.id)).not.toContain('gpt-6.2-sol');
    const r = await runCli(['run', '-m', 'gpt-6.2-sol', 'hi'], { env: older });
    expect(r.code).toBe(5);
    expect(responses()[0]!.headers.version).toBe('0.150.0');
    expect(r.stderr).toMatch(/gpt-6\.2-sol/);
    expect(r.stderr).toMatch(/kolega models/);
    const doctor = await runCli(['doctor', '--json'], { env: older });
    const identity = (
      JSON.parse(doctor.stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] }
    ).checks.find((c) => c.id === 'codex.identity')!;
    expect(identity.status).toBe('warn');
    expect(identity.message).toMatch(/claims Codex 0\.150\.0 from KOLEGA_CODEX_VERSION/);
    expect(identity.message).toMatch(/gpt-6\.2-sol \(needs 0\.166\.0\)/);
    expect(identity.fix).toBe('unset KOLEGA_CODEX_VERSION');
    const current = JSON.parse((await runCli(['doctor', '--json'], { env: env() })).stdout) as {
      checks: { id: string; status: string }[];
    };
    expect(current.checks.find((c) => c.id === 'codex.identity')!.status).toBe('ok');
  });

  it('a model the server does not support exits 5 naming the model and kolega models', async () => {
    await restart({ refuseModels: ['gpt-6.2-astra'] });
    const r = await runCli(['run', '-m', 'gpt-6.2-astra', 'hi'], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/model "gpt-6\.2-astra".*not supported/);
    expect(r.stderr).toMatch(/kolega models/);
  });

  it('--image with a model whose input_modalities lack image exits 2 naming the model, before any request', async () => {
    const textOnly = { ...liveModel('gpt-text-only', 'Text Only', 'medium', 0), input_modalities: ['text'] };
    await restart({ models: [...DEFAULT_LIVE_MODELS, textOnly] });
    const listed = await runCli(['models', '--json', '--provider', 'openai_chatgpt'], { env: env() });
    const doc = JSON.parse(listed.stdout) as { models: { id: string; input_modalities: string[] | null }[] };
    expect(doc.models.find((m) => m.id === 'gpt-text-only')!.input_modalities).toEqual(['text']);
    expect(doc.models.find((m) => m.id === 'gpt-6.2-sol')!.input_modalities).toEqual(['text', 'image']);
    const img = path.join(work.dir, 'dot.png');
    writeFileSync(
      img,
      Buffer.from(
        '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082',
        'hex',
      ),
    );
    const r = await runCli(['run', '-m', 'gpt-text-only', '--image', img, 'what is this?'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/model "openai_chatgpt\/gpt-text-only" does not take images/);
    expect(responses()).toHaveLength(0);
    // the same image with a model that takes images goes through
    fake.push({ kind: 'sse', events: textAnswer('a dot') });
    const ok = await runCli(['run', '-m', 'gpt-6.2-sol', '--image', img, 'what is this?'], { env: env() });
    expect(ok.code).toBe(0);
    expect(JSON.stringify(responses()[0]!.body.input)).toContain('"input_image"');
  });

  it('the fake enforces the real rules: a lite request without reasoning.context or with parallel calls, a gated model without `version`', async () => {
    const { validateLite, gateModel } = await import('../fakes/backend.js');
    expect(validateLite({ reasoning: { effort: 'low' }, parallel_tool_calls: false })).toMatch(/all_turns/);
    expect(validateLite({ reasoning: { effort: 'low', context: 'all_turns' }, parallel_tool_calls: true })).toMatch(
      /parallel_tool_calls/,
    );
    expect(
      validateLite({ reasoning: { effort: 'low', context: 'all_turns' }, parallel_tool_calls: false }),
    ).toBeUndefined();
    expect(gateModel({ model: 'gpt-6.2-sol' }, {}, DEFAULT_LIVE_MODELS, [])).toMatch(/requires a newer version/);
    expect(gateModel({ model: 'gpt-6.2-sol' }, { version: '0.171.0' }, DEFAULT_LIVE_MODELS, [])).toBeUndefined();
    const textOnly = [{ slug: 'gpt-text-only', input_modalities: ['text'] }];
    expect(
      gateModel(
        {
          model: 'gpt-text-only',
          input: [{ type: 'message', role: 'user', content: [{ type: 'input_image', image_url: 'data:' }] }],
        },
        {},
        textOnly,
        [],
      ),
    ).toMatch(/image/);
  });
});
