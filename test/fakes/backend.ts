/**
 * A strict local fake of the ChatGPT Responses backend (`/backend-api/codex/responses`) and of the
 * public API (`/v1/responses`) on 127.0.0.1. It rejects what the real servers reject (docs/protocol.md
 * §e.7: missing instructions, store not false, stream not true, max_output_tokens/temperature on the
 * ChatGPT backend, a wrong bearer, a missing account id, item ids with store:false, a
 * function_call_output without its function_call), replays scripted steps, can split the bytes at
 * any boundary, use CRLF, stall, reset or cut mid-event, and records every request.
 * It also serves the live model list `GET /backend-api/codex/models?client_version=` (docs/protocol.md §g)
 * behind the same auth checks as the ChatGPT `/responses` path: by default the Codex 0.171 catalogue,
 * hiding every model whose `minimal_client_version` is above the `client_version` asked with (as
 * the real server does), with an `ETag`. Like the real server it refuses a request to a catalogue
 * model without a `version` header or with a version below the model's minimum, and a Responses
 * Lite request (`x-openai-internal-codex-responses-lite: true`) without `reasoning.context:
 * "all_turns"` or with `parallel_tool_calls: true`. Turn state, models ETag, phases and refusals
 * are scripted through step headers and ./sse-events.ts.
 * The public API's model list `GET /v1/models` is served behind the same API-key check as
 * `/v1/responses` (`{"object":"list","data":[{"id",...}]}`), with an `ETag`; a matching
 * `If-None-Match` gets a 304 with no body (RFC 9110 section 13.1.2).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { toSse, type SseEvent } from './sse-events.js';
import {
  attachWebSocket,
  type RecordedFrame,
  type RecordedUpgrade,
  type WsAnswer,
  type WsControl,
} from './backend-ws.js';

/** One scripted reply. */
export type Step =
  | {
      kind: 'sse';
      /** Events, or a raw SSE body (a Buffer is sent byte for byte, e.g. invalid or cut UTF-8). */
      events: SseEvent[] | string | Buffer;
      crlf?: boolean;
      /** Write the body in pieces of this many bytes (1 = byte by byte). */
      chunkBytes?: number;
      /** Exact split offsets (bytes) for the writes. */
      splitAt?: number[];
      /** Pause between writes, in ms. */
      delayMs?: number;
      /** After the body: keep the socket open and silent (stall) instead of ending. */
      stallAfter?: boolean;
      /** After the body: destroy the socket abruptly (reset). */
      resetAfter?: boolean;
      headers?: Record<string, string>;
      /** Delay before sending headers, in ms. */
      headersDelayMs?: number;
      /**
       * After the body: send `: keepalive` comments every this many ms (and nothing else) until the
       * client goes away or `keepAliveForMs` (default 120 s) passes, then end.
       */
      keepAliveMs?: number;
      keepAliveForMs?: number;
    }
  | { kind: 'http'; status: number; headers?: Record<string, string>; body: string }
  /** Accept the request and never answer. */
  | { kind: 'stall' }
  /** Destroy the socket without any response. */
  | { kind: 'reset' }
  /** A fixture file from shared/fixtures/sse: `.sse` bodies or raw `.http` answers. */
  | {
      kind: 'fixture';
      file: string;
      chunkBytes?: number;
      splitAt?: number[];
      crlf?: boolean;
      delayMs?: number;
      stallAfter?: boolean;
      resetAfter?: boolean;
    }
  /** Decide the reply from the request (e.g. answer with what a tool returned). */
  | { kind: 'dynamic'; respond: (req: RecordedRequest) => Step };

/** A request the fake received. */
export interface RecordedRequest {
  path: string;
  /** HTTP method. */
  method?: string;
  /** The raw query string without `?` ('' when none). */
  query?: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The status the fake answered with. */
  status?: number;
  /** `Date.now()` when the client closed the connection before the answer was complete. */
  clientClosedAt?: number;
  /** `Date.now()` when the request arrived. */
  receivedAt?: number;
  /** Size of the request body in bytes (as received). */
  bytes?: number;
}

