/**
 * The bundled model catalogue (README "Models"; docs/protocol.md §g): the catalogue Codex 0.171.0
 * ships (`./codex-catalogue.ts`), plus the models of earlier kolega releases that Codex no
 * longer lists, kept usable with `-m` and marked `in_catalogue: false`. The live `/models` list
 * refines it (`./known.ts`).
 */
import { CODEX_CATALOGUE } from './codex-catalogue.js';
import { parseLiveModels, type LiveModel } from './parse.js';

/** A provider id as users type it in `provider/model`. */
export type ProviderId = 'openai_chatgpt' | 'openai';

/** All provider ids, in default-preference order. */
export const PROVIDER_IDS: readonly ProviderId[] = ['openai_chatgpt', 'openai'];

/** Reasoning effort values the client understands (docs/protocol.md §g; `max`/`ultra` from the 0.171 catalogue). */
export const ALL_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max', 'ultra'] as const;

/**
 * How requests to a model are shaped on the ChatGPT backend, from its catalogue entry
 * (docs/protocol.md "Responses Lite"). The public API always gets the classic shape.
 */
export interface ModelWire {
  /** `use_responses_lite`: tools in an `additional_tools` item, lite header, `reasoning.context`. */
  lite: boolean;
  /** `tool_mode` of the catalogue (e.g. `code_mode_only`); kolega presents plain function tools either way. */
  tool_mode?: string;
  /** `parallel_tool_calls` to send. */
  parallel_tool_calls: boolean;
  /** `text.verbosity` to send, when the model supports it. */
  verbosity?: string;
  /** `reasoning.summary` to send; undefined sends none (the catalogue's `none`). */
  reasoning_summary?: string;
  /** Instructions travel as the first developer message instead of the top-level `instructions`. */
  instructions_as_developer: boolean;
}

/** One model of the catalogue. */
export interface ModelInfo {
  id: string;
  label: string;
  /** Context window, in tokens. */
  context_window: number;
  /** Largest output, in tokens; null when the catalogue does not say. */
  max_output_tokens: number | null;
  efforts: string[];
  default_effort: string;
  /** Providers that offer this model. */
  providers: ProviderId[];
  /** False for a model the current Codex catalogue no longer lists (usable with -m, never the default). */
  in_catalogue: boolean;
  /** Plans that may use it; undefined = any plan. */
  plans?: string[];
  /** Lowest Codex version the server lists it for. */
  minimal_client_version?: string;
  /** Input kinds the model takes (`input_modalities`, e.g. `["text","image"]`); undefined = not stated (anything is sent). */
  input_modalities?: string[];
  /** The request shape on the ChatGPT backend. */
  wire: ModelWire;
}

/** The request shape of kolega's earlier releases: top-level instructions, reasoning summaries. */
export const CLASSIC_WIRE: ModelWire = {
  lite: false,
  parallel_tool_calls: false,
  reasoning_summary: 'auto',
  instructions_as_developer: false,
};

const SEED_EFFORTS = ['low', 'medium', 'high', 'xhigh'];

/** The models of earlier kolega releases (June 2026), with the facts they were bundled with. */
const SEED: readonly ModelInfo[] = [
  {
    id: 'gpt-5.5',
    label: 'GPT-5.5',
    context_window: 272_000,
    max_output_tokens: 128_000,
    efforts: SEED_EFFORTS,
    default_effort: 'medium',
    providers: ['openai_chatgpt', 'openai'],
    in_catalogue: false,
    wire: CLASSIC_WIRE,
  },
  {
    id: 'gpt-5.4',
    label: 'GPT-5.4',
    context_window: 272_000,
    max_output_tokens: 128_000,
    efforts: SEED_EFFORTS,
    default_effort: 'xhigh',
    providers: ['openai_chatgpt', 'openai'],
    in_catalogue: false,
    wire: CLASSIC_WIRE,
  },
  {
    id: 'gpt-5.4-mini',
    label: 'GPT-5.4 mini',
    context_window: 272_000,
    max_output_tokens: 128_000,
    efforts: SEED_EFFORTS,
    default_effort: 'medium',
    providers: ['openai_chatgpt', 'openai'],
    in_catalogue: false,
    wire: CLASSIC_WIRE,
  },
  {
    id: 'gpt-5.3-codex-spark',
    label: 'GPT-5.3 Codex Spark',
    context_window: 128_000,
    max_output_tokens: 32_000,
    efforts: SEED_EFFORTS,
    default_effort: 'medium',
    providers: ['openai_chatgpt'],
    in_catalogue: false,
    wire: CLASSIC_WIRE,
  },
];

