/**
 * The Responses WebSocket transport of the ChatGPT backend (docs/protocol.md §e.1; Codex
 * 0.171 talks to the backend this way first): one connection, `GET {base}/responses` upgraded with
 * the request headers plus `openai-beta: responses_websockets=2026-02-06`; each request is one text
 * frame `{"type":"response.create", ...the HTTP body's fields}`; the answer is the same JSON events
 * as the SSE stream, one per text frame, until `response.completed`. A request that follows a
 * response completed on the same connection names it in `previous_response_id` and carries only
 * the items added since, so its size does not grow with the conversation. The Lite flag travels in
 * `client_metadata` (the upgrade has no per-model header). Error frames
 * (`{"type":"error","status":N,...}`) fail like the HTTP status they carry.
 *
 * The client is the `ws` package when no proxy applies to the backend, and undici's WebSocket
 * (through the same proxy dispatcher as HTTP) when one does: importing undici costs ~90 ms of CPU
 * at start-up, `ws` a fraction of that, and with a proxy undici is loaded for HTTP anyway. Both
 * are driven through the WHATWG event interface they share. Either is imported only when this
 * transport is used. Anything that fails before the connection delivered its first frame is
 * reported as `WebSocketUnavailable`, so the caller may fall back to HTTP.
 */
import { KolegaError } from '../errors.js';
import { proxyFor } from '../net/proxy-env.js';
import { idleTimeoutText, proxyDispatcher } from '../http.js';
import { turnHeaders } from '../providers/codex-identity.js';
import type { Provider } from '../providers/types.js';
import type { ResponseAssembler } from './assemble.js';
import type { StreamOptions, StreamResult } from './client.js';
import { withAuthHint, withInputSize } from './client.js';
import { errorFromWsErrorFrame } from './failures.js';
import { withModelRefusal } from './model-refused.js';
import { requestJson } from './json-text.js';
import { buildRequestBody, type RequestSpec } from './request.js';
import type { RawStreamEvent } from './sse.js';

/** The beta header value that opens a Responses WebSocket (capture B2 of Codex 0.171). */
export const WEBSOCKET_BETA = 'responses_websockets=2026-02-06';
/** `client_metadata` key that carries the Responses Lite flag over a WebSocket (capture B2). */
export const WS_LITE_METADATA_KEY = 'ws_request_header_x_openai_internal_codex_responses_lite';
/** `client_metadata` key with the client's send time of the frame, epoch ms as a string (capture B2). */
export const WS_START_METADATA_KEY = 'x-codex-ws-stream-request-start-ms';

/** The connection could not be used: refused upgrade, or a failure before its first frame. */
export class WebSocketUnavailable extends Error {
  constructor(
    message: string,
    /** The error to report when there is no fallback. */
    readonly error: KolegaError,
  ) {
    super(message);
  }
}

/** One request for the WebSocket: the full spec and where its new items start. */
export interface ChainedRequest {
  spec: RequestSpec;
  /**
   * `spec.input.slice(0, chainFrom)` is what the previous response of the turn already holds (its
   * input and its output): with that response completed on the open connection, only the items
   * from `chainFrom` on are sent, with `previous_response_id`. Undefined: send everything.
   */
  chainFrom?: number;
}

