/**
 * The `openai` provider: the public Responses API with an API key (`OPENAI_API_KEY` wins over a
 * stored key; docs/design.md "Providers and models"). Base URL `OPENAI_BASE_URL`.
 */
import { isSendableKey } from '../auth/api-key.js';
import { KolegaError } from '../errors.js';
import { readCredentials } from '../store/credentials.js';
import { baseUrlFromEnv, DEFAULT_OPENAI_BASE_URL } from '../net/base-url.js';
import type { Provider } from './types.js';
import { userAgent } from './user-agent.js';

/** Where the API key comes from. */
export type ApiKeySource = 'env' | 'store';

/** Finds the API key: env first, then the store; undefined when neither has one. */
export function findApiKey(home: string, env: NodeJS.ProcessEnv): { key: string; source: ApiKeySource } | undefined {
  const fromEnv = env.OPENAI_API_KEY?.trim();
  if (fromEnv) return { key: fromEnv, source: 'env' };
  const stored = readCredentials(home).openai?.api_key;
  return stored ? { key: stored, source: 'store' } : undefined;
}

/**
 * Builds the `openai` provider.
 * @throws KolegaError(auth, `no_api_key`) when no key is configured; KolegaError(usage) for a bad
 *   OPENAI_BASE_URL.
 */
export function openaiProvider(home: string, env: NodeJS.ProcessEnv): Provider {
  const baseUrl = baseUrlFromEnv(env, 'OPENAI_BASE_URL', DEFAULT_OPENAI_BASE_URL);
  const found = findApiKey(home, env);
  if (!found) {
    throw new KolegaError('auth', 'no_api_key', 'no OpenAI API key is configured', {
      hint: 'set OPENAI_API_KEY, or run: kolega auth login openai --with-api-key < keyfile',
    });
  }
  if (!isSendableKey(found.key)) {
    throw new KolegaError(
      'usage',
      'bad_api_key',
      `the API key from ${found.source === 'env' ? 'OPENAI_API_KEY' : 'the credentials file'} has characters that cannot be sent (expected printable ASCII)`,
      {
        hint: found.source === 'env' ? 'fix OPENAI_API_KEY' : 'store it again: kolega auth login openai --with-api-key',
      },
    );
  }
  const staticHeaders: Record<string, string> = { 'user-agent': userAgent() };
  if (env.OPENAI_ORGANIZATION) staticHeaders['openai-organization'] = env.OPENAI_ORGANIZATION;
  if (env.OPENAI_PROJECT) staticHeaders['openai-project'] = env.OPENAI_PROJECT;
  return {
    id: 'openai',
    baseUrl,
    chatgptBackend: false,
    env,
    staticHeaders,
    secrets: () => [found.key],
    auth: {
      headers: async () => ({ authorization: `Bearer ${found.key}` }),
      recoverUnauthorized: async () => false,
    },
  };
}
