/**
 * The transport seam (src/core/responses/transport.ts, websocket.ts) against the fake backend:
 * the `response.create` frame (chained or whole, Lite flag in client_metadata), the HTTP fallback
 * of `auto` reusing the attempt's credentials (one fetch, never two: a second fetch can refresh the
 * tokens a second time), `websocket` without fallback, `http` without an upgrade.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KolegaError } from '../../../../src/core/errors.js';
import type { Provider } from '../../../../src/core/providers/types.js';
import { ResponseAssembler } from '../../../../src/core/responses/assemble.js';
import type { InputItem } from '../../../../src/core/responses/items.js';
import type { RequestSpec } from '../../../../src/core/responses/request.js';
import { openTransport, type TransportMode } from '../../../../src/core/responses/transport.js';
import { buildFrame, websocketUrl } from '../../../../src/core/responses/websocket.js';
import { startFakeBackend, type FakeBackend } from '../../../fakes/backend.js';
import { textAnswer } from '../../../fakes/sse-events.js';

const user: InputItem = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] };
const output: InputItem = { type: 'function_call_output', call_id: 'c1', output: 'ok' };
const spec = (input: InputItem[], lite = false): RequestSpec => ({
  model: 'gpt-5.5',
  instructions: 'be brief',
  input,
  tools: [],
  effort: 'low',
  sessionId: 'sess-1',
  chatgptBackend: true,
  ...(lite
    ? {
        shape: {
          instructions: 'developer_message',
          tools: 'additional_tools',
          parallelToolCalls: false,
          lite: true,
          reasoningContext: 'all_turns',
        } as RequestSpec['shape'],
      }
    : {}),
});

describe('buildFrame', () => {
  it('a whole request: response.create with the HTTP body fields and the start time', () => {
    const f = JSON.parse(buildFrame(spec([user]), undefined, undefined, 1_700_000_000_000)) as Record<string, unknown>;
    expect(f.type).toBe('response.create');
    expect(f).not.toHaveProperty('previous_response_id');
    expect(f).toMatchObject({
      model: 'gpt-5.5',
      stream: true,
      store: false,
      prompt_cache_key: 'sess-1',
      input: [user],
    });
    expect(f.client_metadata).toEqual({ 'x-codex-ws-stream-request-start-ms': '1700000000000' });
  });

  it('a chained request: previous_response_id before input, only the items from chainFrom on, Lite flag in client_metadata', () => {
    const text = buildFrame(spec([user, output], true), 'resp_9', 1);
    const f = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(f).slice(0, 5)).toEqual(['type', 'model', 'stream', 'previous_response_id', 'input']);
    expect(f.previous_response_id).toBe('resp_9');
    expect(f.input).toEqual([output]); // no additional_tools or instructions again: the response holds them
    expect((f.client_metadata as Record<string, string>).ws_request_header_x_openai_internal_codex_responses_lite).toBe(
      'true',
    );
  });

  it('no previous response: the whole input even when chainFrom is given', () => {
    const f = JSON.parse(buildFrame(spec([user, output]), undefined, 1)) as Record<string, unknown>;
    expect(f.input).toEqual([user, output]);
  });

  it('websocketUrl maps http(s) to ws(s)', () => {
    expect(websocketUrl('https://chatgpt.com/backend-api/codex')).toBe('wss://chatgpt.com/backend-api/codex/responses');
    expect(websocketUrl('http://127.0.0.1:9/backend-api/codex')).toBe('ws://127.0.0.1:9/backend-api/codex/responses');
  });
});

describe('openTransport', () => {
  let fake: FakeBackend;
  let fetches = 0;
  beforeEach(async () => {
    fake = await startFakeBackend();
    fetches = 0;
  });
  afterEach(() => fake.close());

  const provider = (): Provider => ({
    id: 'openai_chatgpt',
    baseUrl: fake.chatgptBaseUrl,
    chatgptBackend: true,
    env: {},
    staticHeaders: { version: '0.171.0' },
    auth: {
      headers: async () => {
        fetches++;
        return { authorization: `Bearer token-${fetches}` };
      },
      recoverUnauthorized: async () => false,
    },
  });
  const send = (mode: TransportMode) => {
    const t = openTransport(provider(), mode);
    const opts = { signal: new AbortController().signal, idleTimeoutMs: 10_000 };
    return { t, run: () => t.send({ spec: spec([user]) }, new ResponseAssembler(() => undefined), opts) };
  };

  it('auto: a refused upgrade falls back to HTTP with the same credentials, fetched once; later requests skip the upgrade', async () => {
    fake.push({ kind: 'sse', events: textAnswer('one') }, { kind: 'sse', events: textAnswer('two') });
    const { t, run } = send('auto');
    expect(t.current).toBe('websocket');
    await run();
    expect(fetches).toBe(1);
    expect(fake.upgrades.map((u) => [u.status, u.headers.authorization])).toEqual([[426, 'Bearer token-1']]);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer token-1');
    expect(t.current).toBe('http');
    await run();
    expect(fake.upgrades).toHaveLength(1);
    expect(fetches).toBe(2);
    expect(t.uploads).toHaveLength(2);
    t.close();
  });

  it('websocket: a refused upgrade is an error, no HTTP request', async () => {
    const { t, run } = send('websocket');
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KolegaError);
    expect((err as KolegaError).code).toBe('websocket_unavailable');
    expect(fake.requests).toEqual([]);
    t.close();
  });

  it('websocket with the public API is refused up front', () => {
    expect(() => openTransport({ ...provider(), chatgptBackend: false }, 'websocket')).toThrow(/ChatGPT backend only/);
  });

  it('http: never upgrades', async () => {
    fake.push({ kind: 'sse', events: textAnswer('one') });
    const { t, run } = send('http');
    await run();
    expect(fake.upgrades).toEqual([]);
    expect(t.current).toBe('http');
  });
});
