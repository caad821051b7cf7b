/**
 * Parsing one model list in the ChatGPT backend's `/models` shape (docs/protocol.md §g): the live
 * answer, the cache and the bundled Codex catalogue all go through `parseModelList`, so a field
 * means the same wherever it came from. Only the fields kolega uses are kept.
 */
import { KolegaError } from '../errors.js';
import { isModelSlug } from './slug.js';

/** One model of a `/models` list, reduced to what kolega uses. */
export interface LiveModel {
  slug: string;
  display_name?: string;
  default_reasoning_level?: string;
  /** Effort values the model offers (from `supported_reasoning_levels[].effort`), in server order. */
  efforts: string[];
  /** Context window, in tokens. */
  context_window?: number;
  /** `list` (shown) or `hide`. */
  visibility?: string;
  /** Lower sorts first. */
  priority?: number;
  /** The lowest Codex version the server lists the model for (`minimal_client_version`, `x.y.z`). */
  minimal_client_version?: string;
  /** Plans (`chatgpt_plan_type` values) that may use the model; undefined = not stated. */
  available_in_plans?: string[];
  /** True when the public API also serves the model. */
  supported_in_api?: boolean;
  /** `input_modalities`, e.g. `["text","image"]`. */
  input_modalities?: string[];
  /** The model takes the Responses Lite request shape (`use_responses_lite`). */
  use_responses_lite?: boolean;
  /** How the model expects tools (`tool_mode`, e.g. `code_mode_only`); undefined = plain function tools. */
  tool_mode?: string;
  /** `supports_parallel_tool_calls`. */
  supports_parallel_tool_calls?: boolean;
  /** `default_verbosity` when `support_verbosity` is true (`text.verbosity` of a request). */
  default_verbosity?: string;
  /** `default_reasoning_summary` (`none` = send no `reasoning.summary`). */
  default_reasoning_summary?: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const words = (v: unknown): string[] | undefined =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(x))
    : undefined;
const version = (v: unknown): string | undefined =>
  typeof v === 'string' && /^\d{1,6}\.\d{1,6}\.\d{1,6}$/.test(v) ? v : undefined;

/** Parses one entry; undefined when it has no usable slug. */
export function parseModelEntry(raw: unknown): LiveModel | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  const slug = text(m.slug);
  // A slug is printed and typed as `provider/slug`: no slashes, spaces or control characters.
  if (!slug || !isModelSlug(slug)) return undefined;
  const levels = Array.isArray(m.supported_reasoning_levels) ? m.supported_reasoning_levels : [];
  const efforts = levels
    .map((l: unknown) => (typeof l === 'string' ? l : text((l as { effort?: unknown } | null)?.effort)))
    .filter((e): e is string => e !== undefined && /^[a-z_]{1,32}$/.test(e));
  const out: LiveModel = {
    slug,
    display_name: text(m.display_name),
    default_reasoning_level: text(m.default_reasoning_level),
    efforts,
    context_window: num(m.context_window),
    visibility: text(m.visibility),
    priority: num(m.priority),
  };
  const extra: Partial<LiveModel> = {
    minimal_client_version: version(m.minimal_client_version),
    available_in_plans: words(m.available_in_plans),
    supported_in_api: bool(m.supported_in_api),
    input_modalities: words(m.input_modalities),
    use_responses_lite: bool(m.use_responses_lite),
    tool_mode: text(m.tool_mode),
    supports_parallel_tool_calls: bool(m.supports_parallel_tool_calls),
    default_verbosity: m.support_verbosity === false ? undefined : text(m.default_verbosity),
    default_reasoning_summary: text(m.default_reasoning_summary),
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * Parses a `/models` response body (`{"models":[...]}`); entries without a usable slug and repeated
 * slugs are skipped.
 * @throws KolegaError(upstream, `bad_models_response`) when there is no `models` array.
 */
export function parseLiveModels(body: unknown): LiveModel[] {
  const list = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(list)) {
    throw new KolegaError('upstream', 'bad_models_response', 'the model list response has no "models" array');
  }
  const out: LiveModel[] = [];
  const seen = new Set<string>();
  for (const raw of list) {
    const m = parseModelEntry(raw);
    if (!m || seen.has(m.slug)) continue;
    seen.add(m.slug);
    out.push(m);
  }
  return out;
}

/** Compares two `x.y.z` versions numerically: negative, 0 or positive like a sort comparator. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
