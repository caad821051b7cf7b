/**
 * One Responses request: POST `{base}/responses`, map a non-2xx status to a typed error (with one
 * credential recovery on 401, docs/protocol.md §d.4), then feed the SSE events to an assembler until a
 * terminal event (docs/protocol.md §f.3: stop reading at `response.completed`).
 */
import { formatBytes } from '../format.js';
import { MODELS_ETAG_HEADER, TURN_STATE_HEADER } from '../auth/constants.js';
import { KolegaError, copyError } from '../errors.js';
import { httpRequest } from '../http.js';
import { isHtmlPage } from '../net/html-page.js';
import { turnHeaders } from '../providers/codex-identity.js';
import type { Provider } from '../providers/types.js';
import { ResponseAssembler, type ResponseOutcome } from './assemble.js';
import { errorFromHttp } from './failures.js';
import { withModelRefusal } from './model-refused.js';
import { requestChunks } from './json-text.js';
import { buildRequestBody, type RequestSpec } from './request.js';
import { parseSseStream } from './sse.js';

/** Transport options of one request. */
export interface StreamOptions {
  signal: AbortSignal;
  /** No byte for this long (headers or body) fails the request, in ms. */
  idleTimeoutMs: number;
  debug?: (line: string) => void;
  /** Told what the request is doing now (for timeout messages): headers wait, then streaming. */
  onPhase?: (phase: string) => void;
  /**
   * The credentials of this attempt, when the caller already fetched them (a refused WebSocket
   * upgrade falls back to HTTP with the same ones: fetching twice could refresh twice). Used for the
   * first send only; the re-send after a 401 recovery fetches fresh ones.
   */
  authHeaders?: () => Promise<Record<string, string>>;
  /** Told the size of the request body in bytes, once per send. */
  onBodyBytes?: (bytes: number) => void;
}

/** A completed response plus what its headers said for later requests. */
export interface StreamResult extends ResponseOutcome {
  /** `x-codex-turn-state` of the answer, to echo on the turn's later requests. */
  turnState?: string;
  /** `x-models-etag` of the answer: the ETag of the server's current model catalogue. */
  modelsEtag?: string;
}

/** The session headers of a request: Codex's set on the ChatGPT backend, `session-id` elsewhere. */
function sessionHeaders(provider: Provider, spec: RequestSpec): Record<string, string> {
  if (!provider.chatgptBackend) return { 'session-id': spec.sessionId };
  return turnHeaders({
    sessionId: spec.sessionId,
    model: spec.model,
    lite: spec.shape?.lite === true,
    turnState: spec.turnState,
  });
}

/** A header value worth keeping: printable, bounded. */
function headerToken(v: string | undefined): string | undefined {
  return v !== undefined && v !== '' && v.length <= 4096 && /^[\x21-\x7e][\x20-\x7e]*$/.test(v) ? v : undefined;
}

/**
 * Sends one request and streams its events into `assembler`.
 * @returns the completed response's outcome, with its turn state and catalogue ETag
 * @throws KolegaError: auth (401/403 after recovery), quota (429), upstream (other statuses,
 *   response.failed/incomplete, malformed stream), network (transport, idle timeout),
 *   interrupted (signal). `retryable` tells the caller whether a replay may succeed.
 */
