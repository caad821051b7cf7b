/**
 * The on-disk cache of the live model list (`models-cache.json` under KOLEGA_HOME, 5 minutes, as
 * Codex does: docs/protocol.md §g), with the list's ETag: a `/responses` answer whose `x-models-etag`
 * differs from it marks the cache stale. It is written atomically; an unreadable or foreign cache
 * (including one of an older kolega) is a miss, never an error (the cache is disposable).
 */
import { isModelSlug } from './slug.js';
import path from 'node:path';
import { readJsonObject, writeJsonAtomic } from '../store/json-file.js';
import type { LiveModel } from './parse.js';

/** How long a fetched list is reused, in ms. */
export const MODELS_CACHE_TTL_MS = 5 * 60 * 1000;

/** The cache document. */
export interface ModelsCache {
  version: 2;
  /** RFC 3339 time of the fetch. */
  fetched_at: string;
  base_url: string;
  account_id: string | null;
  /** The Codex version claimed when fetching (`client_version`). */
  client_version: string;
  /** The `ETag` of the list, when the server sent one. */
  etag?: string;
  models: LiveModel[];
}

/** Path of the cache file inside `home`. */
export function modelsCachePath(home: string): string {
  return path.join(home, 'models-cache.json');
}

/** Reads the cache; undefined when missing, corrupt or of another shape. */
export function readModelsCache(home: string): ModelsCache | undefined {
  try {
    const raw = readJsonObject(modelsCachePath(home));
    if (
      !raw ||
      raw.version !== 2 ||
      !Array.isArray(raw.models) ||
      typeof raw.fetched_at !== 'string' ||
      typeof raw.base_url !== 'string'
    ) {
      return undefined;
    }
    // Every entry must look like what we write; anything else is a miss, never a crash.
    const ok = (raw.models as unknown[]).every((m) => {
      const e = m as { slug?: unknown; efforts?: unknown } | null;
      return (
        e !== null &&
        typeof e === 'object' &&
        typeof e.slug === 'string' &&
        isModelSlug(e.slug) &&
        Array.isArray(e.efforts) &&
        e.efforts.every((x) => typeof x === 'string')
      );
    });
    return ok ? (raw as unknown as ModelsCache) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `cache` was fetched for this base URL and account less than the TTL ago. */
export function isCacheFresh(
  cache: ModelsCache,
  baseUrl: string,
  accountId: string | null,
  clientVersion: string,
  now = Date.now(),
): boolean {
  const age = now - Date.parse(cache.fetched_at);
  return (
    cache.base_url === baseUrl &&
    cache.account_id === accountId &&
    cache.client_version === clientVersion &&
    Number.isFinite(age) &&
    age >= 0 &&
    age < MODELS_CACHE_TTL_MS
  );
}

/** Writes the cache atomically (mode 0600). Failures are ignored: the cache only saves requests. */
export function writeModelsCache(home: string, cache: ModelsCache): boolean {
  try {
    writeJsonAtomic(modelsCachePath(home), cache, 0o600);
    return true;
  } catch {
    return false;
  }
}
