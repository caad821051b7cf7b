/**
 * The live model list of the ChatGPT backend: `GET {base}/models?client_version=<version>` with the
 * normal auth headers (protocol.md g). Only the fields kolega shows are kept.
 */
import { KolegaError } from '../errors.js';
import { isModelSlug } from './slug.js';
import { httpRequest } from '../http.js';
import { chatgptProvider } from '../providers/openai-chatgpt.js';
import { kolegaVersion } from '../version.js';

/** One model of the live list, reduced to what kolega uses. */
export interface LiveModel {
  slug: string;
  display_name?: string;
  default_reasoning_level?: string;
  /** Effort values the model offers (from `supported_reasoning_levels[].effort`). */
  efforts: string[];
  context_window?: number;
  /** `list` (shown) or `hide`. */
  visibility?: string;
  /** Lower sorts first. */
  priority?: number;
}

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
  models: LiveModel[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Parses a `/models` response body (`{"models":[...]}`); entries without a slug are skipped.
 * @throws KolegaError(upstream, `bad_models_response`) when the shape is wrong.
 */
export function parseLiveModels(body: unknown): LiveModel[] {
  const list = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(list)) {
    throw new KolegaError('upstream', 'bad_models_response', 'the model list response has no "models" array');
  }
  const out: LiveModel[] = [];
  const seen = new Set<string>();
  for (const raw of list) {
    if (raw === null || typeof raw !== 'object') continue;
    const m = raw as Record<string, unknown>;
    const slug = text(m.slug);
    // A slug is printed and typed as `provider/slug`: no slashes, spaces or control characters.
    if (!slug || !isModelSlug(slug) || seen.has(slug)) continue;
    seen.add(slug);
    const levels = Array.isArray(m.supported_reasoning_levels) ? m.supported_reasoning_levels : [];
    const efforts = levels
      .map((l: unknown) => (typeof l === 'string' ? l : text((l as { effort?: unknown } | null)?.effort)))
      .filter((e): e is string => e !== undefined);
    out.push({
      slug,
      display_name: text(m.display_name),
      default_reasoning_level: text(m.default_reasoning_level),
      efforts,
      context_window: num(m.context_window),
      visibility: text(m.visibility),
      priority: num(m.priority),
    });
  }
  return out;
}

/**
 * Fetches the live list with the stored ChatGPT sign-in (one retry after a 401 when the token
 * manager can recover).
 * @throws KolegaError(auth) when not signed in or rejected; KolegaError(network) on transport
 *   failures; KolegaError(upstream) on other statuses or a malformed body.
 */
export async function fetchLiveModels(opts: FetchLiveOptions): Promise<LiveFetchResult> {
  const provider = chatgptProvider({ home: opts.home, env: opts.env, signal: opts.signal, debug: opts.debug });
  const url = `${provider.baseUrl}/models?client_version=${encodeURIComponent(kolegaVersion())}`;
  for (let attempt = 0; ; attempt++) {
    const auth = await provider.auth.headers();
    const res = await httpRequest(url, {
      method: 'GET',
      headers: { ...provider.staticHeaders, ...auth, accept: 'application/json' },
      signal: opts.signal,
      idleTimeoutMs: opts.timeoutMs,
      debug: opts.debug,
    });
    if (res.status === 401 && attempt === 0 && (await provider.auth.recoverUnauthorized())) {
      await res.dump();
      continue;
    }
    const body = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw new KolegaError('auth', `http_${res.status}`, `the model list was refused (HTTP ${res.status})`, {
        httpStatus: res.status,
        hint: 'sign in again: kolega auth login chatgpt',
      });
    }
    if (res.status !== 200) {
      throw new KolegaError('upstream', `http_${res.status}`, `the model list request failed (HTTP ${res.status})`, { httpStatus: res.status });
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new KolegaError('upstream', 'bad_models_response', 'the model list response is not JSON');
    }
    return { baseUrl: provider.baseUrl, accountId: auth['chatgpt-account-id'] ?? null, models: parseLiveModels(json) };
  }
}
