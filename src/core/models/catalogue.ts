/**
 * The model list `kolega models` shows: the bundled catalogue (providers/models.ts) merged with the
 * live ChatGPT list when signed in with ChatGPT (cached 5 minutes). For `openai_chatgpt` the live
 * list is preferred when reachable (protocol.md "Decisions": models) — its visible models, with
 * bundled facts (label, max output) filled in where the live entry lacks them. The `openai`
 * provider always uses the bundled list. Offline or on error: the bundled list plus one note.
 */
import { DEFAULT_CHATGPT_BASE_URL } from '../auth/constants.js';
import { readClaims } from '../auth/jwt.js';
import { isKolegaError } from '../errors.js';
import { baseUrlFromEnv } from '../providers/base-url.js';
import { defaultModel, findModel, modelsFor, PROVIDER_IDS, type ProviderId } from '../providers/models.js';
import { readCredentials } from '../store/credentials.js';
import { kolegaVersion } from '../version.js';
import { isCacheFresh, readModelsCache, writeModelsCache } from './cache.js';
import { fetchLiveModels, type LiveModel } from './live.js';

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

/** The bundled entries of `provider`. */
export function bundledEntries(provider: ProviderId): CatalogueEntry[] {
  const def = defaultModel(provider).id;
  return modelsFor(provider).map((m) => ({
    provider,
    id: m.id,
    label: m.label,
    is_default: m.id === def,
    context_window: m.context_window,
    max_output_tokens: m.max_output_tokens,
    efforts: [...m.efforts],
    default_effort: m.default_effort,
    source: 'bundled' as const,
  }));
}

/** Merges the live list into ChatGPT entries: visible live models, sorted by priority. */
export function liveEntries(live: LiveModel[]): CatalogueEntry[] {
  const visible = live
    .filter((m) => m.visibility === undefined || m.visibility === 'list')
    .map((m, i) => ({ m, i }))
    .sort((a, b) => (a.m.priority ?? Infinity) - (b.m.priority ?? Infinity) || a.i - b.i)
    .map(({ m }) => m);
  const bundledDefault = defaultModel('openai_chatgpt').id;
  const def = visible.some((m) => m.slug === bundledDefault) ? bundledDefault : visible[0]?.slug;
  return visible.map((m) => {
    const b = findModel('openai_chatgpt', m.slug);
    const efforts = m.efforts.length > 0 ? m.efforts : (b?.efforts ?? []);
    return {
      provider: 'openai_chatgpt' as const,
      id: m.slug,
      label: m.display_name ?? b?.label ?? m.slug,
      is_default: m.slug === def,
      context_window: m.context_window ?? b?.context_window ?? null,
      max_output_tokens: b?.max_output_tokens ?? null,
      efforts,
      default_effort: m.default_reasoning_level ?? b?.default_effort ?? efforts[0] ?? null,
      source: 'live' as const,
    };
  });
}

function liveOrBundled(models: LiveModel[], notes: string[]): CatalogueEntry[] {
  const live = liveEntries(models);
  if (live.length > 0) return live;
  notes.push('the live model list is empty; showing the bundled list');
  return bundledEntries('openai_chatgpt');
}

function chatgptIdentity(home: string, env: NodeJS.ProcessEnv): { baseUrl: string; accountId: string | null } | undefined {
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
    if (provider !== 'openai_chatgpt') {
      entries.push(...bundledEntries(provider));
      continue;
    }
    const who = chatgptIdentity(opts.home, opts.env);
    if (!who) {
      live = 'not_signed_in';
      entries.push(...bundledEntries(provider));
      continue;
    }
    const version = kolegaVersion();
    const cache = opts.refresh ? undefined : readModelsCache(opts.home);
    if (cache && isCacheFresh(cache, who.baseUrl, who.accountId, version)) {
      live = 'cached';
      entries.push(...liveOrBundled(cache.models, notes));
      continue;
    }
    try {
      const got = await fetchLiveModels({ home: opts.home, env: opts.env, signal: opts.signal, timeoutMs: opts.timeoutMs ?? 8000, debug: opts.debug });
      writeModelsCache(opts.home, {
        version: 1,
        fetched_at: new Date().toISOString(),
        base_url: got.baseUrl,
        account_id: who.accountId,
        client_version: version,
        models: got.models,
      });
      live = 'fetched';
      entries.push(...liveOrBundled(got.models, notes));
    } catch (err) {
      if (isKolegaError(err) && err.exitClass === 'interrupted') throw err;
      if (isKolegaError(err) && err.exitClass === 'config') throw err;
      live = 'failed';
      notes.push(`could not fetch the live model list (${isKolegaError(err) ? err.message : String(err)}); showing the bundled list`);
      entries.push(...bundledEntries(provider));
    }
  }
  return { entries, live, notes };
}
