/**
 * What a provider gives the turn loop: where to send the request and how to authenticate it.
 */
import type { ProviderId } from './models.js';

/** Authentication of one provider. */
export interface ProviderAuth {
  /**
   * Headers that authenticate a request (e.g. `authorization`, `chatgpt-account-id`). May refresh
   * tokens first.
   * @throws KolegaError(auth) when no usable credentials exist.
   */
  headers(): Promise<Record<string, string>>;
  /**
   * Called once after an HTTP 401: re-reads the store and refreshes when possible.
   * @returns true when new credentials are available and the request should be re-sent once.
   * @throws KolegaError(auth) on a permanent refresh failure.
   */
  recoverUnauthorized(): Promise<boolean>;
}

/** A resolved provider. */
export interface Provider {
  id: ProviderId;
  /** Base URL without trailing slash; the Responses endpoint is `${baseUrl}/responses`. */
  baseUrl: string;
  /** True for the ChatGPT backend (docs/protocol.md §e.7 differences apply). */
  chatgptBackend: boolean;
  auth: ProviderAuth;
  /** Headers every request of this provider carries besides auth. */
  staticHeaders: Record<string, string>;
  /** The Codex client version claimed to this provider (ChatGPT backend only). */
  codexVersion?: string;
  /** Secret values this provider sends (an API key), to be masked in any message that echoes them. */
  secrets?: () => string[];
}
