/**
 * The models `kolega run` (and `config set`) accept: the bundled catalogue, plus — for
 * `openai_chatgpt` — the models of the last live list cached for the same base URL and account (any
 * age: it is the last word the server said; a retired model then fails upstream). The live list
 * leads (its listed models in priority order, live facts winning); bundled models it lacks stay
 * usable after it. No network here.
 */
import { DEFAULT_CHATGPT_BASE_URL } from '../auth/constants.js';
import { readClaims } from '../auth/jwt.js';
import { checkBaseUrl } from '../providers/base-url.js';
import { findModel, firstUsable, listedInOrder, MODELS, modelsFor, toModelInfo, type ModelInfo, type ProviderId } from '../providers/models.js';
import { readCredentials } from '../store/credentials.js';
import { readModelsCache } from './cache.js';
import type { LiveModel } from './parse.js';

/** A model list per provider, in listing order. */
export interface KnownModels {
  modelsFor(provider: ProviderId): ModelInfo[];
}

/** The bundled catalogue only. */
export const BUNDLED: KnownModels = { modelsFor };

/** The ChatGPT list: live listed models (priority order, bundled facts filled in), then bundled models the live list lacks. */
export function mergeLive(live: LiveModel[]): ModelInfo[] {
  const fromLive = listedInOrder(live).map((m) => {
    const b = findModel('openai_chatgpt', m.slug);
    return toModelInfo(m, b, b?.providers ?? ['openai_chatgpt']);
  });
  const rest = modelsFor('openai_chatgpt').filter((b) => !fromLive.some((l) => l.id === b.id));
  return [...fromLive, ...rest];
}

/** The ChatGPT plan of the stored sign-in (`chatgpt_plan_type`), when known. Never throws. */
export function chatgptPlan(home: string): string | undefined {
  try {
    const tokens = readCredentials(home).chatgpt;
    return tokens ? readClaims(tokens.id_token).planType : undefined;
  } catch {
    return undefined;
  }
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

/** The default model of `provider` in `known`: its first listed model `plan` may use. */
export function defaultKnown(known: KnownModels, provider: ProviderId, plan?: string): ModelInfo {
  const list = known.modelsFor(provider);
  return list.length > 0 ? firstUsable(list, plan) : firstUsable(modelsFor(provider), plan);
}
