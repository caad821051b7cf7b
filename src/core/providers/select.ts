/**
 * Choosing the provider and model of a run (docs/design.md "Providers and models"):
 * `-m provider/model` or `-m model`; else `KOLEGA_MODEL`; else the saved settings; else the
 * provider's default. Default provider: ChatGPT credentials if present, else an API key, else exit 3.
 * A saved model or provider that no longer exists falls back to the default with a note.
 */
import { KolegaError } from '../errors.js';
import { readCredentials } from '../store/credentials.js';
import { readSettings } from '../store/settings.js';
import {
  anyKnown,
  BUNDLED,
  chatgptPlan,
  defaultKnown,
  findKnown,
  knownModels,
  type KnownModels,
} from '../models/known.js';
import { isProviderId, type ModelInfo, type ProviderId, PROVIDER_IDS, ALL_EFFORTS } from '../models/bundled.js';

/** The outcome of model selection. */
export interface Selection {
  provider: ProviderId;
  model: ModelInfo;
  /** The effort to send (validated against the model). */
  effort: string;
  /** Notes for stderr (e.g. a stale saved model fell back to the default). */
  notes: string[];
}

/** Inputs of `selectModel`. */
export interface SelectInput {
  home: string;
  env: NodeJS.ProcessEnv;
  /** `-m` value, if given. */
  model?: string;
  /** `-e` value, if given. */
  effort?: string;
}

/** Which providers have credentials right now (env key counts for `openai`). */
export function providersWithCredentials(home: string, env: NodeJS.ProcessEnv): ProviderId[] {
  const creds = readCredentials(home);
  const out: ProviderId[] = [];
  if (creds.chatgpt?.access_token) out.push('openai_chatgpt');
  if (env.OPENAI_API_KEY?.trim() || creds.openai?.api_key) out.push('openai');
  return out;
}

function validList(known: KnownModels): string {
  return PROVIDER_IDS.map((p) =>
    known
      .modelsFor(p)
      .map((m) => `${p}/${m.id}`)
      .join(', '),
  ).join(', ');
}

/**
 * Parses `provider/model` or `model`.
 * @throws KolegaError(usage, `unknown_model` | `unknown_provider`) listing the valid names.
 */
export function parseModelName(
  name: string,
  preferred: ProviderId | undefined,
  known: KnownModels = BUNDLED,
): { provider?: ProviderId; model: string } {
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const p = name.slice(0, slash);
    const m = name.slice(slash + 1);
    if (!isProviderId(p))
      throw new KolegaError('usage', 'unknown_provider', `unknown provider "${p}"`, {
        hint: `valid: ${PROVIDER_IDS.join(', ')}`,
      });
    if (!findKnown(known, p, m))
      throw new KolegaError('usage', 'unknown_model', `unknown model "${name}"`, {
        hint: `valid models: ${validList(known)}`,
      });
    return { provider: p, model: m };
  }
  if (!anyKnown(known, name))
    throw new KolegaError('usage', 'unknown_model', `unknown model "${name}"`, {
      hint: `valid models: ${validList(known)}`,
    });
  if (preferred && findKnown(known, preferred, name)) return { provider: preferred, model: name };
  return { model: name };
}

/**
 * Resolves provider, model and effort.
 * @throws KolegaError(usage) for an unknown model/provider or an effort the model does not offer;
 *   KolegaError(auth, `not_signed_in`) when no provider, or not the one named, has credentials.
 */
