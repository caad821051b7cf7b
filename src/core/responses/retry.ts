/**
 * The retry policy, in one place (protocol.md f.4/f.7 and the Decisions table "retries"):
 * a failed request is replayed only when its error is `retryable` (5xx, network, stream cut,
 * rate_limit_exceeded) and the attempt showed nothing yet; at most `MAX_RETRIES` times, waiting the
 * server's delay when given, else 200 ms x 2^(n-1) with +-10% jitter.
 */
import { KolegaError } from '../errors.js';

/** Extra attempts after the first (protocol.md f.4 `request_max_retries`). */
export const MAX_RETRIES = 4;
/** Longest server-suggested delay we wait for, in ms; a longer one fails the run instead. */
export const MAX_RETRY_DELAY_MS = 60_000;
/** Base of the exponential backoff, in ms. */
export const BASE_DELAY_MS = 200;

/**
 * Decides whether attempt number `attempt` (1-based count of retries so far + 1) may be retried.
 * @returns the delay in ms before the retry, or undefined when the error must surface.
 */
export function retryDelay(err: unknown, attempt: number, emittedOutput: boolean, random = Math.random): number | undefined {
  if (!(err instanceof KolegaError) || !err.retryable || emittedOutput) return undefined;
  if (attempt > MAX_RETRIES) return undefined;
  if (err.retryDelayMs !== undefined) return err.retryDelayMs <= MAX_RETRY_DELAY_MS ? err.retryDelayMs : undefined;
  const base = BASE_DELAY_MS * 2 ** (attempt - 1);
  return Math.round(base * (0.9 + 0.2 * random()));
}
