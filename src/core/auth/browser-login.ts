/**
 * The browser sign-in (docs/protocol.md §a.1): PKCE + state, the loopback server bound before the URL is
 * announced, the authorize URL, then the first of: a valid callback, a valid pasted callback URL,
 * the timeout, or an abort. The code is exchanged with the redirect_uri of the port actually bound
 * (the server compares it with the authorize request's), the plan is gated, the tokens are stored, and the browser is sent to our success page.
 * Nothing here writes to a terminal or composes its text: progress goes to `onProgress` as data.
 */
import { KolegaError } from '../errors.js';
import { CALLBACK_PATH } from './constants.js';
import { judgeCallback } from './callback.js';
import { buildAuthorizeUrl } from './authorize-url.js';
import { issuerEndpoints } from './issuer.js';
import type { LoginProgress } from './login-progress.js';
import { startLoopbackServer, type LoopbackServer, type PendingCode } from './loopback-server.js';
import { generatePkce, generateState } from './pkce.js';
import { exchangeAndSave, type LoginSummary } from './save-login.js';

/** Inputs of the browser sign-in. */
export interface BrowserLoginOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Ports to try in order ([1455, 1457], or the one `--port`). */
  ports: readonly number[];
  /** How long to wait for the callback, in ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Receives the progress to show the user (ports, the URL, pasted lines that were not used). */
  onProgress: (event: LoginProgress) => void;
  /** Called once with the authorize URL after it has been announced; may open a browser. */
  onUrl?: (url: string) => void;
  /** Lines typed or piped by the user: a pasted callback URL completes the sign-in too. */
  pasted?: AsyncIterable<string>;
  debug?: (line: string) => void;
}

/** The result of a finished sign-in. */
export interface BrowserLoginResult extends LoginSummary {
  port: number;
}

const SUCCESS_GRACE_MS = 3000;

/**
 * Runs the browser sign-in to completion.
 * @throws KolegaError(auth): `ports_busy`, `ports_refused`, `access_denied`, `missing_authorization_code`,
 *   `token_exchange_failed`, `plan_not_eligible`, `login_timeout`; KolegaError(interrupted) on abort;
 *   KolegaError(network) when the token endpoint cannot be reached; KolegaError(usage) for a bad
 *   KOLEGA_AUTH_ISSUER.
 */
export async function loginWithBrowser(opts: BrowserLoginOptions): Promise<BrowserLoginResult> {
  const endpoints = issuerEndpoints(opts.env);
  const pkce = generatePkce();
  const state = generateState();
  const server = await startLoopbackServer({ ports: opts.ports, state, debug: opts.debug });
  const stopWaiting = new AbortController();
  try {
    for (const port of server.busyPorts) opts.onProgress({ type: 'port_busy', port, using: server.port });
    for (const r of server.refusedPorts)
      opts.onProgress({ type: 'port_refused', port: r.port, code: r.code, using: server.port });
    const url = buildAuthorizeUrl({
      authorizeEndpoint: endpoints.authorize,
      redirectUri: server.redirectUri,
      codeChallenge: pkce.challenge,
      state,
    });
    opts.onProgress({ type: 'browser_url', url, port: server.port, timeoutMs: opts.timeoutMs });
    opts.onUrl?.(url);

    const code = await waitForCode(server, state, opts, stopWaiting.signal);
    try {
      const summary = await exchangeAndSave(
        opts.home,
        endpoints.token,
        { code: code.code, redirectUri: server.redirectUri, codeVerifier: pkce.verifier },
        { signal: opts.signal, debug: opts.debug, env: opts.env },
      );
      code.respond({ ok: true });
      if (code.viaBrowser) await Promise.race([server.successServed, delay(SUCCESS_GRACE_MS, opts.signal)]);
      return { ...summary, port: server.port };
    } catch (err) {
      const e =
        err instanceof KolegaError
          ? err
          : new KolegaError('auth', 'login_failed', `sign-in failed: ${(err as Error).message}`, { cause: err });
      code.respond({ ok: false, error: e });
      throw e;
    }
  } finally {
    stopWaiting.abort();
    await server.close();
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** Waits for a code from the browser or a pasted URL; rejects on timeout, abort or a failed callback. */
async function waitForCode(
  server: LoopbackServer,
  state: string,
  opts: BrowserLoginOptions,
  stop: AbortSignal,
): Promise<PendingCode> {
  const racers: Promise<PendingCode>[] = [server.code];
  racers.push(
    new Promise<PendingCode>((_, reject) => {
      const t = setTimeout(() => {
        reject(
          new KolegaError(
            'auth',
            'login_timeout',
            `no sign-in arrived within ${Math.round(opts.timeoutMs / 1000)}s; the callback server is closed`,
            {
              hint: 'run kolega auth login chatgpt again (raise --timeout), or use --device-auth',
            },
          ),
        );
      }, opts.timeoutMs);
      stop.addEventListener('abort', () => clearTimeout(t), { once: true });
    }),
  );
  if (opts.signal) {
    const signal = opts.signal;
    racers.push(
      new Promise<PendingCode>((_, reject) => {
        const onAbort = () => {
          const r: unknown = signal.reason;
          reject(r instanceof KolegaError ? r : new KolegaError('interrupted', 'interrupted', 'sign-in interrupted'));
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    );
  }
  if (opts.pasted) racers.push(waitForPaste(opts.pasted, state, opts.onProgress, stop));
  return Promise.race(racers);
}

/** Reads pasted lines until one is a valid callback URL for this sign-in (same rules as the server). */
async function waitForPaste(
  lines: AsyncIterable<string>,
  state: string,
  onProgress: (event: LoginProgress) => void,
  stop: AbortSignal,
): Promise<PendingCode> {
  for await (const raw of lines) {
    if (stop.aborted) break;
    const line = raw.trim();
    if (line === '') continue;
    let url: URL;
    try {
      url = new URL(line);
    } catch {
      onProgress({ type: 'paste_not_url' });
      continue;
    }
    if (url.pathname !== CALLBACK_PATH) {
      onProgress({ type: 'paste_not_callback', callbackPath: CALLBACK_PATH });
      continue;
    }
    const verdict = judgeCallback(url.searchParams, state);
    if (verdict.kind === 'state_mismatch') {
      onProgress({ type: 'paste_state_mismatch' });
      continue;
    }
    if (verdict.kind === 'error') throw verdict.error;
    return { code: verdict.code, viaBrowser: false, respond: () => undefined };
  }
  // stdin ended without a URL: keep waiting for the browser.
  return new Promise<PendingCode>(() => undefined);
}
