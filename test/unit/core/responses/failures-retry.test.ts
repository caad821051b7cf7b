/**
 * Failure mapping (docs/protocol.md §f.4, §f.5; test/fixtures/sse 10-12) and the retry policy
 * (src/core/responses/retry.ts).
 */
import { describe, expect, it } from 'vitest';
import { KolegaError } from '../../../../src/core/errors.js';
import { mapNetworkError } from '../../../../src/core/http.js';
import {
  classifyFailedResponse,
  errorDetail,
  errorFromHttp,
  errorFromWsErrorFrame,
  parseTryAgainIn,
  retryAfterMs,
} from '../../../../src/core/responses/failures.js';
import {
  BASE_DELAY_MS,
  MAX_BACKOFF_MS,
  MAX_RETRIES,
  MAX_RETRY_DELAY_MS,
  retryDelay,
} from '../../../../src/core/responses/retry.js';
import {
  describeWindows,
  formatDuration,
  formatLocalTime,
  usageLimitError,
} from '../../../../src/core/responses/usage-limit.js';
import { fixture, parseHttpFixture } from '../../../fakes/backend.js';

const NOW = Date.UTC(2026, 4, 4, 12, 0, 0);

describe('HTTP statuses (f.4)', () => {
  it('fixture 10: 429 usage_limit_reached -> quota, not retryable, plan, reset time, windows', () => {
    const h = parseHttpFixture(fixture('sse/10-http-429-usage-limit.http').toString('utf8'));
    const err = errorFromHttp(h.status, h.headers, h.body);
    expect(err).toMatchObject({
      exitClass: 'quota',
      code: 'usage_limit_reached',
      retryable: false,
      resetsAt: 1777936568,
      httpStatus: 429,
    });
    expect(err.message).toContain('plus plan');
    expect(err.message).toMatch(/resets at (\d{4}-\d\d-\d\d )?\d\d:\d\d, in 3h 51m/);
    expect(err.message).toContain('5h window 100% used');
    expect(err.message).toContain('7d window 80% used');
    expect(err.retryAfterSeconds).toBe(13872);
    expect(retryDelay(err, 1, false)).toBeUndefined();
  });

  it('fixture 11: 400 detail -> upstream, not retryable, shows the detail', () => {
    const h = parseHttpFixture(fixture('sse/11-http-400-detail.http').toString('utf8'));
    const err = errorFromHttp(h.status, h.headers, h.body);
    expect(err).toMatchObject({ exitClass: 'upstream', code: 'http_400', retryable: false });
    expect(err.message).toContain('Unsupported parameter: max_output_tokens');
  });

  it('fixture 12: a WebSocket error frame maps exactly like the HTTP 429 with that body and headers', () => {
    const frame = JSON.parse(fixture('sse/12-ws-error-frame.json').toString('utf8')) as {
      error: unknown;
      headers: Record<string, unknown>;
    };
    const viaWs = errorFromWsErrorFrame(frame)!;
    const headers = Object.fromEntries(Object.entries(frame.headers).map(([k, v]) => [k, String(v)]));
    const viaHttp = errorFromHttp(429, headers, JSON.stringify({ error: frame.error }));
    expect(viaWs).toBeInstanceOf(KolegaError);
    expect({ ...viaWs, message: viaWs.message }).toEqual({ ...viaHttp, message: viaHttp.message });
    expect(viaWs).toMatchObject({
      exitClass: 'quota',
      code: 'usage_limit_reached',
      resetsAt: 1738888888,
      retryable: false,
    });
    expect(viaWs.message).toContain('pro plan');
    expect(viaWs.message).toContain('15m window 100% used');
    expect(errorFromWsErrorFrame({ type: 'response.created' })).toBeUndefined();
  });

  it('B15 (b) a free plan is named too', () => {
    const err = errorFromHttp(
      429,
      {},
      JSON.stringify({ error: { type: 'usage_limit_reached', plan_type: 'free', resets_in_seconds: 600 } }),
    );
    expect(err.message).toContain('free plan');
    expect(err.message).toContain('in 10m');
  });

  it('429 usage_not_included -> auth, never retried', () => {
    const err = errorFromHttp(429, {}, JSON.stringify({ error: { type: 'usage_not_included' } }));
    expect(err).toMatchObject({ exitClass: 'auth', code: 'usage_not_included', retryable: false });
  });

  it('B15 (c) 429 rate_limit_exceeded with retry-after -> quota, retryable after that delay', () => {
    const err = errorFromHttp(
      429,
      { 'retry-after': '2' },
      JSON.stringify({ error: { code: 'rate_limit_exceeded', type: 'requests' } }),
    );
    expect(err).toMatchObject({ exitClass: 'quota', retryable: true, retryDelayMs: 2000, retryAfterSeconds: 2 });
    expect(retryDelay(err, 1, false)).toBe(2000);
  });

  it('429 with "try again in" in the message and no header', () => {
    const err = errorFromHttp(
      429,
      {},
      JSON.stringify({ error: { code: 'rate_limit_exceeded', message: 'Please try again in 350ms.' } }),
    );
    expect(err.retryDelayMs).toBe(350);
  });

  it('5xx retryable (honouring retry-after-ms), 503 overloaded included and named', () => {
    expect(errorFromHttp(500, {}, '{"detail":"boom"}')).toMatchObject({
      exitClass: 'upstream',
      code: 'http_500',
      retryable: true,
    });
    expect(errorFromHttp(502, { 'retry-after-ms': '150' }, '')).toMatchObject({ retryable: true, retryDelayMs: 150 });
    expect(errorFromHttp(503, {}, JSON.stringify({ error: { code: 'server_is_overloaded' } }))).toMatchObject({
      code: 'server_is_overloaded',
      retryable: true,
    });
  });

  it('401/403 -> auth; 404 and other 4xx -> upstream, never retried; request ids kept', () => {
    expect(errorFromHttp(401, {}, '')).toMatchObject({ exitClass: 'auth', retryable: false });
    expect(errorFromHttp(403, {}, '')).toMatchObject({ exitClass: 'auth', retryable: false });
    const e404 = errorFromHttp(404, { 'x-request-id': 'req_1' }, '{"detail":"Not Found"}');
    expect(e404).toMatchObject({ exitClass: 'upstream', retryable: false, requestId: 'req_1' });
    expect(errorFromHttp(422, {}, '{}')).toMatchObject({ exitClass: 'upstream', retryable: false });
  });

  it('B12 the detail of a FastAPI-style body is shown', () => {
    for (const detail of ['Instructions are required', 'Store must be set to false']) {
      expect(errorFromHttp(400, {}, JSON.stringify({ detail })).message).toContain(detail);
    }
    expect(errorDetail('{"error":{"message":"bad key"}}').detail).toBe('bad key');
    expect(errorDetail('<html>oops</html>').detail).toBe('<html>oops</html>');
  });
});

