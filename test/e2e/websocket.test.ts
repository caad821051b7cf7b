/**
 * The Responses WebSocket transport end to end (README "Transport", docs/protocol.md §e.1):
 * the real binary against the fake backend's WebSocket endpoint, which enforces capture B2's frame
 * rules. A tool round trip over one connection whose second frame chains to the first response and
 * carries only the tool output; a refused upgrade falls back to HTTP with the same output; a
 * connection dropped mid-turn is replaced and the request re-sent whole, output never repeated;
 * `--transport http` (or the setting) never upgrades; `--transport websocket` does not fall back.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend, type FakeBackendOptions } from '../fakes/backend.js';
import { startProxy } from '../fakes/proxy.js';
import { ev, phasedMessage, type SseEvent } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';
import { writeChatGPTCredentials } from '../helpers/tokens.js';

let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };
let work: { dir: string; cleanup: () => void };

async function restart(opts: FakeBackendOptions = {}): Promise<void> {
  await fake?.close();
  fake = await startFakeBackend({ accountId: 'acct-test-1', websocket: true, ...opts });
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
const httpResponses = () => fake.requests.filter((r) => r.path === '/backend-api/codex/responses');
const PROMPT = 'What does note.txt say?';
const args = (...extra: string[]) => ['run', '-m', 'gpt-6.2-sol', '-C', work.dir, ...extra, PROMPT];

/** Answer 1 of a tool round trip as in capture B2: reasoning, commentary, the call. */
const callAnswer: SseEvent[] = [
  ev.created('resp_1'),
  ev.reasoningDone('Looking', 'ENC_1', 'rs_1'),
  ...phasedMessage('Reading the file.', 'msg_c', 'commentary'),
  {
    type: 'response.output_item.done',
    output_index: 2,
    item: {
      id: 'fc_1',
      type: 'function_call',
      status: 'completed',
      call_id: 'call_1',
      name: 'read_file',
      namespace: 'functions',
      arguments: '{"path":"note.txt"}',
    },
  },
  ev.completed('resp_1'),
];
const finalAnswer: SseEvent[] = [
  ev.created('resp_2'),
  ...phasedMessage('The file says hi-from-tool.', 'msg_f', 'final_answer'),
  ev.completed('resp_2'),
];
const script = () => fake.push({ kind: 'sse', events: callAnswer }, { kind: 'sse', events: finalAnswer });

