/**
 * The `auth status` report (read-only): for each provider whether it is usable, the method, email,
 * plan, account id, access-token expiry; the credentials file, its state and mode; which provider
 * `run` would use. Keys are masked; tokens never appear.
 */
import { statSync } from 'node:fs';
import { isExpired } from '../../core/auth/token-manager.js';
import { readClaims } from '../../core/auth/jwt.js';
import { isKolegaError } from '../../core/errors.js';
import { selectModel } from '../../core/providers/select.js';
import type { ProviderId } from '../../core/models/bundled.js';
import { readCredentials, type Credentials } from '../../core/store/credentials.js';
import { credentialsPath } from '../../core/store/paths.js';
import { maskKey } from '../../core/redact.js';

/** State of the ChatGPT sign-in. */
export type ChatGPTState = 'signed_in' | 'expired_will_refresh' | 'needs_relogin' | 'not_signed_in' | 'unknown';

/** The status document (`--json`). Top-level keys are fixed; new fields may be added. */
export interface StatusReport {
  schema_version: 1;
  /** The provider `kolega run` would use, or null. */
  selected_provider: ProviderId | null;
  /** True when `selected_provider` has usable credentials (exit 0). */
  usable: boolean;
  credentials_file: {
    path: string;
    state: 'ok' | 'missing' | 'corrupt' | 'unreadable';
    mode: string | null;
    error: string | null;
  };
  providers: {
    openai_chatgpt: {
      usable: boolean;
      state: ChatGPTState;
      method: 'chatgpt' | null;
      email: string | null;
      plan: string | null;
      account_id: string | null;
      /** ISO time the access token expires, or null. */
      access_token_expires_at: string | null;
      last_refresh: string | null;
      refresh_failure: string | null;
      fix: string | null;
    };
    openai: {
      usable: boolean;
      /** `env` = OPENAI_API_KEY, `store` = saved key; null when none. */
      method: 'env' | 'store' | null;
      key: string | null;
      stored_key: string | null;
      fix: string | null;
    };
  };
}

/** Builds the report for `home` and `env`. Never writes anything. */
export function buildStatusReport(home: string, env: NodeJS.ProcessEnv, now = Date.now()): StatusReport {
  const file = credentialsPath(home);
  let mode: string | null = null;
  try {
    mode = (statSync(file).mode & 0o777).toString(8);
  } catch {
    mode = null;
  }
  let creds: Credentials = { version: 1 };
  let fileState: StatusReport['credentials_file']['state'] = mode === null ? 'missing' : 'ok';
  let fileError: string | null = null;
  try {
    creds = readCredentials(home);
  } catch (err) {
    fileState = isKolegaError(err) && err.code === 'file_corrupt' ? 'corrupt' : 'unreadable';
    fileError = (err as Error).message;
  }
  const c = creds.chatgpt?.access_token ? creds.chatgpt : undefined;
  let state: ChatGPTState = fileState === 'ok' || fileState === 'missing' ? 'not_signed_in' : 'unknown';
  if (c) {
    if (c.refresh_failure) state = 'needs_relogin';
    else if (isExpired(c, now)) state = c.refresh_token ? 'expired_will_refresh' : 'needs_relogin';
    else state = 'signed_in';
  }
  const idc = c ? readClaims(c.id_token) : undefined;
  const exp = c ? readClaims(c.access_token).exp : undefined;
  const chatgptUsable = state === 'signed_in' || state === 'expired_will_refresh';
  const envKey = env.OPENAI_API_KEY?.trim() || undefined;
  const storedKey = creds.openai?.api_key;
  const keyMethod = envKey ? 'env' : storedKey ? 'store' : null;
  const key = envKey ?? storedKey;

  let selected: ProviderId | null = null;
  if (fileState === 'ok' || fileState === 'missing') {
    try {
      selected = selectModel({ home, env }).provider;
    } catch {
      selected = c ? 'openai_chatgpt' : key ? 'openai' : null;
    }
  }
  const usable = selected === 'openai_chatgpt' ? chatgptUsable : selected === 'openai' ? key !== undefined : false;
  return {
    schema_version: 1,
    selected_provider: selected,
    usable: fileState === 'corrupt' || fileState === 'unreadable' ? false : usable,
    credentials_file: { path: file, state: fileState, mode, error: fileError },
    providers: {
      openai_chatgpt: {
        usable: chatgptUsable,
        state,
        method: c ? 'chatgpt' : null,
        email: idc?.email ?? null,
        plan: idc?.planType ?? null,
        account_id: c ? (c.account_id ?? idc?.accountId ?? null) : null,
        access_token_expires_at: exp !== undefined ? new Date(exp * 1000).toISOString() : null,
        last_refresh: c?.last_refresh || null,
        refresh_failure: c?.refresh_failure?.code ?? null,
        fix: chatgptUsable ? null : 'kolega auth login chatgpt',
      },
      openai: {
        usable: key !== undefined,
        method: keyMethod,
        key: key ? maskKey(key) : null,
        stored_key: storedKey ? maskKey(storedKey) : null,
        fix: key ? null : 'printenv OPENAI_API_KEY | kolega auth login openai --with-api-key',
      },
    },
  };
}