/** Options of the fake. */
export interface FakeBackendOptions {
  /** Access tokens the ChatGPT path accepts; a function decides dynamically (e.g. issuer-issued, unexpired). */
  chatgptTokens?: string[] | ((token: string) => boolean);
  /** The ChatGPT-Account-ID the ChatGPT path requires. */
  accountId?: string;
  /** API keys the `/v1` path accepts. */
  apiKeys?: string[];
  /** Steps to replay, one per request, in order. */
  steps?: Step[];
  /** Answer when the steps run out (default: a 500 error so a test notices). */
  fallback?: Step;
  /** Entries of the `GET /backend-api/codex/models` answer (default: `DEFAULT_LIVE_MODELS`). */
  models?: Record<string, unknown>[];
  /** `ETag` of the `/models` answer (default `"fake-models-1"`); a function may change it between calls. */
  modelsEtag?: string | (() => string);
  /** Models the ChatGPT path refuses with HTTP 400 "not supported" (as for a model a plan or account cannot use). */
  refuseModels?: string[];
  /** Replaces the `/models` answer (after the auth checks), e.g. an error, stall or reset. */
  modelsStep?: Step;
  /** Model ids of the `GET /v1/models` answer (default: `DEFAULT_API_MODEL_IDS`). */
  apiModels?: string[];
  /** `ETag` of the `/v1/models` answer (default `"fake-api-models-1"`); a function may change it between calls. */
  apiModelsEtag?: string | (() => string);
  /** Replaces the `/v1/models` answer (after the key check), e.g. an error, stall or reset. */
  apiModelsStep?: Step;
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP (see fakes/tls.ts). */
  tls?: { key: string; cert: string };
  /**
   * Accept WebSocket upgrades on the ChatGPT `/responses` path (./backend-ws.ts). Default false:
   * upgrades are refused with 426, as by the server of capture A, so clients fall back to HTTP.
   */
  websocket?: boolean;
}

/**
 * The default live model list of the fake: the catalogue of Codex 0.171 (test/fixtures/models),
 * in the backend's shape (docs/protocol.md §g).
 */
export const DEFAULT_LIVE_MODELS: Record<string, unknown>[] = (
  JSON.parse(readFileSync(new URL('../fixtures/models/codex-0.171-catalogue.json', import.meta.url), 'utf8')) as {
    models: Record<string, unknown>[];
  }
).models;

/**
 * The default `/v1/models` ids: the catalogue's models the public API serves, two seed models, and
 * models of other kinds (as the real list holds embeddings, speech, ...), which kolega must ignore.
 */
export const DEFAULT_API_MODEL_IDS: string[] = [
  ...DEFAULT_LIVE_MODELS.filter((m) => m.supported_in_api !== false && m.visibility === 'list').map(
    (m) => m.slug as string,
  ),
  'gpt-5.4',
  'gpt-5.4-mini',
  'text-embedding-3-small',
  'whisper-1',
];

