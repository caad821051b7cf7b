/**
 * Access to the ChatGPT tokens for requests (protocol.md d). This first version reads the store and
 * refuses expired tokens; refresh (proactive within 5 minutes of `exp`, once on 401, under a
 * cross-process lock) is added by the sign-in work.
 */
import { KolegaError } from '../errors.js';
import { readCredentials, type ChatGPTTokens } from '../store/credentials.js';
import { readClaims } from './jwt.js';

/** What a request needs from the ChatGPT sign-in. */
export interface ChatGPTAccess {
  accessToken: string;
  /** `chatgpt_account_id`, sent as ChatGPT-Account-ID; null when unknown. */
  accountId: string | null;
  fedramp: boolean;
}

/** Options of the token manager. */
export interface TokenManagerOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  debug?: (line: string) => void;
}

/** Serves (and later refreshes) the ChatGPT tokens of one store. */
export class TokenManager {
  constructor(private readonly opts: TokenManagerOptions) {}

  /** The stored tokens, or undefined when not signed in. @throws KolegaError(config) when corrupt. */
  stored(): ChatGPTTokens | undefined {
    const t = readCredentials(this.opts.home).chatgpt;
    return t && t.access_token ? t : undefined;
  }

  /**
   * Tokens for the next request.
   * @throws KolegaError(auth, `not_signed_in` | `token_expired`)
   */
  async access(): Promise<ChatGPTAccess> {
    const tokens = this.stored();
    if (!tokens) {
      throw new KolegaError('auth', 'not_signed_in', 'not signed in with ChatGPT', {
        hint: 'run: kolega auth login chatgpt',
      });
    }
    const claims = readClaims(tokens.access_token);
    if (claims.exp !== undefined && claims.exp * 1000 <= Date.now()) {
      throw new KolegaError('auth', 'token_expired', 'the ChatGPT session has expired', {
        hint: 'sign in again: kolega auth login chatgpt',
      });
    }
    const idClaims = readClaims(tokens.id_token);
    return { accessToken: tokens.access_token, accountId: tokens.account_id ?? idClaims.accountId ?? null, fedramp: idClaims.fedramp };
  }

  /** After a 401: @returns true when fresh tokens are available (never, in this version). */
  async recoverUnauthorized(): Promise<boolean> {
    return false;
  }
}
