/**
 * The model list `kolega models` shows: for `openai_chatgpt` the live `/models` list when signed in
 * with ChatGPT (cached 5 minutes under KOLEGA_HOME with its ETag) is the source of truth — its
 * listed models in priority order, bundled facts filled in — followed by the bundled models it
 * lacks (still usable with -m). For `openai` with an API key, the public API's `/v1/models` list
 * (cached the same way, ./openai-live.ts) decides which bundled models are listed. Offline or on
 * error: the bundled list plus one note.
 */
import { readClaims } from '../auth/jwt.js';
import { isKolegaError } from '../errors.js';
import { baseUrlFromEnv, DEFAULT_CHATGPT_BASE_URL } from '../net/base-url.js';
import { claimedCodexVersion } from '../providers/codex-identity.js';
import { modelsFor, PROVIDER_IDS, type ModelInfo, type ProviderId } from './bundled.js';
import { readCredentials } from '../store/credentials.js';
import { isCacheFresh, readModelsCache, writeModelsCache } from './cache.js';
import { chatgptPlan, defaultKnown, mergeLive, mergeOpenAILive } from './known.js';
import { findApiKey } from '../providers/openai.js';
import { fetchLiveModels } from './live.js';
import type { LiveModel } from './parse.js';

/** Where an entry's facts come from. */
export type ModelSource = 'bundled' | 'live';

/** One row of `kolega models` (also the `--json` shape: schema/models.schema.json). */
export interface CatalogueEntry {
  provider: ProviderId;
  id: string;
  label: string;
  /** The model `kolega run` uses for this provider when nothing else is chosen. */
  is_default: boolean;
  context_window: number | null;
  max_output_tokens: number | null;
  efforts: string[];
  default_effort: string | null;
  source: ModelSource;
  /** False for a model the current Codex catalogue no longer lists (kept usable with -m). */
  in_catalogue: boolean;
  /** Input kinds the model takes (`text`, `image`); null when the catalogue does not say. */
  input_modalities: string[] | null;
}

/** What `loadCatalogue` found. */
export interface Catalogue {
  entries: CatalogueEntry[];
  /** How the live list was obtained for `openai_chatgpt`. */
  live: 'fetched' | 'cached' | 'failed' | 'not_signed_in' | 'not_requested';
  /** One-line notes for stderr (e.g. offline fallback). */
  notes: string[];
}

/** Options of `loadCatalogue`. */
export interface LoadCatalogueOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Providers to list (default: all). */
  providers?: ProviderId[];
  /** Ignore a fresh cache and fetch again. */
  refresh?: boolean;
  signal?: AbortSignal;
  /** Per-request idle timeout, ms (default 8000). */
  timeoutMs?: number;
  debug?: (line: string) => void;
}

function entry(provider: ProviderId, m: ModelInfo, def: string, source: ModelSource): CatalogueEntry {
  return {
    provider,
    id: m.id,
    label: m.label,
    is_default: m.id === def,
    context_window: m.context_window > 0 ? m.context_window : null,
    max_output_tokens: m.max_output_tokens,
    efforts: [...m.efforts],
    default_effort: m.default_effort,
    source,
    in_catalogue: m.in_catalogue,
    input_modalities: m.input_modalities ? [...m.input_modalities] : null,
  };
}

/** The bundled entries of `provider` (`plan` picks the default; undefined = any plan). */
export function bundledEntries(provider: ProviderId, plan?: string): CatalogueEntry[] {
  const list = modelsFor(provider);
  const def = defaultKnown({ modelsFor }, provider, plan).id;
  return list.map((m) => entry(provider, m, def, 'bundled'));
}

/** `openai` entries from the ids of a `/v1/models` answer: the bundled models it names (source `live`). */
export function openaiLiveEntries(ids: string[]): CatalogueEntry[] {
  const list = mergeOpenAILive(ids);
  const def = defaultKnown({ modelsFor: () => list }, 'openai').id;
  return list.map((m) => entry('openai', m, def, ids.includes(m.id) ? 'live' : 'bundled'));
}

/** ChatGPT entries from a live list: its listed models (source `live`), then the bundled ones it lacks. */
export function liveEntries(live: LiveModel[], plan?: string): CatalogueEntry[] {
  const merged = mergeLive(live);
  const def = defaultKnown({ modelsFor: () => merged }, 'openai_chatgpt', plan).id;
  const liveSlugs = new Set(live.map((m) => m.slug));
  return merged.map((m) => entry('openai_chatgpt', m, def, liveSlugs.has(m.id) ? 'live' : 'bundled'));
}

function liveOrBundled(models: LiveModel[], notes: string[], plan: string | undefined): CatalogueEntry[] {
  if (models.some((m) => m.visibility === undefined || m.visibility === 'list')) return liveEntries(models, plan);
  notes.push('the live model list is empty; showing the bundled list');
  return bundledEntries('openai_chatgpt', plan);
}

