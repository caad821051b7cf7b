/**
 * Calls to the issuer's token and revoke endpoints (docs/protocol.md §a.5, b.4, d.2, d.3, d.6), through
 * the one HTTP client so proxies apply. Build-and-send and validate-and-parse are separate steps;
 * errors carry string codes (as in https://github.com/panva/oauth4webapi). No token ever appears in an error message.
 */
import { htmlPageError, isHtmlPage } from '../net/html-page.js';
import { jsonObject } from './json-object.js';
import { KolegaError } from '../errors.js';
import { httpRequest } from '../http.js';
import { CLIENT_ID, PERMANENT_REFRESH_CODES, TOKEN_HTTP_TIMEOUT_MS } from './constants.js';

/** What the token endpoint returns (docs/protocol.md §a.5, d.2); refresh may omit any field. */
export interface TokenResponse {
  id_token?: string;
  access_token?: string;
  refresh_token?: string;
  /** Seconds; informational (we trust the access token's `exp`). */
  expires_in?: number;
}

/** Common options of token-endpoint calls. */
export interface TokenCallOptions {
  /** The environment whose proxy variables apply to the request. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  debug?: (line: string) => void;
  /** Idle timeout in ms (default TOKEN_HTTP_TIMEOUT_MS). */
  timeoutMs?: number;
}

