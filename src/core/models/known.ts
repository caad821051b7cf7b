/**
 * The models `kolega run` (and `config set`) accept: the bundled catalogue, plus — for
 * `openai_chatgpt` — the models of the last live list cached by `kolega models` for the same base URL
 * and account (any age: it is the last word the server said; a retired model then fails upstream).
 * Live facts win for a model in both (efforts, default effort, context window). No network here.
 */
import { DEFAULT_CHATGPT_BASE_URL } from '../auth/constants.js';
import { readClaims } from '../auth/jwt.js';
import { checkBaseUrl } from '../providers/base-url.js';
import { defaultModel, MODELS, modelsFor, type ModelInfo, type ProviderId } from '../providers/models.js';
import { readCredentials } from '../store/credentials.js';
import { readModelsCache } from './cache.js';
import type { LiveModel } from './live.js';

/** A model list per provider; the first model of a provider is its default. */
export interface KnownModels {
  modelsFor(provider: ProviderId): ModelInfo[];
}

/** The bundled catalogue only. */
export const BUNDLED: KnownModels = { modelsFor };

/** Merges live models into the bundled ChatGPT list (bundled order first, then live-only models). */
export function mergeLive(live: LiveModel[]): ModelInfo[] {
  const visible = live.filter((m) => m.visibility === undefined || m.visibility === 'list');
  const bySlug = new Map(visible.map((m) => [m.slug, m]));
  const toInfo = (m: LiveModel, b: ModelInfo | undefined): ModelInfo => {
    const efforts = m.efforts.length ? m.efforts : (b?.efforts ?? []);
    const def = m.default_reasoning_level && efforts.includes(m.default_reasoning_level) ? m.default_reasoning_level : (b?.default_effort ?? efforts[0] ?? 'medium');
    return {
      id: m.slug,
      label: m.display_name ?? b?.label ?? m.slug,
      context_window: m.context_window ?? b?.context_window ?? 0,
      max_output_tokens: b?.max_output_tokens ?? 0,
      efforts: efforts.length ? efforts : [def],
      default_effort: def,
      providers: ['openai_chatgpt'],
    };
  };
  const bundled = modelsFor('openai_chatgpt').map((b) => (bySlug.has(b.id) ? { ...toInfo(bySlug.get(b.id)!, b), providers: b.providers } : b));
  const extra = visible.filter((m) => !bundled.some((b) => b.id === m.slug)).map((m) => toInfo(m, undefined));
  return [...bundled, ...extra];
}

/**
 * The known models for `home`: bundled, refined by the cached live list when it was fetched for
 * the current ChatGPT base URL and account. Never throws (a bad cache or base URL = bundled only).
 */
export function knownModels(home: string, env: NodeJS.ProcessEnv): KnownModels {
  try {
    const cache = readModelsCache(home);
    if (!cache || cache.models.length === 0) return BUNDLED;
    const v = env.KOLEGA_CHATGPT_BASE_URL;
    const base = checkBaseUrl(v ? v : DEFAULT_CHATGPT_BASE_URL, 'KOLEGA_CHATGPT_BASE_URL');
    const tokens = readCredentials(home).chatgpt;
    const account = tokens ? (tokens.account_id ?? readClaims(tokens.id_token).accountId ?? null) : undefined;
    if (cache.base_url !== base || account === undefined || cache.account_id !== account) return BUNDLED;
    const chatgpt = mergeLive(cache.models);
    return { modelsFor: (p) => (p === 'openai_chatgpt' ? chatgpt : modelsFor(p)) };
  } catch {
    return BUNDLED;
  }
}

/** Looks `id` up for `provider` in `known`. */
export function findKnown(known: KnownModels, provider: ProviderId, id: string): ModelInfo | undefined {
  return known.modelsFor(provider).find((m) => m.id === id);
}

/** True when some provider of `known` offers `id`. */
export function anyKnown(known: KnownModels, id: string): boolean {
  return known === BUNDLED ? MODELS.some((m) => m.id === id) : (['openai_chatgpt', 'openai'] as ProviderId[]).some((p) => findKnown(known, p, id) !== undefined);
}

/** The default model of `provider` in `known` (the bundled default while it is offered). */
export function defaultKnown(known: KnownModels, provider: ProviderId): ModelInfo {
  const list = known.modelsFor(provider);
  return list.find((m) => m.id === defaultModel(provider).id) ?? list[0] ?? defaultModel(provider);
}
