/**
 * Access to the ChatGPT tokens for requests, with refresh (docs/protocol.md §d; "Decisions",
 * refresh timing, refresh concurrency, refresh errors):
 * - proactive: when the access token's `exp` is within REFRESH_WINDOW_MS (no `exp`: `last_refresh`
 *   older than REFRESH_MAX_AGE_MS);
 * - reactive: once on HTTP 401, after re-reading the store (another process may have refreshed);
 * - serialized across processes by the credentials lock, re-reading after the lock is taken, so N
 *   processes sharing one store cause one refresh; the rotated tokens are written atomically (0600)
 *   before they are used;
 * - permanent refusals (d.3 codes, any other 4xx) are remembered in the store (`refresh_failure`) and
 *   never retried — at most one POST per run, none when no refresh token is stored; transient
 *   failures (network, 5xx) are retried REFRESH_ATTEMPTS times with backoff. Credentials are never
 *   deleted on error;
 * - only an expired access token (or a 401 from the backend) makes a failed refresh fail the run
 *   (exit 3 when refused: sign in again); while the access token is still valid the run goes on
 *   with it and one warning (`onRenewalWarning`);
 * - once a refresh request is sent it is never aborted: the rotated tokens are read and stored as
 *   critical work (../critical.ts) that the CLI waits for before exiting, since the issuer has
 *   already retired the old refresh token.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { abortReason, beginCritical, unlessAborted } from '../critical.js';
import { KolegaError, copyError } from '../errors.js';
import { readCredentials, updateCredentials, type ChatGPTTokens } from '../store/credentials.js';
import {
  EARLY_REFRESH_TIMEOUT_MS,
  REFRESH_ATTEMPTS,
  REFRESH_BACKOFF_MS,
  REFRESH_MAX_AGE_MS,
  REFRESH_WINDOW_MS,
} from './constants.js';
import { issuerEndpoints } from './issuer.js';
import { readClaims } from './jwt.js';
import { permanentRefreshError, refreshOnce, RefreshRefusedError, type TokenResponse } from './token-endpoint.js';

/** What a request needs from the ChatGPT sign-in. */
export interface ChatGPTAccess {
  accessToken: string;
  /** `chatgpt_account_id`, sent as ChatGPT-Account-ID; null when unknown. */
  accountId: string | null;
  fedramp: boolean;
}

/** Options of the token manager. */
export interface TokenManagerOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  debug?: (line: string) => void;
  /** Told, once per run, when the access token is used although it could not be renewed. */
  onRenewalWarning?: (warning: RenewalWarning) => void;
  /** Clock (ms since epoch), injectable for tests. */
  now?: () => number;
}

/** The access token is used although the session could not be renewed (data; the CLI words it). */
export interface RenewalWarning {
  /**
   * `not_renewable`: the issuer refused this refresh token before, or none is stored (nothing was
   * sent; a new sign-in is needed); `refused`: the issuer refused it now (a new sign-in is needed);
   * `failed`: the refresh failed for now (network, 5xx) and is tried again on a later run.
   */
  kind: 'not_renewable' | 'refused' | 'failed';
  /** Why, in the failure's own words (e.g. `the refresh token was rejected (invalid_grant)`). */
  reason: string;
  /** When the access token expires (ms since the epoch), when its JWT says. */
  expiresAtMs?: number;
  /** The manager's clock when this was decided (ms since the epoch). */
  atMs: number;
}

/** Why a refresh is attempted. */
type RefreshReason = 'proactive' | 'unauthorized';

/**
 * True when `tokens` should be refreshed before use at time `now` (ms): `exp` within
 * REFRESH_WINDOW_MS, or without `exp` a `last_refresh` older than REFRESH_MAX_AGE_MS.
 */
export function needsRefresh(tokens: ChatGPTTokens, now = Date.now()): boolean {
  const exp = readClaims(tokens.access_token).exp;
  if (exp !== undefined) return exp * 1000 - now <= REFRESH_WINDOW_MS;
  const last = Date.parse(tokens.last_refresh);
  return Number.isFinite(last) && now - last > REFRESH_MAX_AGE_MS;
}

/** True when the access token's `exp` has passed at `now` (ms); false without `exp`. */
export function isExpired(tokens: ChatGPTTokens, now = Date.now()): boolean {
  const exp = readClaims(tokens.access_token).exp;
  return exp !== undefined && exp * 1000 <= now;
}

/** The error when the stored session can no longer be renewed without a new sign-in. */
function deadSessionError(tokens: ChatGPTTokens): KolegaError {
  if (tokens.refresh_failure) return permanentRefreshError(tokens.refresh_failure.code);
  return new KolegaError('auth', 'no_refresh_token', 'the ChatGPT session has expired and no refresh token is stored', {
    hint: 'sign in again: kolega auth login chatgpt',
  });
}

