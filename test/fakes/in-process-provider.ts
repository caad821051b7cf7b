/**
 * A provider answered in-process: a `ResponsesTransport` (src/core/responses/transport.ts) that plays
 * scripted steps built from the SSE event builders (./sse-events.ts), with no socket at all. Tests
 * pass `backend.openTransport` and `backend.provider` to `runTurn` and drive the whole turn loop:
 * tool round trips, retries, renderers.
 *
 * Like ./backend.ts it enforces what the real servers enforce: each request body (built by the real
 * `buildRequestBody`) goes through the same `validateBody`, and an invalid one is refused with a
 * 400 mapped as the HTTP client maps it. The events travel as SSE bytes through the real parser and
 * assembler (`feedAssembler`); failures are the typed errors the HTTP transport throws for the same
 * answer (`errorFromHttp` for a status, `mapNetworkError` for a connection reset), so the retry policy
 * sees exactly what it sees in production.
 */
import { KolegaError } from '../../src/core/errors.js';
import { mapNetworkError } from '../../src/core/http.js';
import type { Provider } from '../../src/core/providers/types.js';
import { feedAssembler, type StreamResult } from '../../src/core/responses/client.js';
import { errorFromHttp } from '../../src/core/responses/failures.js';
import { buildRequestBody } from '../../src/core/responses/request.js';
import type {
  ResponsesTransport,
  TransportMode,
  TransportOpener,
  TransportRequest,
} from '../../src/core/responses/transport.js';
import { validateBody } from './backend.js';
import { toSse, type SseEvent } from './sse-events.js';

/** One scripted answer, consumed by one request. */
export type InProcessStep =
  /** A 200 SSE answer with these events; without a terminal event the stream is cut short. */
  | { kind: 'events'; events: SseEvent[]; headers?: Record<string, string> }
  /** A non-2xx answer; an object `body` is sent as JSON. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** The connection breaks (ECONNRESET) after these events. */
  | { kind: 'reset'; events: SseEvent[] }
  /** Headers never come; the request ends only when the turn's signal aborts. */
  | { kind: 'stall' };

/** What one request carried. */
export interface InProcessRequest {
  /** The JSON body the HTTP transport would POST. */
  body: Record<string, unknown>;
  /** The request's `chainFrom` (./transport.ts `TransportRequest`). */
  chainFrom?: number;
}

/** The API key the fake provider sends; it must never appear in a reported message. */
export const IN_PROCESS_KEY = 'sk-in-process-secret';

/** A scripted in-process backend. */
export interface InProcessBackend {
  /** The provider whose requests this backend answers (public API with an API key by default). */
  provider: Provider;
  /** For `TurnOptions.openTransport`. */
  openTransport: TransportOpener;
  /** Every request received, in order (refused ones included). */
  requests: InProcessRequest[];
  /** The transport modes the turn asked for, one per opened transport. */
  opened: (TransportMode | undefined)[];
  /** Adds answers, played in order; a request with none left gets a 500. */
  push(...steps: InProcessStep[]): void;
  /** Transports opened and not closed yet. */
  readonly open: number;
}

/** A 200 SSE answer. */
export function answer(events: SseEvent[], headers?: Record<string, string>): InProcessStep {
  return { kind: 'events', events, ...(headers ? { headers } : {}) };
}

/** A non-2xx answer. */
export function status(code: number, body?: unknown, headers?: Record<string, string>): InProcessStep {
  return { kind: 'status', status: code, body, ...(headers ? { headers } : {}) };
}

const BASE_URL = 'https://in-process.invalid/v1';
const CHATGPT_BASE_URL = 'https://in-process.invalid/backend-api/codex';

/** The SSE body of `events`, one chunk per event, optionally breaking like a reset connection. */
async function* sseBody(events: SseEvent[], reset: boolean): AsyncGenerator<Uint8Array> {
  for (const e of events) {
    yield Buffer.from(toSse([e]));
    // Let the turn loop see each event before the next one, as over a socket.
    await new Promise((r) => setImmediate(r));
  }
  if (reset) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
}

