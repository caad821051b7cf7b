/**
 * The device-code sign-in (docs/protocol.md §b; OpenAI's own flow, not RFC 8628): request a user code,
 * show the verification URL and code, poll at max(interval, 1 s) while the server answers 403/404,
 * for at most 15 minutes, then exchange the code with the server-provided verifier and redirect_uri
 * `{issuer}/deviceauth/callback`. What the user must do is reported through `onProgress` as data.
 */
import { jsonObject } from './json-object.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { KolegaError, copyError } from '../errors.js';
import { httpRequest } from '../http.js';
import { CLIENT_ID, DEVICE_MAX_WAIT_MS, DEVICE_MIN_POLL_MS, TOKEN_HTTP_TIMEOUT_MS } from './constants.js';
import { issuerEndpoints } from './issuer.js';
import { formatSpan, type LoginProgress } from './login-progress.js';
import { exchangeAndSave, type LoginSummary } from './save-login.js';
import { tokenErrorCode, tokenErrorDetail } from './token-endpoint.js';

/** Inputs of the device sign-in. */
export interface DeviceLoginOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Longest wait for the user, in ms (capped at DEVICE_MAX_WAIT_MS). */
  maxWaitMs?: number;
  signal?: AbortSignal;
  /** Receives the verification URL and user code to show (LoginProgress `device_code`). */
  onProgress: (event: LoginProgress) => void;
  debug?: (line: string) => void;
}

async function postJson(
  url: string,
  body: unknown,
  opts: DeviceLoginOptions,
): Promise<{ status: number; text: string }> {
  const res = await httpRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    signal: opts.signal,
    idleTimeoutMs: TOKEN_HTTP_TIMEOUT_MS,
    debug: opts.debug,
    env: opts.env,
  });
  return { status: res.status, text: await res.text() };
}

/** Parses the interval (a string of seconds, docs/protocol.md §b.1) into ms, at least DEVICE_MIN_POLL_MS. */
export function pollIntervalMs(interval: unknown): number {
  const n = typeof interval === 'number' ? interval : Number.parseInt(String(interval ?? '').trim(), 10);
  return Math.max(DEVICE_MIN_POLL_MS, Number.isFinite(n) ? n * 1000 : 0);
}

/**
 * Runs the device sign-in to completion.
 * @throws KolegaError(auth): `device_auth_disabled` (404 on the first request), `device_auth_failed`,
 *   `device_auth_declined`, `device_auth_timeout`, `token_exchange_failed`, `plan_not_eligible`;
 *   KolegaError(network) when the issuer is unreachable; KolegaError(interrupted) on abort.
 */
export async function loginWithDeviceCode(opts: DeviceLoginOptions): Promise<LoginSummary> {
  const ep = issuerEndpoints(opts.env);
  const first = await postJson(ep.deviceUsercode, { client_id: CLIENT_ID }, opts);
  if (first.status === 404) {
    throw new KolegaError('auth', 'device_auth_disabled', `device-code sign-in is not enabled on ${ep.issuer}`, {
      hint: 'use the browser sign-in: kolega auth login chatgpt (on a remote machine: ssh -L 1455:127.0.0.1:1455 <host>)',
    });
  }
  if (first.status >= 500 || first.status === 429) {
    throw new KolegaError(
      'upstream',
      'device_auth_unavailable',
      `device code request failed with status ${first.status}: ${tokenErrorDetail(first.text)}`,
      {
        httpStatus: first.status,
        hint: 'the sign-in server is having trouble; try again in a few minutes',
      },
    );
  }
  if (first.status < 200 || first.status >= 300) {
    throw new KolegaError(
      'auth',
      'device_auth_failed',
      `device code request failed with status ${first.status}: ${tokenErrorDetail(first.text)}`,
      {
        httpStatus: first.status,
        hint: 'try again, or use the browser sign-in',
      },
    );
  }
  let info: Record<string, unknown>;
  try {
    info = jsonObject(first.text);
  } catch {
    throw new KolegaError('auth', 'device_auth_failed', 'the device code response is not JSON', {
      hint: 'try again, or use the browser sign-in',
    });
  }
  const deviceAuthId = typeof info.device_auth_id === 'string' ? info.device_auth_id : undefined;
  const userCode =
    typeof info.user_code === 'string' ? info.user_code : typeof info.usercode === 'string' ? info.usercode : undefined;
  if (!deviceAuthId || !userCode || !/^[A-Za-z0-9-]{1,64}$/.test(userCode)) {
    throw new KolegaError(
      'auth',
      'device_auth_failed',
      'the device code response lacks device_auth_id or a well-formed user_code',
      { hint: 'try again, or use the browser sign-in' },
    );
  }
  const interval = pollIntervalMs(info.interval);
  const maxWait = Math.min(opts.maxWaitMs ?? DEVICE_MAX_WAIT_MS, DEVICE_MAX_WAIT_MS);
  opts.onProgress({ type: 'device_code', verificationUrl: ep.deviceVerify, userCode, maxWaitMs: maxWait });

  const deadline = Date.now() + maxWait;
  let grant: { authorization_code: string; code_verifier: string } | undefined;
  while (!grant) {
    if (Date.now() >= deadline) {
      throw new KolegaError(
        'auth',
        'device_auth_timeout',
        `the device code was not confirmed within ${formatSpan(maxWait)}`,
        {
          hint: 'run kolega auth login chatgpt --device-auth again',
        },
      );
    }
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), undefined, { signal: opts.signal }).catch(
      () => {
        throw new KolegaError('interrupted', 'interrupted', 'sign-in interrupted');
      },
    );
    let res: { status: number; text: string };
    try {
      res = await postJson(ep.deviceToken, { device_auth_id: deviceAuthId, user_code: userCode }, opts);
    } catch (err) {
      if (err instanceof KolegaError && err.retryable) {
        opts.debug?.(`device poll failed transiently: ${err.code}`);
        continue;
      }
      throw err;
    }
    if (res.status === 403 || res.status === 404) continue; // still pending
    if (res.status >= 500) continue; // transient; keep polling until the deadline
    if (res.status < 200 || res.status >= 300) {
      const code = tokenErrorCode(res.text);
      const declined = code === 'authorization_declined' || code === 'access_denied';
      throw new KolegaError(
        'auth',
        declined ? 'device_auth_declined' : 'device_auth_failed',
        declined
          ? 'the sign-in was declined in the browser'
          : `device sign-in failed with status ${res.status}: ${tokenErrorDetail(res.text)}`,
        {
          httpStatus: res.status,
          hint: 'run kolega auth login chatgpt --device-auth again',
        },
      );
    }
    let j: Record<string, unknown> = {};
    try {
      j = jsonObject(res.text);
    } catch {
      // handled below as a response without the fields
    }
    if (typeof j.authorization_code !== 'string' || typeof j.code_verifier !== 'string') {
      throw new KolegaError(
        'auth',
        'device_auth_failed',
        'the device token response lacks authorization_code or code_verifier',
        { hint: 'try again' },
      );
    }
    grant = { authorization_code: j.authorization_code, code_verifier: j.code_verifier };
  }
  return exchangeAndSave(
    opts.home,
    ep.token,
    { code: grant.authorization_code, redirectUri: ep.deviceRedirectUri, codeVerifier: grant.code_verifier },
    { signal: opts.signal, debug: opts.debug, env: opts.env },
  ).catch((err: unknown) => {
    if (err instanceof KolegaError && err.code === 'token_exchange_failed') {
      throw copyError(err, { exitClass: 'auth', message: `device code exchange failed: ${err.message}` });
    }
    throw err;
  });
}
