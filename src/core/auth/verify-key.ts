/**
 * Checking an OpenAI API key online with one `GET {OPENAI_BASE_URL}/models` request (the public
 * API's model list, https://platform.openai.com/docs/api-reference/models/list): the cheapest
 * authenticated call, it costs no tokens. Used by `kolega auth login openai` before storing a key
 * and by `kolega doctor --online`.
 */
import { KolegaError, isKolegaError } from '../errors.js';
import { httpRequest } from '../http.js';
import { baseUrlFromEnv, DEFAULT_OPENAI_BASE_URL } from '../net/base-url.js';
import { userAgent } from '../providers/user-agent.js';
import { redactSecrets } from '../redact.js';
import { errorDetail } from '../responses/failures.js';

/** Longest wait for the answer of the check (headers or body bytes), in ms. */
export const VERIFY_TIMEOUT_MS = 15_000;

/**
 * The outcome of a check:
 * - `valid`: the server answered 200;
 * - `rejected`: 401 or 403 — the key is wrong, revoked, or lacks the permission to list models;
 * - `unchecked`: no verdict (network failure, timeout, another HTTP status); `error` says why.
 */
export type KeyCheck =
  | { result: 'valid'; baseUrl: string }
  | { result: 'rejected'; baseUrl: string; error: KolegaError }
  | { result: 'unchecked'; baseUrl: string; error: KolegaError };

/** Options of `checkApiKeyOnline`. */
export interface CheckKeyOptions {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Overrides VERIFY_TIMEOUT_MS. */
  timeoutMs?: number;
  debug?: (line: string) => void;
}

/**
 * Sends one `GET {OPENAI_BASE_URL}/models` with `key` and classifies the answer. Never throws for
 * a network failure or an HTTP status: those are outcomes.
 * @throws KolegaError(usage) for a bad OPENAI_BASE_URL; KolegaError(interrupted) when `signal`
 *   aborts (a Ctrl-C is not "the network failed").
 */
export async function checkApiKeyOnline(key: string, opts: CheckKeyOptions): Promise<KeyCheck> {
  const baseUrl = baseUrlFromEnv(opts.env, 'OPENAI_BASE_URL', DEFAULT_OPENAI_BASE_URL);
  const headers: Record<string, string> = {
    authorization: `Bearer ${key}`,
    'user-agent': userAgent(),
    accept: 'application/json',
  };
  if (opts.env.OPENAI_ORGANIZATION) headers['openai-organization'] = opts.env.OPENAI_ORGANIZATION;
  if (opts.env.OPENAI_PROJECT) headers['openai-project'] = opts.env.OPENAI_PROJECT;
  try {
    const res = await httpRequest(`${baseUrl}/models`, {
      method: 'GET',
      headers,
      signal: opts.signal,
      idleTimeoutMs: opts.timeoutMs ?? VERIFY_TIMEOUT_MS,
      debug: opts.debug,
      env: opts.env,
    });
    if (res.status === 200) {
      await res.dump();
      return { result: 'valid', baseUrl };
    }
    // The server may echo the key it received ("Incorrect API key provided: sk-..."): mask it.
    const detail = oneLine(redactSecrets(errorDetail(await res.text()).detail, [key]));
    const requestId = res.headers['x-request-id'];
    if (res.status === 401 || res.status === 403) {
      const hint =
        res.status === 403
          ? 'a restricted key needs the "Models: Read" permission for this check; to store it unchecked: kolega auth login openai --with-api-key --no-verify'
          : 'check the key at https://platform.openai.com/api-keys and pipe it again';
      return {
        result: 'rejected',
        baseUrl,
        error: new KolegaError(
          'auth',
          `http_${res.status}`,
          `the OpenAI API refused the key (HTTP ${res.status}): ${detail}`,
          { httpStatus: res.status, requestId, hint },
        ),
      };
    }
    return {
      result: 'unchecked',
      baseUrl,
      error: new KolegaError(
        'upstream',
        `http_${res.status}`,
        `the key check got HTTP ${res.status} from ${baseUrl}/models: ${detail}`,
        { httpStatus: res.status, requestId },
      ),
    };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    if (isKolegaError(err) && err.exitClass === 'network') return { result: 'unchecked', baseUrl, error: err };
    throw err;
  }
}

/** Collapses a server message to one printable line of at most 300 characters. */
function oneLine(text: string): string {
  return text
    .replace(/[\x00-\x1f\x7f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}
