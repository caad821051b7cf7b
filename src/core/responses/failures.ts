/**
 * Mapping server failures to typed errors, in one place: HTTP statuses before the stream
 * (docs/protocol.md §f.4) and `response.failed` codes (§f.5). Retryability follows docs/protocol.md "Decisions":
 * 5xx, network and `rate_limit_exceeded` are transient; usage limits and other 4xx never are.
 */
import { KolegaError } from '../errors.js';
import { htmlPageError, isHtmlPage } from '../net/html-page.js';
import { formatDuration, usageLimitError } from './usage-limit.js';

export { formatDuration, usageLimitError };

/** Parses "try again in 11.054s" / "1.5 seconds" / "200ms" into ms (docs/protocol.md §f.5). */
export function parseTryAgainIn(message: string): number | undefined {
  const m = /try again in\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|seconds?)\b/i.exec(message);
  if (!m) return undefined;
  const value = Number(m[1]);
  return m[2]!.toLowerCase() === 'ms' ? value : value * 1000;
}

/**
 * Reads the server-suggested retry delay from `retry-after-ms` or `retry-after` (seconds or an
 * HTTP date, RFC 9110 section 10.2.3), in ms.
 * @returns the delay, or undefined when neither header holds a usable value: a negative number, a
 *   date in the past and anything unparseable count as absent (the caller's backoff applies); zero
 *   is returned as 0 and the retry policy still waits its own backoff (see retry.ts)
 */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const ms = headers['retry-after-ms']?.trim();
  if (ms !== undefined && ms !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = headers['retry-after']?.trim();
  if (ra === undefined || ra === '') return undefined;
  if (/^[0-9]+(\.[0-9]+)?$/.test(ra)) return Number(ra) * 1000;
  if (/^[+-]?[0-9.]+$/.test(ra)) return undefined; // negative or malformed number
  const date = Date.parse(ra);
  if (Number.isNaN(date) || date <= now) return undefined;
  return date - now;
}

/** The `error.code` values `classifyFailedResponse` maps specifically (docs/protocol.md §f.5). */
export const KNOWN_FAILURE_CODES: ReadonlySet<string> = new Set([
  'context_length_exceeded',
  'insufficient_quota',
  'usage_not_included',
  'usage_limit_reached',
  'cyber_policy',
  'invalid_prompt',
  'server_is_overloaded',
  'slow_down',
  'rate_limit_exceeded',
]);

/**
 * Classifies the `response.error` object of a `response.failed` event (docs/protocol.md §f.5), also
 * used for stream `error` events. Every message names the server's code and, when it sent one, its
 * text. `server_is_overloaded` / `slow_down` are transient (retried with the normal backoff) and
 * named in the message that ends the run when the retries run out.
 */
export function classifyFailedResponse(rawError: unknown): KolegaError {
  const err = (rawError ?? {}) as { code?: unknown; message?: unknown; resets_at?: unknown };
  const code = typeof err.code === 'string' && err.code !== '' ? err.code : 'response_failed';
  const serverText = typeof err.message === 'string' && err.message.trim() !== '' ? oneLine(err.message) : undefined;
  const message = serverText ?? 'the response failed';
  /** `(code)` or `(code: server text)`. */
  const named = serverText === undefined ? `(${code})` : `(${code}: ${serverText})`;
  switch (code) {
    case 'context_length_exceeded':
      return new KolegaError('upstream', code, `the input does not fit the model's context window ${named}`, {
        hint: 'shorten the prompt or the attached files',
      });
    case 'insufficient_quota':
      return new KolegaError('quota', code, `quota exceeded ${named}`, { hint: 'check your plan and billing details' });
    case 'usage_not_included':
      return new KolegaError('auth', code, `your ChatGPT plan does not include this usage ${named}`, {
        hint: 'upgrade the plan (Plus or higher), or use an API key: kolega auth login openai --with-api-key',
      });
    case 'usage_limit_reached':
      return usageLimitError({ resetsAt: typeof err.resets_at === 'number' ? err.resets_at : undefined });
    case 'cyber_policy':
    case 'invalid_prompt':
      return new KolegaError('upstream', code, `the request was refused ${named}`, { hint: 'change the prompt' });
    case 'server_is_overloaded':
    case 'slow_down':
      return new KolegaError('upstream', code, `the selected model is at capacity ${named}`, {
        retryable: true,
        hint: 'try again later or pick another model with -m',
      });
    case 'rate_limit_exceeded': {
      const delay = parseTryAgainIn(message);
      return new KolegaError('quota', code, `rate limited ${named}`, {
        retryable: true,
        retryDelayMs: delay,
        retryAfterSeconds: delay === undefined ? undefined : Math.ceil(delay / 1000),
        hint: 'wait a moment and retry',
      });
    }
    default:
      return new KolegaError('upstream', code, `the response failed ${named}`, {
        retryable: true,
        hint: 'retry the request',
      });
  }
}

