/**
 * The bundled model catalogue (design.md "Providers and models"; protocol.md g). Used offline; the
 * live `/models` list may refine it later.
 */

/** A provider id as users type it in `provider/model`. */
export type ProviderId = 'openai_chatgpt' | 'openai';

/** All provider ids, in default-preference order. */
export const PROVIDER_IDS: readonly ProviderId[] = ['openai_chatgpt', 'openai'];

/** Reasoning effort values the client understands (protocol.md g). */
export const ALL_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;

/** One model of the catalogue. */
export interface ModelInfo {
  id: string;
  label: string;
  /** Context window, in tokens. */
  context_window: number;
  /** Largest output, in tokens. */
  max_output_tokens: number;
  efforts: string[];
  default_effort: string;
  /** Providers that offer this model. */
  providers: ProviderId[];
}

const EFFORTS = ['low', 'medium', 'high', 'xhigh'];

/** The bundled catalogue; the first model of each provider is its default. */
export const MODELS: readonly ModelInfo[] = [
  { id: 'gpt-5.5', label: 'GPT-5.5', context_window: 272_000, max_output_tokens: 128_000, efforts: EFFORTS, default_effort: 'medium', providers: ['openai_chatgpt', 'openai'] },
  { id: 'gpt-5.4', label: 'GPT-5.4', context_window: 272_000, max_output_tokens: 128_000, efforts: EFFORTS, default_effort: 'xhigh', providers: ['openai_chatgpt', 'openai'] },
  { id: 'gpt-5.4-mini', label: 'GPT-5.4 mini', context_window: 272_000, max_output_tokens: 128_000, efforts: EFFORTS, default_effort: 'medium', providers: ['openai_chatgpt', 'openai'] },
  { id: 'gpt-5.3-codex-spark', label: 'GPT-5.3 Codex Spark', context_window: 128_000, max_output_tokens: 32_000, efforts: EFFORTS, default_effort: 'medium', providers: ['openai_chatgpt'] },
];

/** The models `provider` offers, default first. */
export function modelsFor(provider: ProviderId): ModelInfo[] {
  return MODELS.filter((m) => m.providers.includes(provider));
}

/** The default model of `provider`. */
export function defaultModel(provider: ProviderId): ModelInfo {
  return modelsFor(provider)[0]!;
}

/** Looks a model up for `provider`; undefined when that provider does not offer it. */
export function findModel(provider: ProviderId, id: string): ModelInfo | undefined {
  return modelsFor(provider).find((m) => m.id === id);
}

/** True when `id` is a provider id. */
export function isProviderId(id: string): id is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(id);
}
