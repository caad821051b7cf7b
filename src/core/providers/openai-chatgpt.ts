/**
 * The `openai_chatgpt` provider: the ChatGPT backend with the OAuth access token
 * (docs/protocol.md §e.2, e.3). Base URL `KOLEGA_CHATGPT_BASE_URL`.
 */
import { TokenManager, type RenewalWarning } from '../auth/token-manager.js';
import { baseUrlFromEnv, DEFAULT_CHATGPT_BASE_URL } from '../net/base-url.js';
import type { Provider } from './types.js';
import { claimedCodexVersion, identityHeaders } from './codex-identity.js';

/** Options for building the ChatGPT provider. */
export interface ChatGPTProviderOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  debug?: (line: string) => void;
  /** Told (once per run) when a token that could not be renewed is used; see TokenManagerOptions. */
  onRenewalWarning?: (warning: RenewalWarning) => void;
}

/**
 * Builds the `openai_chatgpt` provider. Headers: `authorization: Bearer <access token>`,
 * `chatgpt-account-id` (when known), `x-openai-fedramp` when the claim says so, and the Codex
 * identity (`version`, `originator`, user agent: ./codex-identity.ts).
 * @throws KolegaError(usage) for a bad KOLEGA_CHATGPT_BASE_URL or KOLEGA_CODEX_VERSION;
 *   KolegaError(config) for a bad `codex_version` setting.
 */
export function chatgptProvider(opts: ChatGPTProviderOptions): Provider {
  const baseUrl = baseUrlFromEnv(opts.env, 'KOLEGA_CHATGPT_BASE_URL', DEFAULT_CHATGPT_BASE_URL);
  const claimed = claimedCodexVersion(opts.home, opts.env);
  const tokens = new TokenManager(opts);
  return {
    id: 'openai_chatgpt',
    baseUrl,
    chatgptBackend: true,
    env: opts.env,
    staticHeaders: identityHeaders(claimed.version, opts.env),
    codexVersion: claimed.version,
    auth: {
      async headers() {
        const a = await tokens.access();
        const h: Record<string, string> = { authorization: `Bearer ${a.accessToken}` };
        if (a.accountId) h['chatgpt-account-id'] = a.accountId;
        if (a.fedramp) h['x-openai-fedramp'] = 'true';
        return h;
      },
      recoverUnauthorized: () => tokens.recoverUnauthorized(),
    },
  };
}