/**
 * Classifies a stream `error` event (docs/protocol.md §f.3 "error (top-level)"). The backend sends two
 * shapes, read the same way: fields at the top (`{"type":"error","code":..,"message":..}`) and a
 * nested object (`{"type":"error","error":{"code":..,"message":..,"type":..}}`); a frame with a
 * numeric `status` is the WebSocket form and maps like that HTTP answer. A known code keeps its
 * meaning (a permanent one is never retried); any other code is a retryable stream error.
 */
export function classifyStreamError(ev: Record<string, unknown>): KolegaError {
  const ws = errorFromWsErrorFrame(ev);
  if (ws) return ws;
  const nested =
    ev.error !== null && typeof ev.error === 'object' && !Array.isArray(ev.error)
      ? (ev.error as Record<string, unknown>)
      : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  const code =
    str(ev.code) ?? str(nested.code) ?? str(nested.type) ?? (typeof ev.error === 'string' ? str(ev.error) : undefined);
  const message = str(ev.message) ?? str(nested.message);
  if (code !== undefined && KNOWN_FAILURE_CODES.has(code)) {
    return classifyFailedResponse({ code, message, resets_at: ev.resets_at ?? nested.resets_at });
  }
  const shownCode = code ?? 'stream_error';
  return new KolegaError(
    'upstream',
    shownCode,
    `stream error (${shownCode}): ${message === undefined ? 'the server reported an error' : oneLine(message)}`,
    {
      retryable: true,
      hint: 'retry the request',
    },
  );
}