/** The wire facts of a `/models` entry (the 0.171 request shapes: developer-message instructions). */
export function wireOf(m: LiveModel): ModelWire {
  const lite = m.use_responses_lite === true;
  const wire: ModelWire = {
    lite,
    parallel_tool_calls: !lite && m.supports_parallel_tool_calls === true,
    instructions_as_developer: true,
  };
  if (m.tool_mode !== undefined) wire.tool_mode = m.tool_mode;
  if (m.default_verbosity !== undefined) wire.verbosity = m.default_verbosity;
  if (m.default_reasoning_summary !== undefined && m.default_reasoning_summary !== 'none')
    wire.reasoning_summary = m.default_reasoning_summary;
  return wire;
}

/**
 * Converts a `/models` entry into a ModelInfo; `known` (a bundled entry of the same slug) fills what
 * the entry lacks. Entries that state no Responses shape at all keep `known`'s wire.
 */
export function toModelInfo(m: LiveModel, known: ModelInfo | undefined, providers: ProviderId[]): ModelInfo {
  const efforts = m.efforts.length ? m.efforts : (known?.efforts ?? []);
  const def =
    m.default_reasoning_level && efforts.includes(m.default_reasoning_level)
      ? m.default_reasoning_level
      : (known?.default_effort ?? efforts[0] ?? 'medium');
  const statesShape =
    m.use_responses_lite !== undefined ||
    m.default_verbosity !== undefined ||
    m.default_reasoning_summary !== undefined;
  const info: ModelInfo = {
    id: m.slug,
    label: m.display_name ?? known?.label ?? m.slug,
    context_window: m.context_window ?? known?.context_window ?? 0,
    max_output_tokens: known?.max_output_tokens ?? null,
    efforts: efforts.length ? efforts : [def],
    default_effort: def,
    providers,
    in_catalogue: true,
    wire: statesShape || !known ? wireOf(m) : known.wire,
  };
  const plans = m.available_in_plans ?? known?.plans;
  if (plans) info.plans = plans;
  const minimal = m.minimal_client_version ?? known?.minimal_client_version;
  if (minimal) info.minimal_client_version = minimal;
  const modalities = m.input_modalities ?? known?.input_modalities;
  if (modalities) info.input_modalities = modalities;
  return info;
}

/** Listed entries of a `/models` list, in priority order (lower first; ties keep list order). */
export function listedInOrder(list: LiveModel[]): LiveModel[] {
  return list
    .filter((m) => m.visibility === undefined || m.visibility === 'list')
    .map((m, i) => ({ m, i }))
    .sort((a, b) => (a.m.priority ?? Infinity) - (b.m.priority ?? Infinity) || a.i - b.i)
    .map(({ m }) => m);
}

function bundled(): ModelInfo[] {
  const catalogue = listedInOrder(parseLiveModels({ models: CODEX_CATALOGUE })).map((m) => {
    const seed = SEED.find((s) => s.id === m.slug);
    return toModelInfo(
      m,
      seed ? { ...seed, wire: wireOf(m) } : undefined,
      m.supported_in_api === false ? ['openai_chatgpt'] : ['openai_chatgpt', 'openai'],
    );
  });
  return [...catalogue, ...SEED.filter((s) => !catalogue.some((c) => c.id === s.id))];
}

/** The bundled catalogue: Codex's listed models in priority order, then the seed models it dropped. */
export const MODELS: readonly ModelInfo[] = bundled();

/** True when `plan` (a `chatgpt_plan_type`, or undefined when unknown) may use `m`. */
export function planAllows(m: ModelInfo, plan: string | undefined): boolean {
  return plan === undefined || m.plans === undefined || m.plans.includes(plan);
}

/** The models `provider` offers, in catalogue order. */
export function modelsFor(provider: ProviderId): ModelInfo[] {
  return MODELS.filter((m) => m.providers.includes(provider));
}

/**
 * The default of a model list: its first listed (in-catalogue) model `plan` may use; else its first
 * model. @throws nothing; `list` must not be empty.
 */
export function firstUsable(list: ModelInfo[], plan?: string): ModelInfo {
  return list.find((m) => m.in_catalogue && planAllows(m, plan)) ?? list.find((m) => m.in_catalogue) ?? list[0]!;
}

/** Looks a model up for `provider`; undefined when that provider does not offer it. */
export function findModel(provider: ProviderId, id: string): ModelInfo | undefined {
  return modelsFor(provider).find((m) => m.id === id);
}

/** True when `m` takes image input (a model whose catalogue entry states no modalities is given the benefit of the doubt). */
export function takesImages(m: ModelInfo): boolean {
  return m.input_modalities === undefined || m.input_modalities.includes('image');
}

/** True when `id` is a provider id. */
export function isProviderId(id: string): id is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(id);
}
