/**
 * The retry policy, in one place (docs/protocol.md §f.4/f.5/f.7 and docs/protocol.md "Decisions", retries).
 *
 * Retried (when the attempt showed nothing yet): 5xx, 503 `server_is_overloaded` / `slow_down`
 * included, in every shape (HTTP, `response.failed`, a stream `error` event), named in the final
 * message when the retries run out; connection refused/reset, EAI_AGAIN, a stream cut before
 * `response.completed` (also after a stream `error` event with another code); 429 other than
 * usage limits and `response.failed` with `rate_limit_exceeded`; other `response.failed` codes
 * not listed below.
 *
 * Never retried: `usage_limit_reached`, `usage_not_included`, `insufficient_quota`, other 4xx
 * (400, 401/403 after the one credential recovery, 404, ...), `context_length_exceeded`,
 * `invalid_prompt`, `cyber_policy` (in every shape), `response.incomplete`,
 * DNS `ENOTFOUND` (a name that does not resolve will not resolve a moment later) and the idle
 * timeout (the user already waited a whole `--idle-timeout`; retrying would multiply the wait).
 * Each error's `retryable` flag is set where it is classified (`failures.ts`, `http.ts`) from this
 * list; this module decides whether and when.
 *
 * An attempt that already emitted output (text, reasoning or an item) is never replayed, so the
 * user never sees an answer twice. At most `MAX_RETRIES` retries per request, waiting the server's
 * delay (`retry-after-ms`, `retry-after`, "try again in Ns") when it gives a positive one, up to
 * `MAX_RETRY_DELAY_MS` (a longer one fails the run instead), else `BASE_DELAY_MS` x 2^(n-1) with
 * +-10% jitter, capped at `MAX_BACKOFF_MS`. A server delay that is zero, negative, in the past or
 * unreadable never shortens that backoff: a broken or hostile `retry-after: 0` must not turn the
 * retries into a storm.
 */
import { KolegaError } from '../errors.js';

/** Extra attempts after the first (docs/protocol.md §f.4: four, as Codex). */
export const MAX_RETRIES = 4;
/** Longest server-suggested delay we wait for, in ms; a longer one fails the run instead. */
export const MAX_RETRY_DELAY_MS = 60_000;
/** Base of the exponential backoff, in ms. */
export const BASE_DELAY_MS = 200;
/** Cap of the computed (not server-suggested) backoff, in ms. */
export const MAX_BACKOFF_MS = 10_000;

/**
 * Decides whether a failed attempt may be retried.
 * @param err the attempt's error
 * @param attempt 1-based number of the attempt that failed (1 = the first request)
 * @param emittedOutput whether the attempt already emitted anything to the user
 * @param random a source of [0,1) for the jitter (injectable for tests)
 * @returns the delay in ms before the retry, or undefined when the error must surface
 */
export function retryDelay(
  err: unknown,
  attempt: number,
  emittedOutput: boolean,
  random = Math.random,
): number | undefined {
  if (!(err instanceof KolegaError) || !err.retryable || emittedOutput) return undefined;
  if (attempt > MAX_RETRIES) return undefined;
  const base = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  const backoff = Math.round(base * (0.9 + 0.2 * random()));
  const server = err.retryDelayMs;
  if (server === undefined || !Number.isFinite(server) || server <= 0) return backoff;
  return server <= MAX_RETRY_DELAY_MS ? Math.round(server) : undefined;
}