/** Resolves never; rejects with the reported form of the abort when `signal` aborts. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(mapNetworkError(new Error('aborted'), BASE_URL, signal, 'headers'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/**
 * Creates an in-process backend with `steps` queued. With `chatgpt`, the provider is the ChatGPT
 * backend (`openai_chatgpt`, a bearer access token) and bodies are held to that backend's rules
 * (`store: false`, instructions required, no `max_output_tokens`: docs/protocol.md §e.7).
 */
export function inProcessBackend(steps: InProcessStep[] = [], opts: { chatgpt?: boolean } = {}): InProcessBackend {
  const queue = [...steps];
  const chatgpt = opts.chatgpt === true;
  const requests: InProcessRequest[] = [];
  const opened: (TransportMode | undefined)[] = [];
  let open = 0;
  const provider: Provider = {
    id: chatgpt ? 'openai_chatgpt' : 'openai',
    baseUrl: chatgpt ? CHATGPT_BASE_URL : BASE_URL,
    chatgptBackend: chatgpt,
    env: {},
    staticHeaders: { 'user-agent': 'kolega-test' },
    auth: {
      headers: () => Promise.resolve({ authorization: `Bearer ${IN_PROCESS_KEY}` }),
      recoverUnauthorized: () => Promise.resolve(false),
    },
    secrets: () => [IN_PROCESS_KEY],
  };

  async function send(
    req: TransportRequest,
    assembler: Parameters<ResponsesTransport['send']>[1],
    opts: Parameters<ResponsesTransport['send']>[2],
  ): Promise<StreamResult> {
    // Serialised now, as the HTTP transport does: the turn keeps appending to the input array.
    const wire = JSON.stringify(buildRequestBody(req.spec));
    const body = JSON.parse(wire) as Record<string, unknown>;
    requests.push({ body, ...(req.chainFrom !== undefined ? { chainFrom: req.chainFrom } : {}) });
    uploads.push(Buffer.byteLength(wire));
    opts.onPhase?.('waiting for response headers');
    const invalid = validateBody(body, provider.chatgptBackend);
    if (invalid) {
      throw errorFromHttp(400, {}, JSON.stringify({ error: { message: invalid, type: 'invalid_request_error' } }));
    }
    const step = queue.shift() ?? status(500, { detail: 'fake: no scripted step left' });
    if (step.kind === 'stall') return untilAborted(opts.signal);
    if (step.kind === 'status') {
      const text = typeof step.body === 'string' ? step.body : JSON.stringify(step.body ?? {});
      throw errorFromHttp(step.status, step.headers ?? {}, text);
    }
    opts.onPhase?.('streaming the response');
    try {
      await feedAssembler(sseBody(step.events, step.kind === 'reset'), assembler, opts.debug);
    } catch (err) {
      throw mapNetworkError(err, BASE_URL, opts.signal, 'body');
    }
    if (opts.signal.aborted) throw mapNetworkError(new Error('aborted'), BASE_URL, opts.signal, 'body');
    const outcome: StreamResult = assembler.finish();
    const turnState = step.kind === 'events' ? step.headers?.['x-codex-turn-state'] : undefined;
    if (turnState !== undefined) outcome.turnState = turnState;
    return outcome;
  }

  const uploads: number[] = [];
  return {
    provider,
    requests,
    opened,
    get open() {
      return open;
    },
    push: (...more) => void queue.push(...more),
    openTransport: (p, mode) => {
      if (p !== provider) throw new KolegaError('internal', 'internal_error', 'fake: a foreign provider');
      opened.push(mode);
      open++;
      let closed = false;
      return {
        current: 'http',
        uploads,
        send,
        close() {
          if (!closed) open--;
          closed = true;
        },
      };
    },
  };
}
