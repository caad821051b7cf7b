/**
 * `kolega run` end to end: the real binary against the strict fake backend, both providers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { ev, textAnswer, toolCall } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';
import { writeChatGPTCredentials } from '../helpers/tokens.js';

let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };

beforeEach(async () => {
  home = tempDir();
  fake = await startFakeBackend();
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
});

const apiEnv = () => ({ KOLEGA_HOME: home.dir, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.openaiBaseUrl });

describe('kolega run (API key)', () => {
  it('streams the answer to stdout with a final newline', async () => {
    fake.push({ kind: 'sse', events: textAnswer('Hello there, friend') });
    const r = await runCli(['run', 'hi'], { env: apiEnv() });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Hello there, friend\n');
    expect(r.code).toBe(0);
    expect(fake.requests).toHaveLength(1);
    const body = fake.requests[0]!.body;
    // The public API gets the classic shape for every model (the catalogue's first model is the default).
    expect(body).toMatchObject({
      model: 'gpt-6.2-sol',
      store: false,
      stream: true,
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    });
    expect(typeof body.instructions).toBe('string');
    expect((body.instructions as string).length).toBeGreaterThan(0);
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('max_output_tokens');
    // the environment context (a new session's lead, README "Sessions"), then the prompt
    const input = body.input as { role: string; content: { text: string }[] }[];
    expect(input).toHaveLength(2);
    expect(input[0]).toMatchObject({ type: 'message', role: 'user' });
    expect(input[0]!.content[0]!.text).toMatch(/^<environment_context>\n/);
    expect(input[1]).toEqual({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] });
    expect(fake.requests[0]!.headers['session-id']).toBe(body.prompt_cache_key);
  });

  it('reads the prompt from stdin when no argument is given', async () => {
    fake.push({ kind: 'sse', events: textAnswer('ok') });
    const r = await runCli(['run'], { env: apiEnv(), stdin: 'what is 2+2?\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok\n');
    expect(JSON.stringify(fake.requests[0]!.body.input)).toContain('what is 2+2?');
  });

  it('emits schema-valid NDJSON with --json', async () => {
    fake.push({ kind: 'sse', events: textAnswer('Hi!') });
    const r = await runCli(['run', '--json', 'hi'], { env: apiEnv() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events.map((e) => e.type)).toEqual([
      'turn.started',
      'text.delta',
      'text.delta',
      'text.delta',
      'message.completed',
      'turn.completed',
    ]);
    expect(events[0]).toMatchObject({
      provider: 'openai',
      model: 'gpt-6.2-sol',
      effort: 'low',
      sandbox: 'read-only',
      tools: ['read_file', 'list_dir', 'grep'],
    });
    expect(events.at(-1)).toMatchObject({
      final_text: 'Hi!',
      requests: 1,
      tool_calls: 0,
      usage: {
        input_tokens: 10,
        cached_input_tokens: 2,
        output_tokens: 5,
        reasoning_output_tokens: 1,
        total_tokens: 15,
      },
    });
  });

  it('runs a tool call and sends the function_call, its output and the reasoning back', async () => {
    fake.push(
      {
        kind: 'sse',
        events: [
          ev.created('r1'),
          ev.reasoningDelta('thinking'),
          ev.reasoningDone('thinking', 'ENC1'),
          ...toolCall('call_1', 'read_file', { path: 'package.json' }).slice(1),
        ],
      },
      { kind: 'sse', events: textAnswer('The package is kolega.') },
    );
    const r = await runCli(['run', '--json', 'what is the package name?'], { env: apiEnv() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    const call = events.find((e) => e.type === 'tool.call')!;
    expect(call).toMatchObject({ call_id: 'call_1', name: 'read_file', arguments: { path: 'package.json' } });
    const result = events.find((e) => e.type === 'tool.result')!;
    expect(result).toMatchObject({ call_id: 'call_1', status: 'ok' });
    expect(result.output).toContain('"name": "kolega"');
    expect(fake.requests).toHaveLength(2);
    const input = fake.requests[1]!.body.input as Record<string, unknown>[];
    expect(input.map((i) => i.type)).toEqual([
      'message',
      'message',
      'reasoning',
      'function_call',
      'function_call_output',
    ]);
    expect(input[2]).toEqual({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'thinking' }],
      encrypted_content: 'ENC1',
    });
    expect(input[3]).toEqual({
      type: 'function_call',
      name: 'read_file',
      arguments: '{"path":"package.json"}',
      call_id: 'call_1',
    });
    expect(input[4]).toMatchObject({ type: 'function_call_output', call_id: 'call_1' });
    expect(events.at(-1)).toMatchObject({
      type: 'turn.completed',
      requests: 2,
      tool_calls: 1,
      final_text: 'The package is kolega.',
    });
  });
});

describe('kolega run (ChatGPT sign-in)', () => {
  it('sends the bearer token, account id and originator, and validates the body like the backend', async () => {
    const token = writeChatGPTCredentials(home.dir, { accountId: 'acct-42' });
    await fake.close();
    fake = await startFakeBackend({
      chatgptTokens: [token],
      accountId: 'acct-42',
      steps: [{ kind: 'sse', events: textAnswer('hello') }],
    });
    const r = await runCli(['run', 'hi'], {
      env: { KOLEGA_HOME: home.dir, KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello\n');
    expect(r.code).toBe(0);
    const req = fake.requests[0]!;
    expect(req.path).toBe('/backend-api/codex/responses');
    expect(req.headers.authorization).toBe(`Bearer ${token}`);
    expect(req.headers['chatgpt-account-id']).toBe('acct-42');
    expect(req.headers.originator).toBe('codex_exec');
    expect(req.headers.version).toBe('0.171.0');
    expect(req.headers['user-agent']).toMatch(
      /^codex_exec\/0\.171\.0 \(\S+ [^;]+; \S+\) \S+ \(codex_exec; 0\.171\.0\)$/,
    );
  });

  it('does not send --max-output-tokens to the ChatGPT backend and warns once', async () => {
    const token = writeChatGPTCredentials(home.dir);
    await fake.close();
    fake = await startFakeBackend({ chatgptTokens: [token], steps: [{ kind: 'sse', events: textAnswer('hi') }] });
    const r = await runCli(['run', '--max-output-tokens', '64', 'hi'], {
      env: { KOLEGA_HOME: home.dir, KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl },
    });
    expect(r.code).toBe(0);
    expect(r.stderr.match(/max-output-tokens/g)).toHaveLength(1);
    expect(fake.requests[0]!.body).not.toHaveProperty('max_output_tokens');
  });
});
