/**
 * The live model list of the ChatGPT backend: `GET {base}/models?client_version=<claimed Codex
 * version>` with the auth and identity headers (`version`, `originator`, user agent; docs/protocol.md
 * g). The server hides models whose `minimal_client_version` is above the claimed version.
 */
import { htmlPageError, isHtmlPage } from '../net/html-page.js';
import { KolegaError } from '../errors.js';
import { httpRequest } from '../http.js';
import { chatgptProvider } from '../providers/openai-chatgpt.js';
import { parseLiveModels, type LiveModel } from './parse.js';

export { parseLiveModels, type LiveModel };

/** Options of `fetchLiveModels`. */
export interface FetchLiveOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Longest wait for headers or body bytes, in ms. */
  timeoutMs: number;
  debug?: (line: string) => void;
}

/** What a successful fetch returns. */
export interface LiveFetchResult {
  baseUrl: string;
  accountId: string | null;
  /** The Codex version claimed in `client_version`. */
  clientVersion: string;
  /** The response's `ETag`, when it sent one. */
  etag?: string;
  models: LiveModel[];
}

/**
 * Fetches the live list with the stored ChatGPT sign-in (one retry after a 401 when the token
 * manager can recover).
 * @throws KolegaError(auth) when not signed in or rejected; KolegaError(network) on transport
 *   failures; KolegaError(upstream) on other statuses or a malformed body.
 */
export async function fetchLiveModels(opts: FetchLiveOptions): Promise<LiveFetchResult> {
  const provider = chatgptProvider({ home: opts.home, env: opts.env, signal: opts.signal, debug: opts.debug });
  const clientVersion = provider.codexVersion ?? '';
  const url = `${provider.baseUrl}/models?client_version=${encodeURIComponent(clientVersion)}`;
  for (let attempt = 0; ; attempt++) {
    const auth = await provider.auth.headers();
    const res = await httpRequest(url, {
      method: 'GET',
      headers: { ...provider.staticHeaders, ...auth, accept: '*/*' },
      signal: opts.signal,
      idleTimeoutMs: opts.timeoutMs,
      debug: opts.debug,
      env: opts.env,
    });
    if (res.status === 401 && attempt === 0 && (await provider.auth.recoverUnauthorized())) {
      await res.dump();
      continue;
    }
    const body = await res.text();
    if (res.status !== 200 && isHtmlPage(res.headers, body))
      throw htmlPageError(res.status, res.headers, body, 'the model list request');
    if (res.status === 401 || res.status === 403) {
      throw new KolegaError('auth', `http_${res.status}`, `the model list was refused (HTTP ${res.status})`, {
        httpStatus: res.status,
        hint: 'sign in again: kolega auth login chatgpt',
      });
    }
    if (res.status !== 200) {
      throw new KolegaError('upstream', `http_${res.status}`, `the model list request failed (HTTP ${res.status})`, {
        httpStatus: res.status,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new KolegaError('upstream', 'bad_models_response', 'the model list response is not JSON');
    }
    const etag = res.headers.etag;
    const result: LiveFetchResult = {
      baseUrl: provider.baseUrl,
      accountId: auth['chatgpt-account-id'] ?? null,
      clientVersion,
      models: parseLiveModels(json),
    };
    if (typeof etag === 'string' && etag !== '' && etag.length <= 200) result.etag = etag;
    return result;
  }
}