function notSignedIn(): KolegaError {
  return new KolegaError('auth', 'not_signed_in', 'not signed in with ChatGPT', {
    hint: 'run: kolega auth login chatgpt',
  });
}

/** Serves and refreshes the ChatGPT tokens of one store, for one run. */
export class TokenManager {
  private lastAccessToken: string | undefined;
  private permanent: KolegaError | undefined;
  private warned = false;
  private readonly now: () => number;

  constructor(private readonly opts: TokenManagerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The stored tokens, or undefined when not signed in. @throws KolegaError(config) when corrupt. */
  stored(): ChatGPTTokens | undefined {
    const t = readCredentials(this.opts.home).chatgpt;
    return t && t.access_token ? t : undefined;
  }

  /**
   * Tokens for the next request, refreshed first when due.
   * @throws KolegaError(auth, `not_signed_in` | `refresh_failed` | `no_refresh_token`),
   *   KolegaError(network | upstream) after transient refresh failures of an expired token,
   *   KolegaError(config) for a corrupt store, KolegaError(interrupted).
   */
  async access(): Promise<ChatGPTAccess> {
    if (this.permanent) throw this.permanent;
    let tokens = this.stored();
    if (!tokens) throw notSignedIn();
    if (needsRefresh(tokens, this.now())) tokens = await this.refresh(tokens, 'proactive');
    this.lastAccessToken = tokens.access_token;
    const idClaims = readClaims(tokens.id_token);
    return {
      accessToken: tokens.access_token,
      accountId: tokens.account_id ?? idClaims.accountId ?? null,
      fedramp: idClaims.fedramp,
    };
  }

  /**
   * After an HTTP 401 (docs/protocol.md §d.4): re-reads the store and uses tokens another process wrote,
   * else refreshes once.
   * @returns true when the request should be re-sent (the next `access()` returns the new token)
   * @throws KolegaError(auth) on a permanent refresh failure; as `access()` otherwise.
   */
  async recoverUnauthorized(): Promise<boolean> {
    if (this.permanent) throw this.permanent;
    const current = this.stored();
    if (!current) return false;
    if (current.access_token !== this.lastAccessToken && !isExpired(current, this.now())) {
      this.opts.debug?.('401: the store holds newer tokens (another process refreshed); re-sending');
      return true;
    }
    await this.refresh(current, 'unauthorized');
    return true;
  }

  /** Refreshes under the lock. @returns the tokens to use. */
  private async refresh(seen: ChatGPTTokens, reason: RefreshReason): Promise<ChatGPTTokens> {
    if (seen.refresh_failure || !seen.refresh_token) {
      // Zero POSTs: the issuer already refused this token, or there is nothing to send: a
      // refused refresh token posted again only gets refused again (docs/protocol.md §d.3).
      if (reason === 'proactive' && !isExpired(seen, this.now())) {
        const why = seen.refresh_failure
          ? permanentRefreshError(seen.refresh_failure.code).reason
          : 'no refresh token is stored';
        this.warnOnce('not_renewable', why, seen);
        return seen;
      }
      throw (this.permanent = deadSessionError(seen));
    }
    if (reason === 'proactive' && !isExpired(seen, this.now()) && earlyRefreshFailed.has(seen.refresh_token))
      return seen;
    const { home, signal, debug } = this.opts;
    let result: ChatGPTTokens | undefined;
    let failure: KolegaError | undefined;
    let endCritical: (() => void) | undefined;
    const onSend = () => (endCritical ??= beginCritical(CRITICAL_REFRESH));
    const work = updateCredentials(
      home,
      async (creds) => {
        const cur = creds.chatgpt;
        if (!cur || !cur.access_token) {
          failure = notSignedIn();
          return undefined;
        }
        // Another process may have refreshed while we waited for the lock.
        if (cur.access_token !== seen.access_token && (reason === 'unauthorized' || !needsRefresh(cur, this.now()))) {
          debug?.('token refresh: another process already refreshed; using its tokens');
          result = cur;
          return undefined;
        }
        if (cur.refresh_failure || !cur.refresh_token) {
          failure = deadSessionError(cur);
          return undefined;
        }
        // Early: the current access token still works, so a failed refresh must not fail the run.
        const early = reason === 'proactive' && !isExpired(cur, this.now());
        let fresh: TokenResponse;
        try {
          fresh = await this.postWithRetries(cur.refresh_token, early, onSend);
        } catch (err) {
          if (err instanceof RefreshRefusedError) {
            // A writer outside this lock (another tool sharing the file) may have rotated the
            // tokens while we posted: use what it stored instead of failing (docs/protocol.md §d.5).
            const latest = readCredentials(home);
            const l = latest.chatgpt;
            if (l?.access_token && l.refresh_token !== cur.refresh_token) {
              if (!isExpired(l, this.now())) {
                debug?.('token refresh refused, but the store now holds newer tokens; using them');
                result = l;
                return undefined;
              }
              failure = err; // the newer tokens are not ours to mark as dead
              return undefined;
            }
            const marked = { ...cur, refresh_failure: { code: err.refusal, at: new Date(this.now()).toISOString() } };
            if (early && !isExpired(cur, this.now())) {
              // Refused for good, but the access token is still valid: use it, never retry.
              this.warnOnce('refused', err.reason, cur);
              result = marked;
            } else {
              failure = this.permanent = err;
            }
            return { ...latest, chatgpt: marked };
          }
          const interrupted = err instanceof KolegaError && err.exitClass === 'interrupted';
          if (early && !isExpired(cur, this.now()) && !interrupted) {
            debug?.(`token refresh failed (${(err as Error).message}); the current token is still valid, using it`);
            this.warnOnce('failed', (err as Error).message, cur);
            earlyRefreshFailed.add(cur.refresh_token);
            result = cur;
            return undefined;
          }
          failure = asFinal(err);
          return undefined;
        }
        const next: ChatGPTTokens = {
          id_token: fresh.id_token ?? cur.id_token,
          access_token: fresh.access_token!,
          refresh_token: fresh.refresh_token ?? cur.refresh_token,
          account_id: cur.account_id,
          last_refresh: new Date(this.now()).toISOString(),
        };
        result = next;
        debug?.('token refresh: new tokens stored');
        return { ...creds, chatgpt: next };
      },
      signal,
    ).finally(() => endCritical?.());
    // A signal, a closed stdout or --timeout ends the wait at once, but not the refresh: once its
    // request is sent, the rotated tokens are read and stored (the exit path waits for it).
    await unlessAborted(work, signal);
    if (failure) throw failure;
    return result!;
  }

  /** One renewal warning per run (through `opts.onRenewalWarning`) about the token `used`. */
  private warnOnce(kind: RenewalWarning['kind'], reason: string, used: ChatGPTTokens): void {
    if (this.warned) return;
    this.warned = true;
    const exp = readClaims(used.access_token).exp;
    this.opts.onRenewalWarning?.({
      kind,
      reason,
      ...(exp === undefined ? {} : { expiresAtMs: exp * 1000 }),
      atMs: this.now(),
    });
  }

  /**
   * One refresh, retried on transient failures with exponential backoff. A signal stops it only
   * between attempts: an attempt once sent is read to its end. `onSend` is called before each send.
   * An early refresh (the access token still valid) gives up sooner on a silent token endpoint.
   */
  private async postWithRetries(refreshToken: string, early: boolean, onSend: () => void): Promise<TokenResponse> {
    const { token } = issuerEndpoints(this.opts.env);
    const { signal, debug } = this.opts;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortReason(signal);
      onSend();
      try {
        debug?.(`token refresh: POST attempt ${attempt}`);
        return await refreshOnce(token, refreshToken, {
          env: this.opts.env,
          debug,
          timeoutMs: early ? EARLY_REFRESH_TIMEOUT_MS : undefined,
        });
      } catch (err) {
        const transient = err instanceof KolegaError && err.retryable;
        if (!transient || attempt >= REFRESH_ATTEMPTS || signal?.aborted) throw err;
        await sleep(REFRESH_BACKOFF_MS * 2 ** (attempt - 1), undefined, { signal }).catch(() => undefined);
      }
    }
  }
}

/** What a user who presses Ctrl-C twice during a refresh is told kolega waits for. */
const CRITICAL_REFRESH = 'the renewed ChatGPT credentials to be stored';

/**
 * Refresh tokens whose early refresh (access token still valid) failed transiently in this
 * process: not tried again before the access token expires, so one run posts one bounded series.
 */
const earlyRefreshFailed = new Set<string>();

/** A transient failure that exhausted its retries must not be replayed again by the turn loop. */
function asFinal(err: unknown): KolegaError {
  if (!(err instanceof KolegaError))
    return new KolegaError(
      'internal',
      'refresh_bug',
      `token refresh failed: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
  if (err.exitClass === 'interrupted') return err;
  return copyError(err, {
    message: `could not renew the ChatGPT session: ${err.message}`,
    hint: 'check the network and try again',
    retryable: false,
    retryDelayMs: undefined,
    cause: err,
  });
}