describe('response.failed codes (f.5)', () => {
  it.each([
    ['context_length_exceeded', 'upstream', false],
    ['insufficient_quota', 'quota', false],
    ['usage_not_included', 'auth', false],
    ['usage_limit_reached', 'quota', false],
    ['invalid_prompt', 'upstream', false],
    ['cyber_policy', 'upstream', false],
    ['server_is_overloaded', 'upstream', true],
    ['slow_down', 'upstream', true],
    ['rate_limit_exceeded', 'quota', true],
    ['server_error', 'upstream', true],
  ])('%s -> %s, retryable %s', (code, exitClass, retryable) => {
    expect(classifyFailedResponse({ code, message: 'x' })).toMatchObject({ code, exitClass, retryable });
  });

  it('B17 context_length_exceeded names its code', () => {
    expect(
      classifyFailedResponse({ code: 'context_length_exceeded', message: '(fixture) too long' }).message,
    ).toContain('context_length_exceeded');
  });

  it('no error object -> retryable response_failed', () => {
    expect(classifyFailedResponse(undefined)).toMatchObject({ code: 'response_failed', retryable: true });
  });

  it('parses "try again in" delays (s, ms, seconds), case-insensitive', () => {
    expect(parseTryAgainIn('Please try again in 11.054s.')).toBe(11054);
    expect(parseTryAgainIn('TRY AGAIN IN 200ms')).toBe(200);
    expect(parseTryAgainIn('try again in 2 seconds')).toBe(2000);
    expect(parseTryAgainIn('try again in 1 second')).toBe(1000);
    expect(parseTryAgainIn('try again later')).toBeUndefined();
  });

  it('reads retry-after-ms, retry-after seconds and HTTP dates', () => {
    expect(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' })).toBe(250);
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
    expect(retryAfterMs({ 'retry-after': new Date(NOW + 5000).toUTCString() }, NOW)).toBe(5000);
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({})).toBeUndefined();
  });
});