function chatgptIdentity(
  home: string,
  env: NodeJS.ProcessEnv,
): { baseUrl: string; accountId: string | null } | undefined {
  const tokens = readCredentials(home).chatgpt;
  if (!tokens?.access_token) return undefined;
  const baseUrl = baseUrlFromEnv(env, 'KOLEGA_CHATGPT_BASE_URL', DEFAULT_CHATGPT_BASE_URL);
  return { baseUrl, accountId: tokens.account_id ?? readClaims(tokens.id_token).accountId ?? null };
}

/**
 * Builds the list for `providers`.
 * @throws KolegaError(config) for a corrupt credentials file or a bad base URL; network and auth
 *   problems of the live list only add a note.
 */
export async function loadCatalogue(opts: LoadCatalogueOptions): Promise<Catalogue> {
  const providers = opts.providers ?? [...PROVIDER_IDS];
  const notes: string[] = [];
  let live: Catalogue['live'] = 'not_requested';
  const entries: CatalogueEntry[] = [];
  for (const provider of providers) {
    if (provider === 'openai') {
      entries.push(...(await openaiEntries(opts, notes)));
      continue;
    }
    const who = chatgptIdentity(opts.home, opts.env);
    if (!who) {
      live = 'not_signed_in';
      entries.push(...bundledEntries(provider));
      continue;
    }
    const plan = chatgptPlan(opts.home);
    const version = claimedCodexVersion(opts.home, opts.env).version;
    const cache = opts.refresh ? undefined : readModelsCache(opts.home);
    if (cache && isCacheFresh(cache, who.baseUrl, who.accountId, version)) {
      live = 'cached';
      entries.push(...liveOrBundled(cache.models, notes, plan));
      continue;
    }
    try {
      const got = await refreshModelsCache(opts);
      live = 'fetched';
      entries.push(...liveOrBundled(got.models, notes, plan));
    } catch (err) {
      if (isKolegaError(err) && err.exitClass === 'interrupted') throw err;
      if (isKolegaError(err) && err.exitClass === 'config') throw err;
      live = 'failed';
      notes.push(
        `could not fetch the live model list (${isKolegaError(err) ? err.message : String(err)}); showing the bundled list`,
      );
      entries.push(...bundledEntries(provider, plan));
    }
  }
  return { entries, live, notes };
}

/** The `openai` entries: from the key's `/v1/models` list when a key is configured, else bundled. */
async function openaiEntries(opts: LoadCatalogueOptions, notes: string[]): Promise<CatalogueEntry[]> {
  if (!findApiKey(opts.home, opts.env)) return bundledEntries('openai');
  try {
    const { loadOpenAIModelIds } = await import('./openai-live.js');
    const got = await loadOpenAIModelIds({
      home: opts.home,
      env: opts.env,
      refresh: opts.refresh,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? 8000,
      debug: opts.debug,
    });
    const entries = openaiLiveEntries(got.ids);
    if (!entries.some((e) => e.source === 'live'))
      notes.push("the API key's model list names none of the bundled models; showing the bundled list");
    return entries;
  } catch (err) {
    if (isKolegaError(err) && (err.exitClass === 'interrupted' || err.exitClass === 'config')) throw err;
    notes.push(
      `could not fetch the openai model list (${isKolegaError(err) ? err.message : String(err)}); showing the bundled list`,
    );
    return bundledEntries('openai');
  }
}

/** Options of `refreshModelsCache`. */
export interface RefreshModelsOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Per-request idle timeout, ms (default 8000). */
  timeoutMs?: number;
  debug?: (line: string) => void;
}

/**
 * Fetches the live ChatGPT list and writes the cache (with the ETag).
 * @returns the fetched models
 * @throws what `fetchLiveModels` throws (auth, network, upstream, config, interrupted)
 */
export async function refreshModelsCache(opts: RefreshModelsOptions): Promise<{ models: LiveModel[]; etag?: string }> {
  const got = await fetchLiveModels({
    home: opts.home,
    env: opts.env,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 8000,
    debug: opts.debug,
  });
  const tokens = readCredentials(opts.home).chatgpt;
  const accountId =
    got.accountId ?? (tokens ? (tokens.account_id ?? readClaims(tokens.id_token).accountId ?? null) : null);
  writeModelsCache(opts.home, {
    version: 2,
    fetched_at: new Date().toISOString(),
    base_url: got.baseUrl,
    account_id: accountId,
    client_version: got.clientVersion,
    ...(got.etag !== undefined ? { etag: got.etag } : {}),
    models: got.models,
  });
  return { models: got.models, etag: got.etag };
}

/**
 * After a `/responses` answer named the catalogue's ETag (`x-models-etag`): refetches the list when
 * the ETag differs from the cached one (or nothing is cached), as Codex does. Failures are ignored
 * (the cache only refines the bundled list).
 * @returns true when a new list was fetched and cached
 */
export async function refreshModelsIfChanged(opts: RefreshModelsOptions, serverEtag: string): Promise<boolean> {
  const cache = readModelsCache(opts.home);
  if (cache?.etag === serverEtag) return false;
  try {
    await refreshModelsCache(opts);
    return true;
  } catch (err) {
    opts.debug?.(`model list refresh failed: ${isKolegaError(err) ? err.message : String(err)}`);
    return false;
  }
}
