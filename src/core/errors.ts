/**
 * Typed failures. Core code throws `KolegaError`; only `src/cli/exit.ts` turns the exit class into a
 * process exit status (docs/design.md "Exit status").
 */

/** What kind of failure this is; each class maps to one documented exit status. */
export type ExitClass =
  | 'usage' // 2: bad flag or argument, empty prompt, unknown model
  | 'config' // 2: corrupt or unreadable settings/credentials file, bad configuration
  | 'auth' // 3: not signed in, refresh rejected, plan not eligible, 401/403 after refresh
  | 'quota' // 4: usage or rate limit after retries
  | 'upstream' // 5: 4xx/5xx after retries, response.failed, response.incomplete, bad stream
  | 'network' // 6: connection refused/reset, DNS, TLS, idle timeout, --timeout
  | 'interrupted' // 130: SIGINT/SIGTERM
  | 'stdout_closed' // 141: stdout closed by its reader (`| head`): nothing more is said
  | 'internal'; // 1: a bug

/** Extra facts carried by an error, surfaced in `turn.failed` and in the one-line message. */
export interface KolegaErrorDetails {
  /** A short next step for the user, shown after the message. */
  hint?: string;
  /** HTTP status of the failed request, when there was one. */
  httpStatus?: number;
  /** Seconds until a retry may succeed (rate or usage limit). */
  retryAfterSeconds?: number;
  /** Unix time (seconds) when a usage limit resets. */
  resetsAt?: number;
  /** Whether a retry of the same request might succeed (transient failure). */
  retryable?: boolean;
  /** Server-suggested delay before a retry, in ms. */
  retryDelayMs?: number;
  /** Request id from the server (x-request-id), for bug reports. */
  requestId?: string;
  /** The underlying error. */
  cause?: unknown;
  /**
   * The command's own output already told the user (e.g. `auth status` prints the problem and its
   * fix in its report): the CLI's reporter adds no line of its own, it only maps the exit status.
   */
  alreadyShown?: boolean;
}

/**
 * A failure with a stable string `code` (e.g. `http_400`, `stream_incomplete`) and an exit class.
 * `message` is one line saying what happened; `hint` says what to do next.
 */
export class KolegaError extends Error {
  readonly code: string;
  readonly exitClass: ExitClass;
  readonly hint?: string;
  readonly httpStatus?: number;
  readonly retryAfterSeconds?: number;
  readonly resetsAt?: number;
  readonly retryable: boolean;
  readonly retryDelayMs?: number;
  readonly requestId?: string;
  readonly alreadyShown: boolean;

  constructor(exitClass: ExitClass, code: string, message: string, details: KolegaErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'KolegaError';
    this.exitClass = exitClass;
    this.code = code;
    this.hint = details.hint;
    this.httpStatus = details.httpStatus;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.resetsAt = details.resetsAt;
    this.retryable = details.retryable ?? false;
    this.retryDelayMs = details.retryDelayMs;
    this.requestId = details.requestId;
    this.alreadyShown = details.alreadyShown ?? false;
  }
}

/** Shorthand for a usage error (exit 2). */
export function usageError(code: string, message: string, hint?: string): KolegaError {
  return new KolegaError('usage', code, message, { hint });
}

/** True when `err` is a KolegaError (also across module copies). */
export function isKolegaError(err: unknown): err is KolegaError {
  return err instanceof KolegaError || (err instanceof Error && err.name === 'KolegaError' && 'exitClass' in err);
}

/** What a copy of a KolegaError may change: its class, code, message, or any detail. */
export interface KolegaErrorChanges extends KolegaErrorDetails {
  exitClass?: ExitClass;
  code?: string;
  message?: string;
}

/**
 * Copies `err` with `changes` applied. Everything not named in `changes` is kept: the exit class,
 * code, message, hint, HTTP status, retry facts (`retryable`, `retryDelayMs`, `retryAfterSeconds`),
 * reset time, request id, `alreadyShown` and `cause`. The one way errors are copied, so that no copy silently
 * drops a field the exit mapping, the retry policy or `--debug` needs.
 */
export function copyError(err: KolegaError, changes: KolegaErrorChanges = {}): KolegaError {
  const { exitClass = err.exitClass, code = err.code, message = err.message, ...details } = changes;
  return new KolegaError(exitClass, code, message, {
    hint: err.hint,
    httpStatus: err.httpStatus,
    retryAfterSeconds: err.retryAfterSeconds,
    resetsAt: err.resetsAt,
    retryable: err.retryable,
    retryDelayMs: err.retryDelayMs,
    requestId: err.requestId,
    alreadyShown: err.alreadyShown,
    cause: (err as { cause?: unknown }).cause,
    ...details,
  });
}