describe('usage-limit message', () => {
  it('formats durations', () => {
    expect(formatDuration(13872)).toBe('3h 51m');
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(600)).toBe('10m');
    expect(formatDuration(90061)).toBe('1d 1h');
  });

  it('prefers resets_in_seconds for the relative time (immune to clock skew) and keeps the server resets_at', () => {
    const err = usageLimitError({ resetsAt: 1, resetsInSeconds: 3600, plan: 'plus' }, NOW);
    expect(err.resetsAt).toBe(1);
    expect(err.retryAfterSeconds).toBe(3600);
    expect(err.message).toContain(`resets at ${formatLocalTime(NOW + 3600_000, NOW)}, in 1h 0m`);
  });

  it('derives resets_at from resets_in_seconds, and the relative time from resets_at', () => {
    expect(usageLimitError({ resetsInSeconds: 60 }, NOW).resetsAt).toBe(NOW / 1000 + 60);
    expect(usageLimitError({ resetsAt: NOW / 1000 + 7200 }, NOW).message).toContain('in 2h 0m');
  });

  it('a reset time in the past is not shown as a countdown', () => {
    const err = usageLimitError({ resetsAt: NOW / 1000 - 60 }, NOW);
    expect(err.message).toContain('due to reset at');
    expect(err.retryAfterSeconds).toBe(0);
  });

  it('local time gets a date when not today', () => {
    expect(formatLocalTime(NOW, NOW)).toMatch(/^\d\d:\d\d$/);
    expect(formatLocalTime(NOW + 3 * 86400_000, NOW)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  });

  it('describes only the windows that were sent', () => {
    expect(describeWindows({})).toBe('');
    expect(describeWindows({ 'x-codex-primary-used-percent': '99.6', 'x-codex-primary-window-minutes': '300' })).toBe(
      '5h window 100% used',
    );
  });
});

