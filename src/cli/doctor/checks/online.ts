/**
 * `kolega doctor --online`: the check `auth.online` sends one authenticated request with the
 * credentials `kolega run` would use, so a revoked key or sign-in is found before a run fails.
 * API key: `GET {OPENAI_BASE_URL}/models` (../auth/verify-key.ts). ChatGPT sign-in: the live model
 * list `GET {KOLEGA_CHATGPT_BASE_URL}/models` (../models/live.ts), which renews an expired access
 * token first, exactly as `kolega run` would (so this check may rewrite the credentials file).
 */
import { checkApiKeyOnline } from '../../../core/auth/verify-key.js';
import { isKolegaError, type KolegaError } from '../../../core/errors.js';
import { fetchLiveModels } from '../../../core/models/live.js';
import { findApiKey } from '../../../core/providers/openai.js';
import { selectModel } from '../../../core/providers/select.js';
import { check, type CheckClass, type CheckResult } from './types.js';

const ID = 'auth.online';
const TITLE = 'credentials online';

/**
 * Runs the `auth.online` check. Never throws: a failure to check is the result.
 * Outcomes: ok (accepted); fail/auth (401/403 or not signed in); fail/network (unreachable,
 * timeout); warn (another HTTP status: no verdict).
 */
export async function checkOnline(
  home: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  debug?: (line: string) => void,
): Promise<CheckResult> {
  let provider: string;
  try {
    provider = selectModel({ home, env }).provider;
  } catch (err) {
    return failed(err, 'no credentials to check');
  }
  try {
    if (provider === 'openai') {
      const found = findApiKey(home, env);
      if (!found)
        return check(
          ID,
          TITLE,
          'auth',
          'fail',
          'no API key to check',
          'printenv OPENAI_API_KEY | kolega auth login openai --with-api-key',
        );
      const c = await checkApiKeyOnline(found.key, { env, timeoutMs, debug });
      const source = found.source === 'env' ? 'OPENAI_API_KEY' : 'the stored API key';
      const details = { provider, url: `${c.baseUrl}/models`, result: c.result };
      if (c.result === 'valid')
        return check(
          ID,
          TITLE,
          'auth',
          'ok',
          `the OpenAI API accepted ${source} (GET ${c.baseUrl}/models)`,
          undefined,
          details,
        );
      if (c.result === 'rejected')
        return check(
          ID,
          TITLE,
          'auth',
          'fail',
          `${source}: ${c.error.message}`,
          c.error.hint ?? 'store a valid key: kolega auth login openai --with-api-key',
          details,
        );
      return noVerdict(c.error, details);
    }
    const live = await fetchLiveModels({ home, env, timeoutMs, debug });
    return check(
      ID,
      TITLE,
      'auth',
      'ok',
      `the ChatGPT backend accepted the sign-in (GET ${live.baseUrl}/models: ${live.models.length} models)`,
      undefined,
      { provider, url: `${live.baseUrl}/models`, result: 'valid' },
    );
  } catch (err) {
    return failed(err, 'the check failed', { provider });
  }
}

/** A failure with no verdict on the credentials: fail/network when unreachable, else a warning. */
function noVerdict(err: KolegaError, details: Record<string, unknown>): CheckResult {
  if (err.exitClass === 'network')
    return check(
      ID,
      TITLE,
      'network',
      'fail',
      `could not check: ${err.message}`,
      err.hint ?? 'check the network and the proxy (see network.* above)',
      { ...details, result: 'unchecked' },
    );
  return check(ID, TITLE, 'auth', 'warn', `no verdict: ${err.message}`, 'retry later; rerun with --debug for details', {
    ...details,
    result: 'unchecked',
  });
}

/** Maps a thrown error to the check (auth/config/network fail, or a warning for anything else). */
function failed(err: unknown, what: string, details: Record<string, unknown> = {}): CheckResult {
  if (!isKolegaError(err))
    return check(
      ID,
      TITLE,
      'auth',
      'warn',
      `${what}: ${String((err as Error)?.message ?? err)}`,
      'rerun with --debug for details',
      details,
    );
  if (err.exitClass === 'network' || err.exitClass === 'upstream') return noVerdict(err, details);
  const cls: CheckClass = err.exitClass === 'usage' || err.exitClass === 'config' ? 'config' : 'auth';
  return check(ID, TITLE, cls, 'fail', `${what}: ${err.message}`, err.hint ?? 'kolega auth status', {
    ...details,
    result: cls === 'auth' ? 'rejected' : 'unchecked',
  });
}