export async function streamResponse(
  provider: Provider,
  spec: RequestSpec,
  assembler: ResponseAssembler,
  opts: StreamOptions,
): Promise<StreamResult> {
  const url = `${provider.baseUrl}/responses`;
  // Encoded once, in pieces: their length is the content-length, and the same bytes go on the wire.
  const body = requestChunks(buildRequestBody(spec));
  const bodyBytes = body.reduce((n, b) => n + b.length, 0);
  let recovered = false;
  let auth = opts.authHeaders ?? (() => provider.auth.headers());
  for (;;) {
    const credentials = await auth();
    auth = () => provider.auth.headers();
    const headers: Record<string, string> = {
      ...provider.staticHeaders,
      ...credentials,
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...sessionHeaders(provider, spec),
    };
    opts.onBodyBytes?.(bodyBytes);
    opts.onPhase?.('waiting for response headers');
    const res = await httpRequest(url, {
      method: 'POST',
      headers,
      body,
      signal: opts.signal,
      idleTimeoutMs: opts.idleTimeoutMs,
      debug: opts.debug,
      env: provider.env,
    });
    if (res.status === 401 && !recovered) {
      const text = await res.text().catch(() => '');
      recovered = true;
      // A 401 web page came from a CDN or proxy, not the backend: no credential recovery for it.
      if (isHtmlPage(res.headers, text)) throw errorFromHttp(401, res.headers, text);
      if (await provider.auth.recoverUnauthorized()) {
        opts.debug?.('401: credentials refreshed, re-sending once');
        continue;
      }
      throw withAuthHint(errorFromHttp(401, res.headers, text), provider);
    }
    if (res.status < 200 || res.status >= 300) {
      const text = await res.text().catch(() => '');
      throw withModelRefusal(withAuthHint(errorFromHttp(res.status, res.headers, text), provider), spec.model);
    }
    const contentType = (res.headers['content-type'] ?? '').trim();
    // A 2xx that is not an event stream (docs/protocol.md: /responses streams text/event-stream) is
    // a captive portal, proxy or wrong base URL: say what came back instead of "stream closed".
    // A missing content-type is still read as a stream (lenient servers omit it).
    if (contentType !== '' && !contentType.toLowerCase().includes('text/event-stream')) {
      const text = await res.text().catch(() => '');
      if (isHtmlPage(res.headers, text)) throw errorFromHttp(res.status, res.headers, text);
      throw new KolegaError(
        'upstream',
        'unexpected_content_type',
        `the server answered ${res.status} with ${contentType.split(';')[0]} instead of an event stream`,
        { httpStatus: res.status, hint: `check the base URL (${provider.baseUrl}) and any proxy in between` },
      );
    }
    const turnState = headerToken(res.headers[TURN_STATE_HEADER]);
    const modelsEtag = headerToken(res.headers[MODELS_ETAG_HEADER]);
    opts.onPhase?.('streaming the response');
    try {
      await feedAssembler(res.body, assembler, opts.debug);
    } finally {
      // Stop reading at the terminal event; free the socket even when the server keeps it open.
      await res.dump();
    }
    if (opts.signal.aborted) {
      const reason: unknown = opts.signal.reason;
      throw reason instanceof KolegaError ? reason : new KolegaError('interrupted', 'interrupted', 'interrupted');
    }
    try {
      const outcome: StreamResult = assembler.finish();
      if (turnState !== undefined) outcome.turnState = turnState;
      if (modelsEtag !== undefined) outcome.modelsEtag = modelsEtag;
      return outcome;
    } catch (err) {
      throw withInputSize(err, bodyBytes);
    }
  }
}

/**
 * Parses an SSE body and pushes its events into `assembler` until a terminal event or EOF
 * (docs/protocol.md §f.3 "Stream end rules": stop reading at the terminal event). Call
 * `assembler.finish()` afterwards for the outcome.
 * @throws the errors of `parseSseStream` (malformed stream) and of the body (transport)
 */
export async function feedAssembler(
  body: AsyncIterable<Uint8Array>,
  assembler: ResponseAssembler,
  debug?: (line: string) => void,
): Promise<void> {
  for await (const ev of parseSseStream(body)) {
    if (debug && ev.type !== 'response.output_text.delta') debug(`event ${ev.type}`);
    assembler.push(ev);
    if (assembler.done) break;
  }
}

/** A context-window failure names the size of what was sent, so the user
 * knows how much to cut. */
export function withInputSize(err: unknown, bytes: number): unknown {
  if (!(err instanceof KolegaError) || err.code !== 'context_length_exceeded') return err;
  err.message = `${err.message}; the request was ${formatBytes(bytes)} (${bytes} bytes)`;
  return err;
}

/** A 401/403 gets the provider's own next step (an API key is fixed differently from a sign-in). */
export function withAuthHint(err: KolegaError, provider: Provider): KolegaError {
  if (err.exitClass !== 'auth' || (err.httpStatus !== 401 && err.httpStatus !== 403)) return err;
  const hint =
    provider.id === 'openai'
      ? 'check OPENAI_API_KEY, or store a key: kolega auth login openai --with-api-key'
      : 'sign in again: kolega auth login chatgpt';
  return copyError(err, { hint, cause: err });
}