/** Server text as one bounded line (no control characters). */
function oneLine(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** The human detail of an error body: `detail`, `error.message`, or the raw text (truncated). */
export function errorDetail(bodyText: string): { detail: string; json: Record<string, unknown> | undefined } {
  let json: Record<string, unknown> | undefined;
  try {
    const v: unknown = JSON.parse(bodyText);
    if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
  } catch {
    // not JSON
  }
  const errObj = json?.error;
  let detail: string | undefined;
  if (typeof json?.detail === 'string') detail = json.detail;
  else if (errObj && typeof errObj === 'object' && typeof (errObj as { message?: unknown }).message === 'string')
    detail = (errObj as { message: string }).message;
  else if (typeof errObj === 'string') detail = errObj;
  detail ??= bodyText.trim().replace(/\s+/g, ' ').slice(0, 300) || 'no details';
  return { detail, json };
}

/**
 * Maps a non-2xx response of the Responses endpoint to an error (docs/protocol.md §f.4).
 * 401/403 -> auth; 429 usage_limit_reached -> quota with reset time; 429 usage_not_included -> auth;
 * other 429 -> quota (retryable); 5xx -> upstream (retryable, except 503 overloaded); other 4xx ->
 * upstream (never retried). An HTML page (a CDN, proxy or captive portal answered, not the API) is
 * `html_error_page`, upstream, whatever its status: only the backend's own JSON says the
 * credentials are wrong.
 */
export function errorFromHttp(status: number, headers: Record<string, string>, bodyText: string): KolegaError {
  if (isHtmlPage(headers, bodyText)) return htmlPageError(status, headers, bodyText);
  const { detail, json } = errorDetail(bodyText);
  const requestId = headers['x-request-id'] ?? headers['x-oai-request-id'] ?? headers['cf-ray'];
  const errObj = (json?.error && typeof json.error === 'object' ? json.error : {}) as Record<string, unknown>;
  const type =
    typeof errObj.type === 'string' ? errObj.type : typeof errObj.code === 'string' ? errObj.code : undefined;
  const base = { httpStatus: status, requestId };
  if (status === 401 || status === 403) {
    return new KolegaError('auth', `http_${status}`, `the server rejected the credentials (${status}): ${detail}`, {
      ...base,
      hint: 'sign in again: kolega auth login chatgpt (or check OPENAI_API_KEY)',
    });
  }
  if (status === 429 || type === 'usage_limit_reached') {
    if (type === 'usage_limit_reached') {
      return usageLimitError({
        resetsAt: typeof errObj.resets_at === 'number' ? errObj.resets_at : undefined,
        resetsInSeconds: typeof errObj.resets_in_seconds === 'number' ? errObj.resets_in_seconds : undefined,
        plan: typeof errObj.plan_type === 'string' ? errObj.plan_type : headers['x-codex-plan-type'],
        requestId,
        headers,
      });
    }
    if (type === 'usage_not_included') {
      return new KolegaError('auth', 'usage_not_included', 'your ChatGPT plan does not include this usage', {
        ...base,
        hint: 'upgrade the plan (Plus or higher), or use an API key: kolega auth login openai --with-api-key',
      });
    }
    const delay = retryAfterMs(headers) ?? parseTryAgainIn(detail);
    return new KolegaError('quota', 'rate_limited', `rate limited (429): ${detail}`, {
      ...base,
      retryable: true,
      retryDelayMs: delay,
      retryAfterSeconds: delay === undefined ? undefined : Math.ceil(delay / 1000),
      hint: 'wait a moment and retry',
    });
  }
  if (status >= 500) {
    const code = typeof errObj.code === 'string' ? errObj.code : undefined;
    const overloaded = status === 503 && (code === 'server_is_overloaded' || code === 'slow_down');
    return new KolegaError(
      'upstream',
      overloaded ? code! : `http_${status}`,
      `the server failed (${status}${overloaded ? ` ${code}` : ''}): ${detail}`,
      {
        ...base,
        retryable: true,
        retryDelayMs: retryAfterMs(headers),
        hint: overloaded ? 'try again later or pick another model with -m' : 'retry later',
      },
    );
  }
  return new KolegaError('upstream', `http_${status}`, `the server refused the request (${status}): ${detail}`, {
    ...base,
    hint:
      status === 404
        ? 'check the base URL and the model name'
        : 'check the flags and the model; rerun with --debug for details',
  });
}

/**
 * Maps a Responses WebSocket `error` frame (`{"type":"error","status":N,"error":{...},"headers":{...}}`,
 * docs/protocol.md §f.3 (the top-level `error` event), test/fixtures/sse/12-ws-error-frame.json) exactly like an HTTP answer with that status,
 * headers and body. So a failure reads the same over the WebSocket (./websocket.ts) and HTTP.
 * @returns the error, or undefined when `frame` is not such a frame (no numeric `status`)
 */
export function errorFromWsErrorFrame(frame: unknown): KolegaError | undefined {
  if (frame === null || typeof frame !== 'object') return undefined;
  const f = frame as { type?: unknown; status?: unknown; error?: unknown; headers?: unknown };
  if (f.type !== 'error' || typeof f.status !== 'number') return undefined;
  const headers: Record<string, string> = {};
  if (f.headers && typeof f.headers === 'object') {
    for (const [k, v] of Object.entries(f.headers as Record<string, unknown>)) {
      if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
    }
  }
  return errorFromHttp(f.status, headers, JSON.stringify({ error: f.error }));
}
