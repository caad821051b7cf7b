/**
 * The on-disk cache of the public API's model list (`openai-models-cache.json` under KOLEGA_HOME,
 * 5 minutes like the ChatGPT list): the model ids the API key may use, with the list's `ETag` (sent
 * back as `If-None-Match` when the cache is stale; RFC 9110 section 13.1.2). It is tied to the base
 * URL and to a fingerprint of the key (the first 16 hex digits of its SHA-256; never the key), so a
 * different key or server is a miss. Written atomically (0600); an unreadable cache is a miss.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { readJsonObject, writeJsonAtomic } from '../store/json-file.js';
import { MODELS_CACHE_TTL_MS } from './cache.js';
import { isModelSlug } from './slug.js';

/** The cache document. */
export interface OpenAIModelsCache {
  version: 1;
  /** RFC 3339 time of the last fetch (or of the last 304 that confirmed the list). */
  fetched_at: string;
  base_url: string;
  /** `keyFingerprint` of the API key the list was fetched with. */
  key_id: string;
  /** The `ETag` of the list, when the server sent one. */
  etag?: string;
  /** Model ids of `GET {base}/models`, in the server's order. */
  ids: string[];
}

/** Path of the cache file inside `home`. */
export function openaiModelsCachePath(home: string): string {
  return path.join(home, 'openai-models-cache.json');
}

/** A short, non-reversible fingerprint of an API key: 16 hex digits of its SHA-256. */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
}

/** Reads the cache; undefined when missing, corrupt or of another shape. Never throws. */
export function readOpenAIModelsCache(home: string): OpenAIModelsCache | undefined {
  try {
    const raw = readJsonObject(openaiModelsCachePath(home));
    if (
      !raw ||
      raw.version !== 1 ||
      typeof raw.fetched_at !== 'string' ||
      typeof raw.base_url !== 'string' ||
      typeof raw.key_id !== 'string'
    )
      return undefined;
    if (!Array.isArray(raw.ids) || !raw.ids.every((id) => typeof id === 'string' && isModelSlug(id))) return undefined;
    if (raw.etag !== undefined && typeof raw.etag !== 'string') return undefined;
    return raw as unknown as OpenAIModelsCache;
  } catch {
    return undefined;
  }
}

/** True when `cache` belongs to this base URL and key (any age). */
export function cacheMatches(cache: OpenAIModelsCache, baseUrl: string, keyId: string): boolean {
  return cache.base_url === baseUrl && cache.key_id === keyId;
}

/** True when `cache` belongs to this base URL and key and is younger than the TTL. */
export function isOpenAICacheFresh(
  cache: OpenAIModelsCache,
  baseUrl: string,
  keyId: string,
  now = Date.now(),
): boolean {
  const age = now - Date.parse(cache.fetched_at);
  return cacheMatches(cache, baseUrl, keyId) && Number.isFinite(age) && age >= 0 && age < MODELS_CACHE_TTL_MS;
}

/** Writes the cache atomically (mode 0600). @returns false when it could not be written (ignored: the cache only saves requests). */
export function writeOpenAIModelsCache(home: string, cache: OpenAIModelsCache): boolean {
  try {
    writeJsonAtomic(openaiModelsCachePath(home), cache, 0o600);
    return true;
  } catch {
    return false;
  }
}