export function selectModel(input: SelectInput): Selection {
  const notes: string[] = [];
  const settings = readSettings(input.home);
  // bundled catalogue + the live list `kolega models` cached (no network here)
  const known = knownModels(input.home, input.env);
  const available = providersWithCredentials(input.home, input.env);
  let savedProvider: ProviderId | undefined;
  if (typeof settings.provider === 'string') {
    if (isProviderId(settings.provider)) savedProvider = settings.provider;
    else notes.push(`saved provider "${settings.provider}" no longer exists; using the default`);
  }
  const preferred = savedProvider && available.includes(savedProvider) ? savedProvider : available[0];

  let requested: { provider?: ProviderId; model: string } | undefined;
  const explicit = input.model ?? (input.env.KOLEGA_MODEL || undefined);
  if (explicit) {
    requested = parseModelName(explicit, preferred, known);
  } else if (typeof settings.model === 'string') {
    try {
      requested = parseModelName(settings.model, preferred, known);
    } catch {
      notes.push(`saved model "${settings.model}" no longer exists; using the default`);
    }
  }

  let provider: ProviderId | undefined = requested?.provider;
  if (!provider) {
    if (requested) {
      // a bare model: the preferred provider if it offers it, else any provider with credentials that does
      provider = [preferred, ...available].find(
        (p): p is ProviderId => p !== undefined && findKnown(known, p, requested!.model) !== undefined,
      );
    } else {
      provider = preferred;
    }
  }
  if (!provider) {
    if (requested && available.length > 0) {
      checkEffortWithoutProvider(input.effort, requested.model, known);
      // Same class as `-m openai_chatgpt/<model>` without a sign-in: what is missing is credentials.
      throw new KolegaError(
        'auth',
        'model_unavailable',
        `model "${requested.model}" is not offered by a provider you are signed in to`,
        {
          hint: 'sign in with ChatGPT (kolega auth login chatgpt) or pick another model (kolega models)',
        },
      );
    }
    // A bad effort is a usage error whatever the credentials (usage is checked before them).
    checkEffortWithoutProvider(input.effort, requested?.model, known);
    throw new KolegaError('auth', 'not_signed_in', 'not signed in', {
      hint: 'run "kolega auth login chatgpt", or set OPENAI_API_KEY',
    });
  }
  // A provider named with the model (`-m openai_chatgpt/...`) must have credentials too: found
  // here, the run fails before its session or any event exists.
  if (!available.includes(provider)) {
    throw new KolegaError(
      'auth',
      'not_signed_in',
      provider === 'openai_chatgpt' ? 'not signed in with ChatGPT' : 'no OpenAI API key is stored or set',
      {
        hint:
          provider === 'openai_chatgpt'
            ? 'run: kolega auth login chatgpt'
            : 'run "kolega auth login openai", or set OPENAI_API_KEY',
      },
    );
  }
  if (
    savedProvider &&
    !available.includes(savedProvider) &&
    provider !== savedProvider &&
    requested?.provider === undefined
  ) {
    notes.push(`saved provider ${savedProvider} has no credentials; using ${provider}`);
  }
  const model = requested
    ? findKnown(known, provider, requested.model)!
    : defaultKnown(known, provider, provider === 'openai_chatgpt' ? chatgptPlan(input.home) : undefined);

  let effort = input.effort;
  if (effort === undefined && typeof settings.effort === 'string') {
    if (model.efforts.includes(settings.effort)) effort = settings.effort;
    else notes.push(`saved effort "${settings.effort}" is not offered by ${model.id}; using ${model.default_effort}`);
  }
  effort ??= model.default_effort;
  if (!model.efforts.includes(effort)) {
    const known = (ALL_EFFORTS as readonly string[]).includes(effort);
    throw new KolegaError(
      'usage',
      'bad_effort',
      `${known ? '' : 'unknown '}effort "${effort}"${known ? ` is not offered by ${model.id}` : ''}`,
      {
        hint: `valid for ${model.id}: ${model.efforts.join(', ')}`,
      },
    );
  }
  return { provider, model, effort, notes };
}

/**
 * Validates `-e` when no provider can be picked yet: an effort no model has, or one the requested
 * model offers under no provider, is a usage error.
 * @throws KolegaError(usage, `bad_effort`)
 */
function checkEffortWithoutProvider(effort: string | undefined, model: string | undefined, known: KnownModels): void {
  if (effort === undefined) return;
  if (!(ALL_EFFORTS as readonly string[]).includes(effort)) {
    throw new KolegaError('usage', 'bad_effort', `unknown effort "${effort}"`, {
      hint: `valid: ${ALL_EFFORTS.join(', ')}`,
    });
  }
  if (model === undefined) return;
  const offers = PROVIDER_IDS.map((p) => findKnown(known, p, model)).filter((m): m is ModelInfo => m !== undefined);
  if (offers.length > 0 && !offers.some((m) => m.efforts.includes(effort))) {
    throw new KolegaError('usage', 'bad_effort', `effort "${effort}" is not offered by ${model}`, {
      hint: `valid for ${model}: ${offers[0]!.efforts.join(', ')}`,
    });
  }
}
