/**
 * The live model list of the public API (`openai` provider): `GET {OPENAI_BASE_URL}/models` with the
 * API key (https://platform.openai.com/docs/api-reference/models/list). The answer names model ids
 * only (`{"object":"list","data":[{"id":...}]}`), no efforts or context windows, so it decides which
 * bundled models the key may use; the facts stay the bundled ones. Cached under KOLEGA_HOME with its
 * ETag (./openai-cache.ts); a stale cache is revalidated with `If-None-Match` (RFC 9110 section 13.1.2).
 */
import { KolegaError } from '../errors.js';
import { httpRequest } from '../http.js';
import { findApiKey, openaiProvider } from '../providers/openai.js';
import {
  cacheMatches,
  isOpenAICacheFresh,
  keyFingerprint,
  readOpenAIModelsCache,
  writeOpenAIModelsCache,
} from './openai-cache.js';
import { isModelSlug } from './slug.js';

/**
 * Parses a `/v1/models` body: the ids of `data`, in order, without repeats or unusable slugs.
 * @throws KolegaError(upstream, `bad_models_response`) when there is no `data` array.
 */
export function parseOpenAIModels(body: unknown): string[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data))
    throw new KolegaError('upstream', 'bad_models_response', 'the model list response has no "data" array');
  const ids: string[] = [];
  for (const m of data) {
    const id = (m as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && isModelSlug(id) && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Options of `loadOpenAIModelIds`. */
export interface OpenAIModelsOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Ignore a fresh cache and ask the server (still with `If-None-Match`). */
  refresh?: boolean;
  signal?: AbortSignal;
  /** Longest wait for headers or body bytes, in ms. */
  timeoutMs: number;
  debug?: (line: string) => void;
}

/** What `loadOpenAIModelIds` found: the ids, and whether they came from a fresh cache or the server. */
export interface OpenAIModelIds {
  ids: string[];
  how: 'cached' | 'fetched';
}

/**
 * The model ids the configured API key may use: a fresh cache, else the server (a 304 keeps the
 * cached ids and restarts their 5 minutes).
 * @throws KolegaError(auth) without a key or when the key is refused; KolegaError(usage) for a bad
 *   OPENAI_BASE_URL; KolegaError(network) on transport failures; KolegaError(upstream) on other
 *   statuses or a malformed body.
 */
export async function loadOpenAIModelIds(opts: OpenAIModelsOptions): Promise<OpenAIModelIds> {
  const provider = openaiProvider(opts.home, opts.env);
  const keyId = keyFingerprint(findApiKey(opts.home, opts.env)!.key);
  const cache = readOpenAIModelsCache(opts.home);
  if (cache && !opts.refresh && isOpenAICacheFresh(cache, provider.baseUrl, keyId))
    return { ids: cache.ids, how: 'cached' };
  const ours = cache && cacheMatches(cache, provider.baseUrl, keyId) ? cache : undefined;
  const headers: Record<string, string> = {
    ...provider.staticHeaders,
    ...(await provider.auth.headers()),
    accept: 'application/json',
  };
  if (ours?.etag) headers['if-none-match'] = ours.etag;
  const res = await httpRequest(`${provider.baseUrl}/models`, {
    method: 'GET',
    headers,
    signal: opts.signal,
    idleTimeoutMs: opts.timeoutMs,
    debug: opts.debug,
    env: opts.env,
  });
  const body = await res.text();
  if (res.status === 304 && ours) {
    writeOpenAIModelsCache(opts.home, { ...ours, fetched_at: new Date().toISOString() });
    return { ids: ours.ids, how: 'fetched' };
  }
  if (res.status === 401 || res.status === 403) {
    throw new KolegaError('auth', `http_${res.status}`, `the model list was refused (HTTP ${res.status})`, {
      httpStatus: res.status,
      hint: 'check OPENAI_API_KEY, or store a key again: kolega auth login openai --with-api-key',
    });
  }
  if (res.status !== 200)
    throw new KolegaError('upstream', `http_${res.status}`, `the model list request failed (HTTP ${res.status})`, {
      httpStatus: res.status,
    });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new KolegaError('upstream', 'bad_models_response', 'the model list response is not JSON');
  }
  const ids = parseOpenAIModels(json);
  const etag = res.headers.etag;
  writeOpenAIModelsCache(opts.home, {
    version: 1,
    fetched_at: new Date().toISOString(),
    base_url: provider.baseUrl,
    key_id: keyId,
    ...(typeof etag === 'string' && etag !== '' && etag.length <= 200 ? { etag } : {}),
    ids,
  });
  return { ids, how: 'fetched' };
}
