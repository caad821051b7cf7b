/**
 * The models `kolega run` (and `config set`) accept: the bundled catalogue, refined by the last live
 * list cached (any age: it is the last word the server said; a retired model then fails upstream).
 * For `openai_chatgpt` (same base URL and account): the live list leads (its listed models in
 * priority order, live facts winning); bundled models it lacks stay usable after it. For `openai`
 * (same base URL and API key): the bundled models the key's `/v1/models` list names, in catalogue
 * order (that list has ids only). No network here.
 */
import { readClaims } from '../auth/jwt.js';
import { checkBaseUrl, DEFAULT_CHATGPT_BASE_URL, DEFAULT_OPENAI_BASE_URL } from '../net/base-url.js';
import {
  findModel,
  firstUsable,
  listedInOrder,
  MODELS,
  modelsFor,
  toModelInfo,
  type ModelInfo,
  type ProviderId,
} from './bundled.js';
import { readCredentials } from '../store/credentials.js';
import { readModelsCache } from './cache.js';
import { cacheMatches, keyFingerprint, readOpenAIModelsCache } from './openai-cache.js';
import { findApiKey } from '../providers/openai.js';
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

/**
 * The `openai` list from a `/v1/models` answer: the bundled models it names, in catalogue order;
 * the whole bundled list when it names none of them (e.g. a compatible server with other models).
 */
export function mergeOpenAILive(ids: string[]): ModelInfo[] {
  const bundled = modelsFor('openai');
  const named = bundled.filter((m) => ids.includes(m.id));
  return named.length > 0 ? named : bundled;
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
 * The known models for `home`: bundled, refined per provider by its cached live list when that was
 * fetched for the current base URL and account (ChatGPT) or key (openai). Never throws (a bad cache
 * or base URL = bundled only).
 */
export function knownModels(home: string, env: NodeJS.ProcessEnv): KnownModels {
  const chatgpt = cachedChatGPT(home, env);
  const openai = cachedOpenAI(home, env);
  if (!chatgpt && !openai) return BUNDLED;
  return { modelsFor: (p) => (p === 'openai_chatgpt' ? (chatgpt ?? modelsFor(p)) : (openai ?? modelsFor(p))) };
}

function cachedChatGPT(home: string, env: NodeJS.ProcessEnv): ModelInfo[] | undefined {
  try {
    const cache = readModelsCache(home);
    if (!cache || cache.models.length === 0) return undefined;
    const v = env.KOLEGA_CHATGPT_BASE_URL;
    const base = checkBaseUrl(v ? v : DEFAULT_CHATGPT_BASE_URL, 'KOLEGA_CHATGPT_BASE_URL');
    const tokens = readCredentials(home).chatgpt;
    const account = tokens ? (tokens.account_id ?? readClaims(tokens.id_token).accountId ?? null) : undefined;
    if (cache.base_url !== base || account === undefined || cache.account_id !== account) return undefined;
    return mergeLive(cache.models);
  } catch {
    return undefined;
  }
}

function cachedOpenAI(home: string, env: NodeJS.ProcessEnv): ModelInfo[] | undefined {
  try {
    const cache = readOpenAIModelsCache(home);
    if (!cache) return undefined;
    const v = env.OPENAI_BASE_URL;
    const base = checkBaseUrl(v ? v : DEFAULT_OPENAI_BASE_URL, 'OPENAI_BASE_URL');
    const key = findApiKey(home, env);
    if (!key || !cacheMatches(cache, base, keyFingerprint(key.key))) return undefined;
    return mergeOpenAILive(cache.ids);
  } catch {
    return undefined;
  }
}

/** Looks `id` up for `provider` in `known`. */
export function findKnown(known: KnownModels, provider: ProviderId, id: string): ModelInfo | undefined {
  return known.modelsFor(provider).find((m) => m.id === id);
}

/** True when some provider of `known` offers `id`. */
export function anyKnown(known: KnownModels, id: string): boolean {
  return known === BUNDLED
    ? MODELS.some((m) => m.id === id)
    : (['openai_chatgpt', 'openai'] as ProviderId[]).some((p) => findKnown(known, p, id) !== undefined);
}

/** The default model of `provider` in `known`: its first listed model `plan` may use. */
export function defaultKnown(known: KnownModels, provider: ProviderId, plan?: string): ModelInfo {
  const list = known.modelsFor(provider);
  return list.length > 0 ? firstUsable(list, plan) : firstUsable(modelsFor(provider), plan);
}
