/**
 * Storing a completed ChatGPT sign-in (docs/protocol.md §c.1 fields, kept in kolega's credentials file):
 * plan gate first, then an atomic 0600 write under the credentials lock. An API key stored next to
 * it is kept.
 */
import { abortReason, critical, unlessAborted } from '../critical.js';
import { KolegaError } from '../errors.js';
import { updateCredentials } from '../store/credentials.js';
import { readClaims } from './jwt.js';
import { checkPlan } from './plan.js';
import { exchangeCode, type TokenResponse } from './token-endpoint.js';

/** What a finished sign-in reports (no secrets). */
export interface LoginSummary {
  email?: string;
  plan?: string;
  accountId?: string;
  /** False when the plan is not one kolega knows (the server decides). */
  planKnown: boolean;
}

/**
 * Gates on the plan and stores the tokens of a code exchange.
 * @throws KolegaError(auth, `plan_not_eligible` | `token_response_incomplete`) — nothing is stored;
 *   KolegaError(config) on I/O errors or a corrupt store.
 */
export async function saveChatGPTLogin(
  home: string,
  tokens: TokenResponse,
  signal?: AbortSignal,
): Promise<LoginSummary> {
  if (!tokens.id_token || !tokens.access_token || !tokens.refresh_token) {
    throw new KolegaError(
      'auth',
      'token_response_incomplete',
      'the token endpoint did not return id_token, access_token and refresh_token',
      {
        hint: 'try signing in again',
      },
    );
  }
  const check = checkPlan(tokens.id_token);
  const claims = readClaims(tokens.id_token);
  const { id_token, access_token, refresh_token } = tokens;
  await updateCredentials(
    home,
    (cur) => ({
      ...cur,
      chatgpt: {
        id_token,
        access_token,
        refresh_token,
        account_id: claims.accountId ?? null,
        last_refresh: new Date().toISOString(),
      },
    }),
    signal,
  );
  return { email: claims.email, plan: check.plan, accountId: claims.accountId, planKnown: check.known };
}

/** What a user who presses Ctrl-C twice during a sign-in is told kolega waits for. */
const CRITICAL_SIGN_IN = 'the new ChatGPT sign-in to be stored';

/**
 * Exchanges an authorization code at the token endpoint (docs/protocol.md §a.5; device flow §b.4) and
 * stores the tokens (saveChatGPTLogin). Once the code is sent it is spent, so this runs as critical
 * work (../critical.ts): an abort of `opts.signal` rejects at once with its reason, while the
 * exchange goes on and its tokens are stored before the CLI exits.
 * @returns the sign-in summary
 * @throws as exchangeCode and saveChatGPTLogin; KolegaError(interrupted) (or the abort reason)
 *   when `opts.signal` aborts
 */
export function exchangeAndSave(
  home: string,
  tokenUrl: string,
  code: { code: string; redirectUri: string; codeVerifier: string },
  opts: { env: NodeJS.ProcessEnv; signal?: AbortSignal; debug?: (line: string) => void },
): Promise<LoginSummary> {
  if (opts.signal?.aborted) return Promise.reject(abortReason(opts.signal)); // nothing sent yet
  const work = critical(CRITICAL_SIGN_IN, async () =>
    saveChatGPTLogin(home, await exchangeCode(tokenUrl, code, { debug: opts.debug, env: opts.env })),
  );
  return unlessAborted(work, opts.signal);
}