/** Compares `x.y.z` versions numerically. */
function versionAtLeast(have: string, need: string): boolean {
  const a = have.split('.').map(Number);
  const b = need.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** One live model entry with the usual fields. */
export function liveModel(
  slug: string,
  displayName: string,
  defaultEffort: string,
  priority: number,
  efforts = ['low', 'medium', 'high', 'xhigh'],
): Record<string, unknown> {
  return {
    slug,
    display_name: displayName,
    description: `${displayName} (fake)`,
    default_reasoning_level: defaultEffort,
    supported_reasoning_levels: efforts.map((effort) => ({ effort, description: effort })),
    shell_type: 'shell_command',
    visibility: 'list',
    supported_in_api: true,
    priority,
    context_window: 272000,
    max_context_window: 272000,
    input_modalities: ['text', 'image'],
  };
}

/** A running fake. */
export interface FakeBackend {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Value for KOLEGA_CHATGPT_BASE_URL. */
  chatgptBaseUrl: string;
  /** Value for OPENAI_BASE_URL. */
  openaiBaseUrl: string;
  requests: RecordedRequest[];
  /** Appends steps. */
  push(...steps: Step[]): void;
  /** Number of connections closed by the client while a response was being written. */
  clientAborts: number;
  /** Switches of the WebSocket endpoint (accept upgrades, drop on a frame). */
  ws: WsControl;
  /** WebSocket upgrade requests, in order (not in `requests`). */
  upgrades: RecordedUpgrade[];
  /** WebSocket `response.create` frames, in order (not in `requests`). */
  frames: RecordedFrame[];
  close(): Promise<void>;
}

/**
 * Directory of the recorded fixtures: a copy of the team's shared recordings kept in the repository,
 * so the suite runs from a fresh clone anywhere (test/unit/guardrails/fixtures-copy.test.ts checks the copy is
 * current whenever the shared folder is present beside the checkout).
 */
export const FIXTURES_DIR = new URL('../fixtures/', import.meta.url);

/** Reads a shared fixture as bytes. */
export function fixture(rel: string): Buffer {
  return readFileSync(new URL(rel, FIXTURES_DIR));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reject(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * The model checks of the ChatGPT path: a catalogue model needs a `version` header at or above its
 * `minimal_client_version`; a model in `refuse` is not supported; an `input_image` to a model whose
 * `input_modalities` lack `image` is refused. @returns an error detail or undefined.
 */
export function gateModel(
  body: Record<string, unknown>,
  headers: http.IncomingHttpHeaders,
  catalogue: Record<string, unknown>[],
  refuse: string[],
): string | undefined {
  const model = typeof body.model === 'string' ? body.model : '';
  if (refuse.includes(model)) return `The '${model}' model is not supported when using Codex with a ChatGPT account.`;
  const entry = catalogue.find((m) => m.slug === model);
  const modalities = entry?.input_modalities;
  if (
    Array.isArray(modalities) &&
    !modalities.includes('image') &&
    JSON.stringify(body.input ?? []).includes('"input_image"')
  ) {
    return `The '${model}' model does not support image inputs.`;
  }
  const need = typeof entry?.minimal_client_version === 'string' ? entry.minimal_client_version : undefined;
  if (need === undefined) return undefined;
  const version = headers.version;
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version) || !versionAtLeast(version, need)) {
    return `The '${model}' model requires a newer version of Codex. Please upgrade to the latest app or CLI and try again.`;
  }
  return undefined;
}

/**
 * The Responses Lite rules (reported by other clients of the real backend): `reasoning.context`
 * must be `all_turns` and `parallel_tool_calls` must not be true. @returns an error detail or undefined.
 */
export function validateLite(body: Record<string, unknown>): string | undefined {
  const reasoning = body.reasoning as { context?: unknown } | null | undefined;
  if (reasoning?.context !== 'all_turns') return "Responses Lite requires reasoning.context='all_turns'";
  if (body.parallel_tool_calls === true) return 'parallel_tool_calls is not supported with Responses Lite';
  return undefined;
}

/** True when `input` holds a developer (or system) message with text: instructions in the input. */
export function hasDeveloperMessage(input: unknown): boolean {
  return (
    Array.isArray(input) &&
    input.some((i) => {
      const m = i as { type?: unknown; role?: unknown; content?: unknown } | null;
      return (
        m?.type === 'message' &&
        (m.role === 'developer' || m.role === 'system') &&
        Array.isArray(m.content) &&
        m.content.length > 0
      );
    })
  );
}

/** What a chained WebSocket request inherits from the previous response (./backend-ws.ts). */
export interface ChainedContext {
  /** Call ids of the function calls the context holds. */
  calls: Set<string>;
  /** The context holds instructions (a developer message). */
  instructed: boolean;
}

/** Validates a request body like the real servers (docs/protocol.md §e.4, §e.7). @returns an error detail or undefined. */
export function validateBody(
  body: Record<string, unknown>,
  chatgpt: boolean,
  chained?: ChainedContext,
): string | undefined {
  if (chatgpt) {
    // Codex 0.171 sends its instructions as a developer message and no `instructions` field.
    const instructed =
      (typeof body.instructions === 'string' && body.instructions.trim() !== '') ||
      hasDeveloperMessage(body.input) ||
      chained?.instructed === true;
    if (!instructed) return 'Instructions are required';
    if (body.store !== false) return 'Store must be set to false';
    if (body.stream !== true) return 'Stream must be set to true';
    for (const p of ['max_output_tokens', 'temperature', 'top_p', 'previous_response_id']) {
      if (p in body) return `Unsupported parameter: ${p}`;
    }
  }
  if (typeof body.model !== 'string' || body.model === '') return "Missing required parameter: 'model'";
  if (!Array.isArray(body.input)) return "Invalid type for 'input': expected an array";
  const calls = new Set<string>(chained?.calls ?? []);
  for (const [i, raw] of (body.input as unknown[]).entries()) {
    const item = raw as Record<string, unknown>;
    if (!item || typeof item.type !== 'string') return `Invalid input[${i}]: missing type`;
    if (body.store === false && 'id' in item)
      return `Item with id '${String(item.id)}' not found. Items are not persisted when store is false.`;
    if (item.type === 'item_reference') return 'item_reference is not supported when store is false';
    if (item.type === 'additional_tools') {
      const bad = validateTools(item.tools, true);
      if (bad) return `Invalid input[${i}]: ${bad}`;
    }
    if (item.type === 'function_call') {
      if (typeof item.call_id !== 'string' || typeof item.arguments !== 'string')
        return `Invalid input[${i}]: function_call needs call_id and arguments (string)`;
      calls.add(item.call_id);
    }
    if (item.type === 'function_call_output') {
      if (typeof item.call_id !== 'string' || !calls.has(item.call_id))
        return `No tool call found for function call output with call_id ${String(item.call_id)}.`;
      if (typeof item.output !== 'string' && !Array.isArray(item.output))
        return `Invalid input[${i}]: output must be a string or an array`;
    }
  }
  if (body.tools !== undefined) {
    const bad = validateTools(body.tools, false);
    if (bad) return bad;
  }
  return undefined;
}

/** Checks a tools array: function tools with valid names; namespaces (of function tools) only where allowed. */
function validateTools(tools: unknown, namespaces: boolean): string | undefined {
  if (!Array.isArray(tools)) return "Invalid type for 'tools'";
  for (const [i, t] of (tools as Record<string, unknown>[]).entries()) {
    if (namespaces && t.type === 'namespace') {
      if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(t.name))
        return `Missing required parameter: 'tools[${i}].name'`;
      const inner = validateTools(t.tools, false);
      if (inner) return inner;
      continue;
    }
    if (t.type !== 'function' || typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(t.name))
      return `Missing required parameter: 'tools[${i}].name'`;
  }
  return undefined;
}

