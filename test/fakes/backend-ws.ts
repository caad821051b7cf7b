/**
 * The Responses WebSocket endpoint of the fake ChatGPT backend (`GET /backend-api/codex/responses`
 * upgraded; docs/protocol.md §e.1, capture B2 of Codex 0.171). It enforces what the real
 * server does with a WebSocket client:
 * - the upgrade carries the request headers: a valid bearer (401), the account id when required
 *   (403), `openai-beta: responses_websockets=...` (400 without it);
 * - every message is a text frame holding `{"type":"response.create", ...}` with the HTTP body's
 *   rules (store false, stream true, instructions, no max_output_tokens/temperature, model gates,
 *   `prompt_cache_key` = the `session-id` of the upgrade, Lite rules when
 *   `client_metadata.ws_request_header_x_openai_internal_codex_responses_lite` is "true");
 * - `previous_response_id` must name the last response completed on the same connection (the
 *   server keeps nothing across connections with store:false), and the frame then carries only the
 *   items that response does not hold: a repeated item or a second copy of the conversation is
 *   refused; a tool output must answer a call of the chained context or of the frame;
 * - response ids are the server's, unique per response.
 * Failures are `{"type":"error","status":N,"error":{...}}` frames, as the real server sends them.
 * Switches: refuse every upgrade (426, the default, as in capture A), drop the connection when a
 * given frame arrives (before answering it), and the shared steps (`resetAfter` drops mid-response).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { hasDeveloperMessage, type ChainedContext } from './backend.js';
import type { SseEvent } from './sse-events.js';

/** Switches of the WebSocket endpoint, changeable while the fake runs. */
export interface WsControl {
  /** Accept upgrades; false answers them `426 Upgrade Required` (as a server without WebSockets). */
  accept: boolean;
  /** 1-based numbers (counted over the fake's life) of frames answered by dropping the connection. */
  dropOnFrames: number[];
}

/** One upgrade request the fake received. */
export interface RecordedUpgrade {
  headers: http.IncomingHttpHeaders;
  /** 101, or the refusal status. */
  status: number;
}

/** One `response.create` frame the fake received. */
export interface RecordedFrame {
  /** Index of the connection (0-based, order of upgrades accepted). */
  connection: number;
  /** The frame's JSON. */
  body: Record<string, unknown>;
  /** Size of the frame in bytes. */
  bytes: number;
  /** Set when the fake refused the frame: the error frame's status. */
  status?: number;
  /** The error message sent back, when refused. */
  error?: string;
}

/** What the WebSocket endpoint needs from the HTTP fake. */
export interface WsDeps {
  control: WsControl;
  upgrades: RecordedUpgrade[];
  frames: RecordedFrame[];
  tokenOk(token: string): boolean;
  accountId?: string;
  /** Validates one request body like the HTTP path (`chained`: what a chained frame inherits). */
  validate(
    body: Record<string, unknown>,
    headers: http.IncomingHttpHeaders,
    chained: ChainedContext | undefined,
  ): string | undefined;
  /** The next scripted answer, as events or a failure, for a frame. */
  nextAnswer(frame: Record<string, unknown>, headers: http.IncomingHttpHeaders): WsAnswer;
}

/** How the fake answers one frame. */
export type WsAnswer =
  | { kind: 'events'; events: SseEvent[]; delayMs?: number; resetAfter?: boolean; stallAfter?: boolean }
  | { kind: 'error'; status: number; body: string; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'stall' };

/** The beta value the real server expects on the upgrade (capture B2). */
const BETA_PREFIX = 'responses_websockets=';
const LITE_KEY = 'ws_request_header_x_openai_internal_codex_responses_lite';

