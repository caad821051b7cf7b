/** Doctor checks of sign-in state and saved selections (never prints a token or a whole key). */
import { ELIGIBLE_PLANS, REFRESH_WINDOW_MS } from '../../../core/auth/constants.js';
import { readClaims } from '../../../core/auth/jwt.js';
import { isKolegaError } from '../../../core/errors.js';
import { formatWhen } from '../../../core/format.js';
import { BUNDLED, type KnownModels } from '../../../core/models/known.js';
import { isProviderId, MODELS } from '../../../core/models/bundled.js';
import { findApiKey } from '../../../core/providers/openai.js';
import { parseModelName } from '../../../core/providers/select.js';
import { maskKey } from '../../../core/redact.js';
import type { Credentials } from '../../../core/store/credentials.js';
import type { Settings } from '../../../core/store/settings.js';
import { check, type CheckResult } from './types.js';

const LOGIN = 'kolega auth login chatgpt';

/** The ChatGPT sign-in: plan, account, access-token expiry, refresh token. */
export function checkChatGPT(creds: Credentials, now = Date.now()): CheckResult {
  const t = creds.chatgpt;
  const id = 'auth.chatgpt';
  const title = 'ChatGPT sign-in';
  if (!t?.access_token)
    return check(id, title, 'auth', 'ok', 'not signed in with ChatGPT', undefined, { signed_in: false });
  const idc = readClaims(t.id_token);
  const ac = readClaims(t.access_token);
  const plan = idc.planType ?? ac.planType ?? null;
  const account = t.account_id ?? idc.accountId ?? ac.accountId ?? null;
  const exp = ac.exp ?? null;
  const details: Record<string, unknown> = {
    signed_in: true,
    plan,
    account_id: account,
    email: idc.email ?? null,
    access_token_expires_at: exp === null ? null : new Date(exp * 1000).toISOString(),
    refresh_token_present: t.refresh_token !== '',
  };
  const who = `${idc.email ?? 'account'} (plan ${plan ?? 'unknown'}, account ${account ?? 'unknown'})`;
  if (plan !== null && !(ELIGIBLE_PLANS as readonly string[]).includes(plan)) {
    return check(
      id,
      title,
      'auth',
      'fail',
      `${who}: the plan is not eligible for Codex use`,
      'upgrade the ChatGPT plan, or use an API key (OPENAI_API_KEY)',
      details,
    );
  }
  if (!t.refresh_token) {
    const expired = exp !== null && exp * 1000 <= now;
    return check(
      id,
      title,
      'auth',
      expired ? 'fail' : 'warn',
      `${who}: no refresh token${expired ? ' and the access token has expired' : '; the session cannot be renewed'}`,
      `sign in again: ${LOGIN}`,
      details,
    );
  }
  if (exp !== null && exp * 1000 <= now) {
    return check(
      id,
      title,
      'auth',
      'warn',
      `${who}: access token expired ${formatWhen(exp * 1000, now)}; it is refreshed on next use`,
      `if requests fail with exit 3: ${LOGIN}`,
      details,
    );
  }
  const left =
    exp === null
      ? 'no expiry claim'
      : exp * 1000 - now < REFRESH_WINDOW_MS
        ? 'expires within 5 minutes (refreshed on next use)'
        : `valid until ${formatWhen(exp * 1000, now)}`;
  return check(id, title, 'auth', 'ok', `${who}: access token ${left}; refresh token present`, undefined, details);
}

/** The API key: where it comes from, masked. */
export function checkApiKey(home: string, env: NodeJS.ProcessEnv): CheckResult {
  const found = findApiKey(home, env);
  if (!found)
    return check(
      'auth.api_key',
      'OpenAI API key',
      'auth',
      'ok',
      'no API key (OPENAI_API_KEY unset, none stored)',
      undefined,
      { present: false },
    );
  const src = found.source === 'env' ? 'OPENAI_API_KEY' : 'credentials file';
  return check('auth.api_key', 'OpenAI API key', 'auth', 'ok', `${maskKey(found.key)} from ${src}`, undefined, {
    present: true,
    source: found.source,
    masked: maskKey(found.key),
  });
}

/** At least one provider has credentials (else every run exits 3). */
export function checkAnyCredentials(creds: Credentials, env: NodeJS.ProcessEnv): CheckResult {
  const have =
    Boolean(creds.chatgpt?.access_token) || Boolean(env.OPENAI_API_KEY?.trim()) || Boolean(creds.openai?.api_key);
  return have
    ? check('auth.any', 'credentials', 'auth', 'ok', 'a provider has credentials')
    : check(
        'auth.any',
        'credentials',
        'auth',
        'fail',
        'no credentials: runs exit 3',
        `${LOGIN}   (or set OPENAI_API_KEY)`,
      );
}

/** KOLEGA_MODEL and the saved model/provider/effort still exist. */
export function checkSelection(settings: Settings, env: NodeJS.ProcessEnv, known: KnownModels = BUNDLED): CheckResult {
  const id = 'settings.model';
  const title = 'model selection';
  const envModel = env.KOLEGA_MODEL;
  if (envModel) {
    try {
      parseModelName(envModel, undefined, known);
    } catch (err) {
      return check(
        id,
        title,
        'config',
        'fail',
        `KOLEGA_MODEL="${envModel}" is not a known model; runs exit 2`,
        isKolegaError(err) && err.hint
          ? `unset KOLEGA_MODEL or use one of: ${err.hint.replace(/^valid models: /, '')}`
          : 'unset KOLEGA_MODEL',
        { env_model: envModel },
      );
    }
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  if (typeof settings.provider === 'string' && !isProviderId(settings.provider)) {
    problems.push(`saved provider "${settings.provider}" no longer exists`);
    fixes.push('kolega config unset provider');
  }
  if (typeof settings.model === 'string') {
    try {
      parseModelName(settings.model, undefined, known);
    } catch {
      problems.push(`saved model "${settings.model}" no longer exists`);
      fixes.push('kolega config unset model');
    }
  }
  if (typeof settings.effort === 'string' && !MODELS.some((m) => m.efforts.includes(settings.effort as string))) {
    problems.push(`saved effort "${settings.effort}" is not offered`);
    fixes.push('kolega config unset effort');
  }
  const details = {
    env_model: envModel ?? null,
    model: settings.model ?? null,
    provider: settings.provider ?? null,
    effort: settings.effort ?? null,
  };
  if (problems.length)
    return check(
      id,
      title,
      'config',
      'warn',
      `${problems.join('; ')}: runs fall back to the default`,
      fixes.join('; '),
      details,
    );
  const shown = envModel
    ? `KOLEGA_MODEL=${envModel}`
    : typeof settings.model === 'string'
      ? `saved model ${settings.model}`
      : 'provider default';
  return check(id, title, 'config', 'ok', `model: ${shown}`, undefined, details);
}