/** What kolega uses of a WebSocket: the WHATWG interface that `ws` and undici both offer. */
interface Socket {
  binaryType: string;
  send(text: string): void;
  close(code?: number): void;
  addEventListener(type: 'open', fn: () => void, opts?: { once?: boolean }): void;
  addEventListener(type: 'message', fn: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'close', fn: (ev: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', fn: (ev: unknown) => void, opts?: { once?: boolean }): void;
}

interface Connection {
  ws: Socket;
  /** A frame arrived on this connection (it works; later failures are not "unavailable"). */
  framed: boolean;
  closed: boolean;
  /** Id of the last response completed on this connection, for `previous_response_id`. */
  lastResponseId?: string;
  /** Called with each received text frame / on close or error, by the current request. */
  onFrame?: (text: string) => void;
  onEnd?: (why: string) => void;
}

/**
 * Opens a socket to `url`: `ws` directly, or undici's client through `dispatcher` (a proxy).
 * `ws` offers permessage-deflate as Codex does (capture B2's upgrade).
 */
async function connect(
  url: string,
  headers: Record<string, string>,
  dispatcher: import('undici').Dispatcher | undefined,
): Promise<Socket> {
  if (dispatcher) {
    const { WebSocket } = await import('undici');
    return new WebSocket(url, { headers, dispatcher }) as unknown as Socket;
  }
  const { WebSocket } = await import('ws');
  return new WebSocket(url, { headers }) as unknown as Socket;
}

/** The `ws(s)://` URL of `{base}/responses`. */
export function websocketUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}/responses`;
}

/**
 * The frame of one request.
 * @returns the frame's JSON text and whether it was chained to a previous response
 */
export function buildFrame(
  spec: RequestSpec,
  previousResponseId: string | undefined,
  chainFrom: number | undefined,
  now = Date.now(),
): string {
  const body = buildRequestBody(spec);
  const frame: Record<string, unknown> = { type: 'response.create', model: body.model, stream: body.stream };
  if (previousResponseId !== undefined && chainFrom !== undefined) {
    frame.previous_response_id = previousResponseId;
    body.input = spec.input.slice(chainFrom);
  }
  Object.assign(frame, body);
  const metadata: Record<string, string> = { [WS_START_METADATA_KEY]: String(now) };
  if (spec.shape?.lite === true) metadata[WS_LITE_METADATA_KEY] = 'true';
  frame.client_metadata = metadata;
  return requestJson(frame);
}

/**
 * A WebSocket session of one run: opens the connection on first use and again after a drop.
 * Not safe for concurrent requests (a turn sends one at a time).
 */
export class WebSocketSession {
  private conn: Connection | undefined;
  /** Bytes of every frame sent, in order (for `--debug` and the bench). */
  readonly sentBytes: number[] = [];

  constructor(
    private readonly provider: Provider,
    private readonly debug?: (line: string) => void,
  ) {}

  /**
   * Sends one request and streams its events into `assembler`.
   * @param authHeaders the credentials of this attempt (used only when a connection is opened)
   * @throws WebSocketUnavailable when the connection failed before delivering any frame;
   *   otherwise the errors of the HTTP path (./client.ts `streamResponse`).
   */
  async send(
    req: ChainedRequest,
    assembler: ResponseAssembler,
    opts: StreamOptions,
    authHeaders: () => Promise<Record<string, string>>,
  ): Promise<StreamResult> {
    let conn = this.conn;
    if (!conn || conn.closed) {
      conn = this.conn = await this.open(req.spec, opts, authHeaders);
    }
    const chained = conn.lastResponseId !== undefined && req.chainFrom !== undefined;
    const text = buildFrame(req.spec, chained ? conn.lastResponseId : undefined, chained ? req.chainFrom : undefined);
    conn.lastResponseId = undefined; // a failed request leaves the server's context unknown
    const bytes = Buffer.byteLength(text);
    this.sentBytes.push(bytes);
    opts.debug?.(`websocket: response.create, ${bytes} bytes${chained ? ', chained' : ''}`);
    const outcome = await this.exchange(conn, text, assembler, opts, req.spec);
    if (outcome.responseId !== undefined) conn.lastResponseId = outcome.responseId;
    return outcome;
  }

  /** Closes the connection (normal closure); the session may open a new one later. */
  close(): void {
    const c = this.conn;
    this.conn = undefined;
    if (c && !c.closed) {
      c.closed = true;
      try {
        c.ws.close(1000);
      } catch {
        // already closing
      }
    }
  }

  private async open(
    spec: RequestSpec,
    opts: StreamOptions,
    authHeaders: () => Promise<Record<string, string>>,
  ): Promise<Connection> {
    const url = websocketUrl(this.provider.baseUrl);
    const headers: Record<string, string> = {
      ...this.provider.staticHeaders,
      ...(await authHeaders()),
      'openai-beta': WEBSOCKET_BETA,
      ...turnHeaders({ sessionId: spec.sessionId, model: spec.model, lite: false }),
    };
    const dispatcher =
      proxyFor(this.provider.baseUrl, this.provider.env) === undefined
        ? undefined
        : await proxyDispatcher(this.provider.env);
    opts.onPhase?.('opening the WebSocket');
    this.debug?.(`websocket: GET ${url} (upgrade)`);
    const ws = await connect(url, headers, dispatcher);
    ws.binaryType = 'arraybuffer';
    const conn: Connection = { ws, framed: false, closed: false };
    // Listeners for the socket's whole life, attached at once: `ws` throws an `error` event nobody
    // listens to (e.g. one that follows a close() during the handshake).
    ws.addEventListener('message', (ev) => {
      if (typeof ev.data !== 'string') {
        conn.onEnd?.('the server sent a binary frame');
        return;
      }
      conn.framed = true;
      conn.onFrame?.(ev.data);
    });
    ws.addEventListener('close', (ev) => {
      conn.closed = true;
      conn.onEnd?.(`the connection closed (${ev.code}${ev.reason ? ' ' + ev.reason : ''})`);
    });
    ws.addEventListener('error', (ev) => {
      conn.closed = true;
      conn.onEnd?.(describeError(ev));
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => {
        cleanup();
        conn.closed = true;
        try {
          ws.close();
        } catch {
          // never opened
        }
        reject(this.unavailable(why, opts.signal));
      };
      const timer = setTimeout(() => fail('no answer to the upgrade: idle timeout'), opts.idleTimeoutMs);
      const onAbort = () => fail('interrupted');
      const cleanup = () => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
        conn.onEnd = undefined;
      };
      opts.signal.addEventListener('abort', onAbort, { once: true });
      conn.onEnd = (why) => fail(why);
      ws.addEventListener(
        'open',
        () => {
          cleanup();
          resolve();
        },
        { once: true },
      );
    });
    this.debug?.('websocket: open');
    return conn;
  }

  /** Sends `text` on `conn` and feeds the answer's frames to `assembler` until it is done. */
  private exchange(
    conn: Connection,
    text: string,
    assembler: ResponseAssembler,
    opts: StreamOptions,
    spec: RequestSpec,
  ): Promise<StreamResult> {
    const framedBefore = conn.framed;
    return new Promise<StreamResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (err: unknown, value?: StreamResult) => {
        if (timer) clearTimeout(timer);
        conn.onFrame = undefined;
        conn.onEnd = undefined;
        opts.signal.removeEventListener('abort', onAbort);
        if (err === undefined) resolve(value!);
        else reject(err);
      };
      const failConnection = (err: unknown) => {
        conn.closed = true;
        try {
          conn.ws.close();
        } catch {
          // closing already
        }
        settle(err);
      };
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          const host = safeHost(this.provider.baseUrl);
          const what = conn.framed ? 'mid-stream (no data)' : 'waiting for the first frame';
          const error = new KolegaError(
            'network',
            'idle_timeout',
            `${host} stalled ${what}: ${idleTimeoutText(opts.idleTimeoutMs)}`,
            {
              hint: 'check the network, or raise --idle-timeout',
              retryable: false,
            },
          );
          failConnection(conn.framed ? error : new WebSocketUnavailable(error.message, error));
        }, opts.idleTimeoutMs);
      };
      const onAbort = () => {
        const reason: unknown = opts.signal.reason;
        failConnection(
          reason instanceof KolegaError ? reason : new KolegaError('interrupted', 'interrupted', 'interrupted'),
        );
      };
      opts.signal.addEventListener('abort', onAbort, { once: true });
      conn.onEnd = (why) => {
        if (!conn.framed) return failConnection(this.unavailable(why, opts.signal));
        const host = safeHost(this.provider.baseUrl);
        failConnection(
          new KolegaError('network', 'stream_interrupted', `connection to ${host} broke mid-stream: ${why}`, {
            hint: 'check the network and try again',
            retryable: true,
          }),
        );
      };
      conn.onFrame = (data) => {
        arm();
        let ev: RawStreamEvent;
        try {
          const v: unknown = JSON.parse(data);
          if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof (v as RawStreamEvent).type !== 'string')
            throw new Error('not an event');
          ev = v as RawStreamEvent;
        } catch {
          return failConnection(
            new KolegaError(
              'upstream',
              'bad_event_json',
              `the server sent an event that is not a JSON object: ${data.slice(0, 120)}`,
              {
                hint: 'retry; if it persists, report it with --debug output',
                retryable: true,
              },
            ),
          );
        }
        if (opts.debug && ev.type !== 'response.output_text.delta') opts.debug(`event ${ev.type}`);
        const wrapped = errorFromWsErrorFrame(ev);
        if (wrapped) {
          // The connection stays usable; the request failed like an HTTP status would.
          return settle(withModelRefusal(withAuthHint(wrapped, this.provider), spec.model));
        }
        try {
          assembler.push(ev);
          if (!assembler.done) return;
          settle(undefined, assembler.finish());
        } catch (err) {
          settle(withInputSize(err, Buffer.byteLength(text)));
        }
      };
      opts.onPhase?.(framedBefore ? 'streaming the response' : 'waiting for the first frame');
      arm();
      try {
        conn.ws.send(text);
      } catch (err) {
        conn.onEnd(`send failed: ${(err as Error).message}`);
      }
    });
  }

  private unavailable(why: string, signal: AbortSignal): Error {
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      return reason instanceof KolegaError ? reason : new KolegaError('interrupted', 'interrupted', 'interrupted');
    }
    const host = safeHost(this.provider.baseUrl);
    return new WebSocketUnavailable(
      why,
      new KolegaError('network', 'websocket_unavailable', `the WebSocket to ${host} failed before any answer: ${why}`, {
        hint: 'use --transport http (or auto, the default, which falls back to HTTP by itself)',
        retryable: false,
      }),
    );
  }
}

/** A one-line reason from a WebSocket `error` event (undici sets `error` or `message`). */
function describeError(ev: unknown): string {
  const e = ev as { error?: { message?: string; cause?: { code?: string; message?: string } }; message?: string };
  const detail = e.error?.cause?.code ?? e.error?.cause?.message ?? e.error?.message ?? e.message;
  return detail ? String(detail).split('\n')[0]!.slice(0, 200) : 'the upgrade was refused or the connection failed';
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'server';
  }
}