function form(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

/** Reads the error code of a token-endpoint body: `error.code` -> `error` -> `code` (docs/protocol.md §d.3), lower-cased. */
export function tokenErrorCode(body: string): string | undefined {
  try {
    const j = jsonObject(body);
    const e = j.error;
    if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string')
      return (e as { code: string }).code.toLowerCase();
    if (typeof e === 'string') return e.toLowerCase();
    if (typeof j.code === 'string') return j.code.toLowerCase();
  } catch {
    // not JSON
  }
  return undefined;
}

/** The human detail of a token-endpoint error body (docs/protocol.md §a.5), trimmed to one line. */
export function tokenErrorDetail(body: string): string {
  try {
    const j = jsonObject(body);
    if (typeof j.error_description === 'string') return j.error_description;
    const e = j.error;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string')
      return (e as { message: string }).message;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string')
      return (e as { code: string }).code;
  } catch {
    // not JSON
  }
  const t = body.trim().replace(/\s+/g, ' ').slice(0, 200);
  if (/^<(!doctype|html|head|body)\b/i.test(t)) return 'an HTML page instead of a JSON answer';
  return t === '' ? 'unknown error' : t;
}

async function postToken(
  url: string,
  contentType: string,
  body: string,
  opts: TokenCallOptions,
): Promise<{ status: number; text: string }> {
  const res = await httpRequest(url, {
    method: 'POST',
    headers: { 'content-type': contentType, accept: 'application/json' },
    body,
    signal: opts.signal,
    idleTimeoutMs: opts.timeoutMs ?? TOKEN_HTTP_TIMEOUT_MS,
    debug: opts.debug,
    env: opts.env,
  });
  const text = await res.text();
  // A CDN or captive-portal page is not the issuer's verdict on the tokens (see net/html-page.ts).
  if ((res.status < 200 || res.status >= 300) && isHtmlPage(res.headers, text))
    throw htmlPageError(res.status, res.headers, text, 'the token request');
  return { status: res.status, text };
}

function parseTokens(text: string, requireAll: boolean, what: string): TokenResponse {
  let j: Record<string, unknown>;
  try {
    j = jsonObject(text);
  } catch {
    throw new KolegaError(
      'upstream',
      'token_response_invalid',
      `${what}: the token endpoint returned a body that is not JSON`,
      { retryable: true },
    );
  }
  const s = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const out: TokenResponse = {
    id_token: s(j.id_token),
    access_token: s(j.access_token),
    refresh_token: s(j.refresh_token),
    expires_in: typeof j.expires_in === 'number' ? j.expires_in : undefined,
  };
  if (requireAll && (!out.id_token || !out.access_token || !out.refresh_token)) {
    throw new KolegaError(
      'auth',
      'token_response_incomplete',
      `${what}: the token endpoint did not return id_token, access_token and refresh_token`,
      {
        hint: 'try signing in again',
      },
    );
  }
  if (!requireAll && !out.access_token) {
    throw new KolegaError(
      'upstream',
      'token_response_incomplete',
      `${what}: the token endpoint returned no access_token`,
      { retryable: true },
    );
  }
  return out;
}

/**
 * Exchanges an authorization code, form-encoded (docs/protocol.md §a.5; device flow b.4).
 * @returns all three tokens
 * @throws KolegaError(upstream, `token_endpoint_unavailable`) -> exit 5 on a 5xx or 429 answer (the
 *   issuer's trouble, not the user's sign-in); KolegaError(auth, `token_exchange_failed`) on any
 *   other non-2xx answer (message: status and detail); KolegaError(network) on transport errors.
 */
export async function exchangeCode(
  tokenUrl: string,
  p: { code: string; redirectUri: string; codeVerifier: string },
  opts: TokenCallOptions,
): Promise<TokenResponse> {
  const body = form({
    grant_type: 'authorization_code',
    code: p.code,
    redirect_uri: p.redirectUri,
    client_id: CLIENT_ID,
    code_verifier: p.codeVerifier,
  });
  const res = await postToken(tokenUrl, 'application/x-www-form-urlencoded', body, opts);
  if (res.status >= 500 || res.status === 429) {
    throw new KolegaError(
      'upstream',
      'token_endpoint_unavailable',
      `the token endpoint failed during sign-in (status ${res.status}): ${tokenErrorDetail(res.text)}`,
      {
        httpStatus: res.status,
        hint: 'the sign-in server is having trouble; try again in a few minutes',
      },
    );
  }
  if (res.status < 200 || res.status >= 300) {
    throw new KolegaError(
      'auth',
      'token_exchange_failed',
      `token endpoint returned status ${res.status}: ${tokenErrorDetail(res.text)}`,
      {
        httpStatus: res.status,
        hint: 'start the sign-in again: kolega auth login chatgpt',
      },
    );
  }
  return parseTokens(res.text, true, 'code exchange');
}

/** True when `code` (from tokenErrorCode) ends the session for good (docs/protocol.md §d.3). */
export function isPermanentRefreshCode(code: string | undefined): boolean {
  return code !== undefined && (PERMANENT_REFRESH_CODES as readonly string[]).includes(code);
}

const REASONS: Record<string, string> = {
  refresh_token_expired: 'the refresh token has expired',
  refresh_token_reused: 'the refresh token was already used',
  refresh_token_invalidated: 'the refresh token was revoked',
  invalid_grant: 'the refresh token was rejected (invalid_grant)',
  token_expired: 'the refresh token has expired',
};

/** A permanent refresh failure (exit 3, sign in again); `refusal` is the issuer's code or `rejected`. */
export class RefreshRefusedError extends KolegaError {
  /** The issuer's error code (docs/protocol.md §d.3) or `rejected`. */
  readonly refusal: string;
  /** Why, in words (`the refresh token was already used`). */
  readonly reason: string;
  constructor(refusal: string, status?: number) {
    const reason = REASONS[refusal] ?? 'the refresh token was rejected';
    super('auth', 'refresh_failed', `the ChatGPT session has expired and cannot be renewed: ${reason}`, {
      httpStatus: status,
      hint: 'sign in again: kolega auth login chatgpt',
    });
    this.refusal = refusal;
    this.reason = reason;
  }
}

/** The error for a permanent refresh failure (exit 3, sign in again). */
export function permanentRefreshError(code: string | undefined, status?: number): RefreshRefusedError {
  return new RefreshRefusedError(code ?? 'rejected', status);
}

/**
 * One refresh POST, form-encoded with `client_id`, `grant_type=refresh_token`, `refresh_token`
 * (docs/protocol.md §d.2: third parties send form; the OAuth standard). No retry here.
 * @returns the new tokens (any may be absent except access_token)
 * @throws KolegaError(auth, `refresh_failed`) for a permanent code or any other 4xx;
 *   KolegaError(upstream, retryable) for 5xx / invalid bodies; KolegaError(network, retryable) for
 *   transport errors; KolegaError(interrupted) when `signal` aborts.
 */
export async function refreshOnce(
  tokenUrl: string,
  refreshToken: string,
  opts: TokenCallOptions,
): Promise<TokenResponse> {
  const body = form({ client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: refreshToken });
  const res = await postToken(tokenUrl, 'application/x-www-form-urlencoded', body, opts);
  if (res.status >= 200 && res.status < 300) return parseTokens(res.text, false, 'token refresh');
  const code = tokenErrorCode(res.text);
  if (
    isPermanentRefreshCode(code) ||
    res.status === 401 ||
    (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429)
  ) {
    return Promise.reject(permanentRefreshError(code, res.status));
  }
  throw new KolegaError(
    'upstream',
    'refresh_server_error',
    `the token endpoint failed (${res.status}): ${tokenErrorDetail(res.text)}`,
    {
      httpStatus: res.status,
      retryable: true,
      hint: 'try again later',
    },
  );
}

/**
 * Revokes a token, best effort (docs/protocol.md §d.6): JSON body; a refresh token with
 * `token_type_hint: refresh_token` and `client_id`, else the access token.
 * @returns true when the issuer answered 2xx; never throws (except nothing: all errors -> false).
 */
export async function revokeToken(
  revokeUrl: string,
  token: { refreshToken?: string; accessToken?: string },
  opts: TokenCallOptions,
): Promise<boolean> {
  const payload = token.refreshToken
    ? { token: token.refreshToken, token_type_hint: 'refresh_token', client_id: CLIENT_ID }
    : { token: token.accessToken, token_type_hint: 'access_token' };
  if (!payload.token) return false;
  try {
    const res = await httpRequest(revokeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: opts.signal,
      idleTimeoutMs: opts.timeoutMs ?? TOKEN_HTTP_TIMEOUT_MS,
      debug: opts.debug,
      env: opts.env,
    });
    await res.dump();
    return res.status >= 200 && res.status < 300;
  } catch {
    return false;
  }
}