/** Splits `buf` into pieces for writing. */
function pieces(buf: Buffer, chunkBytes?: number, splitAt?: number[]): Buffer[] {
  if (splitAt && splitAt.length > 0) {
    const out: Buffer[] = [];
    let prev = 0;
    for (const at of [...splitAt].sort((a, b) => a - b)) {
      if (at > prev && at < buf.length) {
        out.push(buf.subarray(prev, at));
        prev = at;
      }
    }
    out.push(buf.subarray(prev));
    return out;
  }
  if (!chunkBytes) return [buf];
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkBytes) out.push(buf.subarray(i, i + chunkBytes));
  return out;
}

async function writeBody(res: http.ServerResponse, socket: Socket, parts: Buffer[], delayMs: number): Promise<boolean> {
  for (const p of parts) {
    if (socket.destroyed) return false;
    // Small pieces must reach the client as separate reads: disable Nagle and pause when asked.
    res.write(p);
    if (delayMs > 0) await sleep(delayMs);
    else if (parts.length > 1) await new Promise((r) => setImmediate(r));
  }
  return !socket.destroyed;
}

/** Parses a raw `.http` fixture into status, headers and body. */
export function parseHttpFixture(text: string): { status: number; headers: Record<string, string>; body: string } {
  const [head, ...rest] = text.split(/\r?\n\r?\n/);
  const lines = head!.split(/\r?\n/);
  const status = Number(/^HTTP\/\S+\s+(\d+)/.exec(lines[0]!)?.[1] ?? 500);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status, headers, body: rest.join('\n\n').trim() };
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeBackend(opts: FakeBackendOptions = {}): Promise<FakeBackend> {
  const steps: Step[] = [...(opts.steps ?? [])];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const state = { clientAborts: 0 };

  const tokenOk = (token: string): boolean => {
    const t = opts.chatgptTokens;
    if (t === undefined) return token !== '';
    return typeof t === 'function' ? t(token) : t.includes(token);
  };

  const handler: http.RequestListener = async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const [path = '', query = ''] = (req.url ?? '').split('?', 2) as [string?, string?];
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      const rec: RecordedRequest = { path, headers: req.headers, body: {}, status: 400 };
      requests.push(rec);
      return reject(res, 400, { detail: 'Invalid JSON body' });
    }
    const rec: RecordedRequest = {
      path,
      method: req.method,
      query,
      headers: req.headers,
      body,
      receivedAt: Date.now(),
      bytes: chunks.reduce((n, c) => n + c.length, 0),
    };
    requests.push(rec);
    const chatgpt = path === '/backend-api/codex/responses';
    const models = path === '/backend-api/codex/models' && req.method === 'GET';
    const apiModels = path === '/v1/models' && req.method === 'GET';
    if (!chatgpt && !models && !apiModels && path !== '/v1/responses') {
      rec.status = 404;
      return reject(res, 404, { detail: 'Not Found' });
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (chatgpt || models) {
      if (!tokenOk(token)) {
        rec.status = 401;
        return reject(res, 401, { detail: 'Could not validate credentials' });
      }
      if (opts.accountId !== undefined && req.headers['chatgpt-account-id'] !== opts.accountId) {
        rec.status = 403;
        return reject(res, 403, { detail: 'Missing or wrong ChatGPT-Account-ID header' });
      }
      if (models) {
        const clientVersion = /(?:^|&)client_version=([^&]+)/.exec(query)?.[1];
        if (!clientVersion || !/^\d+\.\d+\.\d+$/.test(decodeURIComponent(clientVersion))) {
          rec.status = 400;
          return reject(res, 400, { detail: 'client_version is required' });
        }
        // The server lists only the models the asking client version may use.
        const visible = (opts.models ?? DEFAULT_LIVE_MODELS).filter(
          (m) =>
            typeof m.minimal_client_version !== 'string' ||
            versionAtLeast(decodeURIComponent(clientVersion), m.minimal_client_version),
        );
        const etag = typeof opts.modelsEtag === 'function' ? opts.modelsEtag() : (opts.modelsEtag ?? '"fake-models-1"');
        const step: Step = opts.modelsStep ?? {
          kind: 'http',
          status: 200,
          headers: { etag },
          body: JSON.stringify({ models: visible }),
        };
        return play(step, req, res, rec);
      }
      const refused = gateModel(body, req.headers, opts.models ?? DEFAULT_LIVE_MODELS, opts.refuseModels ?? []);
      if (refused) {
        rec.status = 400;
        return reject(res, 400, { detail: refused });
      }
      if (typeof req.headers['session-id'] !== 'string' || req.headers['session-id'] !== body.prompt_cache_key) {
        rec.status = 400;
        return reject(res, 400, { detail: 'session-id header must equal prompt_cache_key' });
      }
    } else if (!(opts.apiKeys ?? ['test-key']).includes(token)) {
      rec.status = 401;
      return reject(res, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
    } else if (apiModels) {
      const etag =
        typeof opts.apiModelsEtag === 'function' ? opts.apiModelsEtag() : (opts.apiModelsEtag ?? '"fake-api-models-1"');
      if (!opts.apiModelsStep && req.headers['if-none-match'] === etag) {
        rec.status = 304;
        res.writeHead(304, { etag }).end();
        return;
      }
      const data = (opts.apiModels ?? DEFAULT_API_MODEL_IDS).map((id) => ({
        id,
        object: 'model',
        created: 1_780_000_000,
        owned_by: 'system',
      }));
      return play(
        opts.apiModelsStep ?? {
          kind: 'http',
          status: 200,
          headers: { etag },
          body: JSON.stringify({ object: 'list', data }),
        },
        req,
        res,
        rec,
      );
    }
    const invalid =
      validateBody(body, chatgpt) ??
      (chatgpt && req.headers['x-openai-internal-codex-responses-lite'] === 'true' ? validateLite(body) : undefined);
    if (invalid) {
      rec.status = 400;
      return reject(
        res,
        400,
        chatgpt ? { detail: invalid } : { error: { message: invalid, type: 'invalid_request_error' } },
      );
    }
    const step = steps.shift() ??
      opts.fallback ?? { kind: 'http', status: 500, body: JSON.stringify({ detail: 'fake: no scripted step left' }) };
    await play(step, req, res, rec);
  };
  const server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler)
    : http.createServer(handler);
  const ws: WsControl = { accept: opts.websocket === true, dropOnFrames: [] };
  const upgrades: RecordedUpgrade[] = [];
  const frames: RecordedFrame[] = [];
  const closeWs = attachWebSocket(server, {
    control: ws,
    upgrades,
    frames,
    tokenOk,
    accountId: opts.accountId,
    validate(body, headers, chained) {
      const refused = gateModel(body, headers, opts.models ?? DEFAULT_LIVE_MODELS, opts.refuseModels ?? []);
      if (refused) return refused;
      return (
        validateBody(body, true, chained) ??
        (headers['x-openai-internal-codex-responses-lite'] === 'true' ? validateLite(body) : undefined)
      );
    },
    nextAnswer(frame, headers) {
      const step = steps.shift() ??
        opts.fallback ?? { kind: 'http', status: 500, body: JSON.stringify({ detail: 'fake: no scripted step left' }) };
      return wsAnswer(step, {
        path: '/backend-api/codex/responses',
        method: 'WS',
        headers,
        body: frame,
        receivedAt: Date.now(),
      });
    },
  });
  server.on('connection', (s) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function play(
    step: Step,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rec: RecordedRequest,
  ): Promise<void> {
    const socket = req.socket;
    res.on('close', () => {
      if (!res.writableEnded) {
        state.clientAborts++;
        rec.clientClosedAt ??= Date.now();
      }
    });
    switch (step.kind) {
      case 'dynamic':
        return play(step.respond(rec), req, res, rec);
      case 'stall':
        rec.status = 0;
        return; // never answer
      case 'reset':
        rec.status = 0;
        socket.destroy();
        return;
      case 'http':
        rec.status = step.status;
        res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers }).end(step.body);
        return;
      case 'fixture': {
        const data = fixture(`sse/${step.file}`);
        if (step.file.endsWith('.http')) {
          const h = parseHttpFixture(data.toString('utf8'));
          rec.status = h.status;
          res.writeHead(h.status, h.headers).end(h.body);
          return;
        }
        let text = data.toString('utf8');
        if (step.crlf) text = text.replace(/\r?\n/g, '\r\n');
        const { chunkBytes, splitAt, delayMs, stallAfter, resetAfter } = step;
        return play({ kind: 'sse', events: text, chunkBytes, splitAt, delayMs, stallAfter, resetAfter }, req, res, rec);
      }
      case 'sse': {
        rec.status = 200;
        if (step.headersDelayMs) await sleep(step.headersDelayMs);
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...step.headers });
        res.flushHeaders();
        const raw = Buffer.isBuffer(step.events)
          ? step.events
          : Buffer.from(typeof step.events === 'string' ? step.events : toSse(step.events, step.crlf), 'utf8');
        const ok = await writeBody(res, socket, pieces(raw, step.chunkBytes, step.splitAt), step.delayMs ?? 0);
        if (!ok) return;
        if (step.stallAfter) return;
        if (step.resetAfter) {
          // Let the written bytes reach the client first, then reset (RST) the connection.
          await sleep(50);
          socket.resetAndDestroy();
          return;
        }
        if (step.keepAliveMs) {
          const until = Date.now() + (step.keepAliveForMs ?? 120_000);
          while (Date.now() < until && !socket.destroyed) {
            await sleep(step.keepAliveMs);
            if (!socket.destroyed) res.write(': keepalive\n\n');
          }
          if (socket.destroyed) return;
        }
        res.end();
        return;
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url,
    chatgptBaseUrl: `${url}/backend-api/codex`,
    openaiBaseUrl: `${url}/v1`,
    requests,
    push: (...s: Step[]) => steps.push(...s),
    get clientAborts() {
      return state.clientAborts;
    },
    ws,
    upgrades,
    frames,
    close: () =>
      new Promise<void>((resolve) => {
        closeWs();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The WebSocket form of a scripted step: the same events as frames, an HTTP failure as an error frame. */
function wsAnswer(step: Step, rec: RecordedRequest): WsAnswer {
  switch (step.kind) {
    case 'dynamic':
      return wsAnswer(step.respond(rec), rec);
    case 'stall':
      return { kind: 'stall' };
    case 'reset':
      return { kind: 'reset' };
    case 'http':
      return { kind: 'error', status: step.status, body: step.body, headers: step.headers };
    case 'fixture': {
      const data = fixture(`sse/${step.file}`).toString('utf8');
      if (step.file.endsWith('.http')) {
        const h = parseHttpFixture(data);
        return { kind: 'error', status: h.status, body: h.body, headers: h.headers };
      }
      return { kind: 'events', events: eventsOfSse(data), resetAfter: step.resetAfter, stallAfter: step.stallAfter };
    }
    case 'sse': {
      const events = Array.isArray(step.events) ? step.events : eventsOfSse(step.events.toString('utf8'));
      return {
        kind: 'events',
        events,
        delayMs: step.delayMs,
        resetAfter: step.resetAfter,
        stallAfter: step.stallAfter,
      };
    }
  }
}

/** The JSON events of an SSE body (its `data:` lines that hold JSON objects). */
function eventsOfSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    try {
      const v = JSON.parse(line.slice(5).trim()) as unknown;
      if (v && typeof v === 'object' && typeof (v as SseEvent).type === 'string') out.push(v as SseEvent);
    } catch {
      // not an event
    }
  }
  return out;
}