describe('retry policy', () => {
  const transient = new KolegaError('network', 'network_error', 'reset', { retryable: true });

  it('exponential backoff with +-10% jitter, capped', () => {
    expect(retryDelay(transient, 1, false, () => 0.5)).toBe(BASE_DELAY_MS);
    expect(retryDelay(transient, 2, false, () => 0.5)).toBe(BASE_DELAY_MS * 2);
    expect(retryDelay(transient, 3, false, () => 0)).toBe(Math.round(BASE_DELAY_MS * 4 * 0.9));
    expect(retryDelay(transient, 4, false, () => 0.999999)).toBe(Math.round(BASE_DELAY_MS * 8 * 1.1));
    for (let n = 1; n <= MAX_RETRIES; n++)
      expect(retryDelay(transient, n, false)!).toBeLessThanOrEqual(MAX_BACKOFF_MS * 1.1);
  });

  it(`at most ${MAX_RETRIES} retries`, () => {
    expect(retryDelay(transient, MAX_RETRIES, false)).toBeDefined();
    expect(retryDelay(transient, MAX_RETRIES + 1, false)).toBeUndefined();
  });

  it('never replays an attempt that already emitted output', () => {
    expect(retryDelay(transient, 1, true)).toBeUndefined();
  });

  it('never retries non-retryable errors or foreign throws', () => {
    expect(retryDelay(new KolegaError('upstream', 'http_400', 'bad'), 1, false)).toBeUndefined();
    expect(retryDelay(new Error('x'), 1, false)).toBeUndefined();
  });

  it('honours the server delay, but not beyond the cap', () => {
    const e = (ms: number) => new KolegaError('quota', 'rate_limited', 'x', { retryable: true, retryDelayMs: ms });
    expect(retryDelay(e(11054), 1, false)).toBe(11054);
    expect(retryDelay(e(MAX_RETRY_DELAY_MS + 1), 1, false)).toBeUndefined();
  });

  it('a server delay of zero, negative or NaN never shortens the backoff: no retry storm', () => {
    const e = (ms: number) => new KolegaError('upstream', 'http_503', 'x', { retryable: true, retryDelayMs: ms });
    for (let n = 1; n <= MAX_RETRIES; n++) {
      const floor = Math.round(Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** (n - 1)) * 0.9);
      for (const ms of [0, -0, -5, Number.NaN, Number.NEGATIVE_INFINITY])
        expect(retryDelay(e(ms), n, false, () => 0)).toBe(floor);
    }
    expect(retryDelay(e(30), 1, false)).toBe(30); // a positive server delay is the server's call
  });

  it('retry-after values that are negative, in the past or unreadable count as absent', () => {
    expect(retryAfterMs({ 'retry-after': '-1' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '-0.5' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '1e3' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': new Date(NOW - 5000).toUTCString() }, NOW)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': new Date(NOW).toUTCString() }, NOW)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after-ms': '-100' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after-ms': 'x', 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMs({ 'retry-after': '0' })).toBe(0);
  });
});

describe('network errors', () => {
  const url = 'http://127.0.0.1:9/v1/responses';
  it('connection refused and EAI_AGAIN are retryable; ENOTFOUND and idle timeouts are not', () => {
    expect(mapNetworkError({ code: 'ECONNREFUSED' }, url, undefined, 'headers')).toMatchObject({
      exitClass: 'network',
      retryable: true,
    });
    expect(mapNetworkError({ code: 'EAI_AGAIN' }, url, undefined, 'headers')).toMatchObject({
      exitClass: 'network',
      retryable: true,
    });
    expect(mapNetworkError({ cause: { code: 'ENOTFOUND' } }, url, undefined, 'headers')).toMatchObject({
      code: 'dns_failed',
      retryable: false,
    });
    const headers = mapNetworkError({ code: 'UND_ERR_HEADERS_TIMEOUT' }, url, undefined, 'headers');
    expect(headers).toMatchObject({ code: 'idle_timeout', exitClass: 'network', retryable: false });
    expect(headers.message).toContain('waiting for response headers');
    expect(mapNetworkError({ code: 'UND_ERR_BODY_TIMEOUT' }, url, undefined, 'body').message).toContain('mid-stream');
    expect(mapNetworkError({ code: 'UND_ERR_BODY_TIMEOUT' }, url, undefined, 'body', undefined, 10).message).toContain(
      'no data for 10 ms',
    );
    expect(mapNetworkError({ code: 'ECONNRESET' }, url, undefined, 'body')).toMatchObject({
      code: 'stream_interrupted',
      exitClass: 'network',
      retryable: true,
    });
  });

  it('an aborted signal reports its reason', () => {
    const c = new AbortController();
    c.abort(new KolegaError('interrupted', 'interrupted', 'interrupted by SIGINT'));
    expect(mapNetworkError(new Error('aborted'), url, c.signal, 'body')).toMatchObject({ exitClass: 'interrupted' });
  });
});