describe('WebSocket transport (capture B2)', () => {
  it('B2: a tool round trip over one connection; the second frame chains with previous_response_id and carries only the tool output', async () => {
    script();
    const r = await runCli(args('--json'), { killAfterMs: 90_000, env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(httpResponses()).toEqual([]);

    // the upgrade: the request headers of the HTTP path plus the WebSocket beta, no per-model lite header
    expect(fake.upgrades).toHaveLength(1);
    const h = fake.upgrades[0]!.headers;
    expect(fake.upgrades[0]!.status).toBe(101);
    expect(h['openai-beta']).toBe('responses_websockets=2026-02-06');
    expect(h.authorization).toMatch(/^Bearer /);
    expect(h['chatgpt-account-id']).toBe('acct-test-1');
    const sid = h['session-id'] as string;
    expect(h['thread-id']).toBe(sid);
    expect(h['x-client-request-id']).toBe(sid);
    expect(h['x-codex-window-id']).toBe(`${sid}:0`);
    expect(h['x-codex-routing-hint']).toBe('model=gpt-6.2-sol');
    expect(h.version).toBe('0.171.0');
    expect(h.originator).toBe('codex_exec');
    expect(h['user-agent']).toMatch(/^codex_exec\/0\.171\.0 /);
    expect(h).not.toHaveProperty('x-openai-internal-codex-responses-lite');

    // frame 1: response.create with the HTTP body's fields and the whole input
    expect(fake.frames.map((f) => [f.connection, f.status])).toEqual([
      [0, undefined],
      [0, undefined],
    ]);
    const [first, second] = fake.frames.map((f) => f.body);
    expect(first).toMatchObject({
      type: 'response.create',
      model: 'gpt-6.2-sol',
      stream: true,
      store: false,
      prompt_cache_key: sid,
      parallel_tool_calls: false,
    });
    expect(first).not.toHaveProperty('previous_response_id');
    const meta1 = first!.client_metadata as Record<string, string>;
    expect(meta1.ws_request_header_x_openai_internal_codex_responses_lite).toBe('true');
    expect(meta1['x-codex-ws-stream-request-start-ms']).toMatch(/^\d{13}$/);
    const input1 = first!.input as Record<string, unknown>[];
    expect(input1[0]).toMatchObject({ type: 'additional_tools', role: 'developer' });
    expect(input1.at(-1)).toEqual({ type: 'message', role: 'user', content: [{ type: 'input_text', text: PROMPT }] });

    // frame 2: chained to the server's id of response 1, with only the new item
    expect(Object.keys(second!).slice(0, 5)).toEqual(['type', 'model', 'stream', 'previous_response_id', 'input']);
    expect(second!.previous_response_id).toBe('resp_ws_1');
    const input2 = second!.input as Record<string, unknown>[];
    expect(input2.map((i) => i.type)).toEqual(['function_call_output']);
    expect(input2[0]).toMatchObject({ call_id: 'call_1' });
    expect(input2[0]!.output).toContain('hi-from-tool');
    expect(fake.frames[1]!.bytes).toBeLessThan(fake.frames[0]!.bytes / 2);
    expect(
      (second!.client_metadata as Record<string, string>).ws_request_header_x_openai_internal_codex_responses_lite,
    ).toBe('true');

    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'text.delta').map((e) => e.delta)).toEqual([
      'Reading the file.',
      'The file says hi-from-tool.',
    ]);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      type: 'turn.completed',
      final_text: 'The file says hi-from-tool.',
      requests: 2,
      tool_calls: 1,
    });
  });

  it('the fake enforces the chaining rules: a repeated conversation or an unknown previous_response_id is refused', async () => {
    // A client that re-sends the whole conversation with previous_response_id, as over HTTP.
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${fake.url.replace('http', 'ws')}/backend-api/codex/responses`, {
      headers: {
        authorization: 'Bearer any',
        'chatgpt-account-id': 'acct-test-1',
        'openai-beta': 'responses_websockets=2026-02-06',
        'session-id': 's1',
        version: '0.171.0',
      },
    });
    const replies: Record<string, unknown>[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    const user = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] };
    const dev = { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'be brief' }] };
    const base = { type: 'response.create', model: 'gpt-5.5', stream: true, store: false, prompt_cache_key: 's1' };
    const until = async (n: number) => {
      while (replies.length < n) await new Promise((r) => setTimeout(r, 10));
    };
    fake.push({ kind: 'sse', events: [ev.created(), ev.messageDone('hello'), ev.completed()] });
    ws.send(JSON.stringify({ ...base, previous_response_id: 'resp_nope', input: [dev, user] }));
    await until(1);
    expect(replies[0]).toMatchObject({ type: 'error', status: 400, error: { code: 'previous_response_not_found' } });
    ws.send(JSON.stringify({ ...base, input: [dev, user] }));
    await until(4);
    expect(replies.at(-1)).toMatchObject({ type: 'response.completed', response: { id: 'resp_ws_1' } });
    ws.send(JSON.stringify({ ...base, previous_response_id: 'resp_ws_1', input: [dev, user, user] }));
    await until(5);
    expect(replies[4]).toMatchObject({ type: 'error', status: 400 });
    expect(JSON.stringify(replies[4])).toContain('Duplicate item');
    ws.close();
    expect(fake.upgrades.map((u) => u.status)).toEqual([101]);
  });

  it('a refused upgrade (426) falls back to HTTP silently, with the same output as over the WebSocket', async () => {
    script();
    const overWs = await runCli(args(), { killAfterMs: 90_000, env: env() });
    expect(overWs.code).toBe(0);
    expect(fake.frames).toHaveLength(2);

    await restart({ websocket: false });
    script();
    const overHttp = await runCli(args(), { killAfterMs: 90_000, env: env() });
    expect(overHttp.stderr).toBe('');
    expect(overHttp.code).toBe(0);
    expect(overHttp.stdout).toBe(overWs.stdout);
    expect(fake.upgrades.map((u) => u.status)).toEqual([426]); // tried once, then HTTP for the rest of the run
    expect(fake.frames).toEqual([]);
    expect(httpResponses()).toHaveLength(2);
    // HTTP has no chaining: the follow-up carries the whole conversation
    expect((httpResponses()[1]!.body.input as unknown[]).length).toBeGreaterThan(
      (httpResponses()[0]!.body.input as unknown[]).length,
    );

    await restart({ websocket: false });
    script();
    const json = await runCli(args('--json'), { killAfterMs: 90_000, env: env() });
    expect(json.code).toBe(0);
    expect(parseEvents(json.stdout).filter((e) => e.type === 'retry' || e.type === 'turn.failed')).toEqual([]);
  }, 120_000);

  it('a connection dropped mid-turn is replaced: the request is re-sent whole on a new connection, no output repeated', async () => {
    fake.ws.dropOnFrames = [2]; // the tool output's frame: the connection dies before any answer
    script();
    const r = await runCli(args('--json'), { killAfterMs: 90_000, env: env() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'text.delta').map((e) => e.delta)).toEqual([
      'Reading the file.',
      'The file says hi-from-tool.',
    ]);
    expect(events.filter((e) => e.type === 'tool.call')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({
      type: 'turn.completed',
      final_text: 'The file says hi-from-tool.',
      tool_calls: 1,
    });
    expect(fake.upgrades.map((u) => u.status)).toEqual([101, 101]);
    expect(fake.frames.map((f) => f.connection)).toEqual([0, 0, 1]);
    const resent = fake.frames[2]!.body;
    expect(resent).not.toHaveProperty('previous_response_id'); // the new connection holds nothing
    const types = (resent.input as Record<string, unknown>[]).map((i) => i.type);
    expect(types[0]).toBe('additional_tools');
    expect(types.slice(-4)).toEqual(['reasoning', 'message', 'function_call', 'function_call_output']);
    expect(fake.frames[2]!.status).toBeUndefined();
    expect(httpResponses()).toEqual([]); // the WebSocket had worked: no fallback
  });

  it('a drop after text was shown is not replayed: the run fails with the network status, the text appears once', async () => {
    fake.push({ kind: 'sse', events: [ev.created(), ev.textDelta('partial ')], resetAfter: true });
    const r = await runCli(args('--no-tools'), { killAfterMs: 90_000, env: env() });
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('partial \n');
    expect(r.stderr).toMatch(/broke mid-stream/);
    expect(fake.frames).toHaveLength(1);
  });

  it('goes through HTTP_PROXY like the HTTP path (a CONNECT tunnel to the backend)', async () => {
    const proxy = await startProxy();
    try {
      script();
      const r = await runCli(args('--json'), { killAfterMs: 90_000, env: env({ HTTP_PROXY: proxy.url }) });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(fake.frames.map((f) => f.connection)).toEqual([0, 0]);
      expect(httpResponses()).toEqual([]);
      expect(proxy.log.some((e) => e.target === new URL(fake.url).host)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('--transport http never upgrades; neither does the transport setting', async () => {
    script();
    const r = await runCli(args('--transport', 'http'), { killAfterMs: 90_000, env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('The file says hi-from-tool.\n');
    expect(fake.upgrades).toEqual([]);
    expect(httpResponses()).toHaveLength(2);

    const set = await runCli(['config', 'set', 'transport', 'http'], { killAfterMs: 90_000, env: env() });
    expect(set.code).toBe(0);
    script();
    const viaSetting = await runCli(args(), { killAfterMs: 90_000, env: env() });
    expect(viaSetting.code).toBe(0);
    expect(fake.upgrades).toEqual([]);
    // the flag wins over the setting
    script();
    const flag = await runCli(args('--transport', 'auto'), { killAfterMs: 90_000, env: env() });
    expect(flag.code).toBe(0);
    expect(fake.upgrades).toHaveLength(1);
  }, 120_000);

  it('--transport websocket does not fall back: a refused upgrade fails the run', async () => {
    await restart({ websocket: false });
    const r = await runCli(args('--transport', 'websocket'), { killAfterMs: 90_000, env: env() });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^kolega: the WebSocket to 127\.0\.0\.1:\d+ failed before any answer/);
    expect(httpResponses()).toEqual([]);
  });

  it('--transport websocket with an API key is a usage error; bad values are refused', async () => {
    const api = { KOLEGA_HOME: tempDir().dir, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.openaiBaseUrl };
    const r = await runCli(['run', '--transport', 'websocket', '--no-stdin', 'hi'], { killAfterMs: 90_000, env: api });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/WebSocket transport is offered by the ChatGPT backend only/);
    const bad = await runCli(['run', '--transport', 'carrier-pigeon', 'hi'], { killAfterMs: 90_000, env: api });
    expect(bad.code).toBe(2);
    const badSetting = await runCli(['config', 'set', 'transport', 'fast'], { killAfterMs: 90_000, env: api });
    expect(badSetting.code).toBe(2);
    expect(badSetting.stderr).toMatch(/unknown transport "fast"/);
  }, 120_000);
});