function refuse(socket: Duplex, status: number, reason: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** What the server holds after a response completed on a connection. */
interface Chained {
  id: string;
  /** Serialized items of the context (request input and output), to spot repeats. */
  items: Set<string>;
  calls: Set<string>;
  instructed: boolean;
}

/** The server's copy of an output item, as a client would replay it (no id, no status). */
function replayKey(item: Record<string, unknown>): string {
  const { id: _id, status: _status, ...rest } = item;
  return JSON.stringify(rest);
}

/** Installs the endpoint on `server`. @returns a function that terminates every connection. */
export function attachWebSocket(server: http.Server, deps: WsDeps): () => void {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  let connections = 0;
  let responses = 0;
  let frameCount = 0;
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    const rec: RecordedUpgrade = { headers: req.headers, status: 0 };
    deps.upgrades.push(rec);
    const deny = (status: number, reason: string, detail: string) => {
      rec.status = status;
      refuse(socket, status, reason, JSON.stringify({ detail }));
    };
    if (path !== '/backend-api/codex/responses') return deny(404, 'Not Found', 'Not Found');
    if (!deps.control.accept) return deny(426, 'Upgrade Required', 'WebSockets are not enabled');
    const auth = req.headers.authorization ?? '';
    if (!deps.tokenOk(auth.startsWith('Bearer ') ? auth.slice(7) : ''))
      return deny(401, 'Unauthorized', 'Could not validate credentials');
    if (deps.accountId !== undefined && req.headers['chatgpt-account-id'] !== deps.accountId)
      return deny(403, 'Forbidden', 'Missing or wrong ChatGPT-Account-ID header');
    const beta = req.headers['openai-beta'];
    if (typeof beta !== 'string' || !beta.split(',').some((b) => b.trim().startsWith(BETA_PREFIX)))
      return deny(400, 'Bad Request', 'openai-beta responses_websockets is required');
    rec.status = 101;
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, req.headers, connections++));
  });

  function serve(ws: WebSocket, headers: http.IncomingHttpHeaders, connection: number): void {
    let chained: Chained | undefined;
    let busy = false;
    const sendError = (rec: RecordedFrame, status: number, message: string, code?: string) => {
      rec.status = status;
      rec.error = message;
      ws.send(
        JSON.stringify({
          type: 'error',
          status,
          error: { type: 'invalid_request_error', ...(code ? { code } : {}), message },
        }),
      );
    };
    ws.on('message', async (data, isBinary) => {
      frameCount++;
      const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      let body: Record<string, unknown> = {};
      const rec: RecordedFrame = { connection, body, bytes };
      deps.frames.push(rec);
      if (deps.control.dropOnFrames.includes(frameCount)) {
        ws.terminate();
        return;
      }
      if (isBinary) return sendError(rec, 400, 'binary frames are not supported');
      try {
        body = JSON.parse(String(data)) as Record<string, unknown>;
        rec.body = body;
      } catch {
        return sendError(rec, 400, 'Invalid JSON in websocket message');
      }
      if (body.type !== 'response.create')
        return sendError(rec, 400, `Unsupported websocket message type: ${String(body.type)}`);
      if (busy) return sendError(rec, 400, 'A response is already in progress on this connection');
      if (typeof headers['session-id'] !== 'string' || headers['session-id'] !== body.prompt_cache_key)
        return sendError(rec, 400, 'session-id header must equal prompt_cache_key');
      const input = Array.isArray(body.input) ? (body.input as Record<string, unknown>[]) : [];
      let prior: Chained | undefined;
      if ('previous_response_id' in body) {
        if (chained === undefined || body.previous_response_id !== chained.id) {
          return sendError(
            rec,
            400,
            `Previous response with id '${String(body.previous_response_id)}' not found.`,
            'previous_response_not_found',
          );
        }
        prior = chained;
        for (const item of input) {
          const repeatedCall = item?.type === 'function_call' && prior.calls.has(String(item.call_id));
          if (item && typeof item === 'object' && (repeatedCall || prior.items.has(replayKey(item)))) {
            return sendError(
              rec,
              400,
              `Duplicate item: the previous response already holds an item of type '${String(item.type)}'`,
            );
          }
        }
      }
      const { type: _t, previous_response_id: _p, generate, client_metadata: metadata, ...request } = body;
      const lite = (metadata as Record<string, unknown> | undefined)?.[LITE_KEY] === 'true';
      const prewarm = generate === false;
      const invalid = prewarm
        ? undefined
        : deps.validate(
            request,
            { ...headers, ...(lite ? { 'x-openai-internal-codex-responses-lite': 'true' } : {}) },
            prior,
          );
      if (invalid) return sendError(rec, 400, invalid);
      chained = undefined; // the connection's context moves to this response once it completes
      const id = `resp_ws_${++responses}`;
      const answer: WsAnswer = prewarm
        ? {
            kind: 'events',
            events: [
              { type: 'response.created', response: { id } },
              { type: 'response.completed', response: { id, output: [] } },
            ],
          }
        : deps.nextAnswer(body, headers);
      if (answer.kind === 'reset') return void ws.terminate();
      if (answer.kind === 'stall') return;
      if (answer.kind === 'error') {
        rec.status = answer.status;
        let error: unknown;
        try {
          const parsed = JSON.parse(answer.body) as { error?: unknown; detail?: unknown };
          error = parsed.error ?? { message: parsed.detail };
        } catch {
          error = { message: answer.body };
        }
        ws.send(
          JSON.stringify({
            type: 'error',
            status: answer.status,
            error,
            ...(answer.headers ? { headers: answer.headers } : {}),
          }),
        );
        return;
      }
      busy = true;
      const items = new Set<string>([...(prior?.items ?? []), ...input.map(replayKey)]);
      const calls = new Set<string>([...(prior?.calls ?? [])]);
      for (const item of input)
        if (item?.type === 'function_call' && typeof item.call_id === 'string') calls.add(item.call_id);
      let completed = false;
      for (const raw of answer.events) {
        if (ws.readyState !== ws.OPEN) return;
        const ev = withResponseId(raw, id);
        if (ev.type === 'response.output_item.done') {
          const item = (ev as { item?: Record<string, unknown> }).item;
          if (item) {
            items.add(replayKey(item));
            if (item.type === 'function_call' && typeof item.call_id === 'string') calls.add(item.call_id);
          }
        }
        if (ev.type === 'response.completed') completed = true;
        ws.send(JSON.stringify(ev));
        if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      }
      busy = false;
      if (answer.resetAfter) {
        await new Promise((r) => setTimeout(r, 50));
        ws.terminate();
        return;
      }
      if (completed)
        chained = { id, items, calls, instructed: prior?.instructed === true || hasDeveloperMessage(input) };
    });
  }

  return () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  };
}

/** `ev` with the server's response id in `response.id` (the scripts use placeholder ids). */
function withResponseId(ev: SseEvent, id: string): SseEvent {
  const r = (ev as { response?: Record<string, unknown> }).response;
  if (!r || typeof r !== 'object') return ev;
  return { ...ev, response: { ...r, id } };
}
