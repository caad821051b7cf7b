/**
 * Signing out (docs/protocol.md §d.6): revoke the ChatGPT refresh token (best effort, short timeout), then
 * delete the credentials of the chosen providers. Idempotent: nothing stored is not an error.
 */
import { rmSync } from 'node:fs';
import { isKolegaError } from '../errors.js';
import { modelsCachePath } from '../models/cache.js';
import { openaiModelsCachePath } from '../models/openai-cache.js';
import { readCredentials, updateCredentials } from '../store/credentials.js';
import { credentialsPath } from '../store/paths.js';
import { withCredentialsLock } from '../store/lock.js';
import { REVOKE_TIMEOUT_MS } from './constants.js';
import { issuerEndpoints } from './issuer.js';
import { revokeToken } from './token-endpoint.js';

/** A provider whose stored credentials can be removed. */
export type LogoutTarget = 'chatgpt' | 'openai';

/** What logout did, for the user's message. */
export interface LogoutResult {
  /** Targets that had stored credentials and no longer do. */
  removed: LogoutTarget[];
  /** Whether the issuer confirmed the revocation; undefined when nothing was revoked. */
  revoked?: boolean;
  /** True when a corrupt credentials file was deleted (only with `--all`). */
  removedCorruptFile: boolean;
  /** Paths of caches holding account data that were deleted (the ChatGPT model list). */
  removedCaches: string[];
}

/** Options of `logout`. */
export interface LogoutOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  targets: LogoutTarget[];
  /** Delete the whole file, even a corrupt one (`--all`). */
  all: boolean;
  signal?: AbortSignal;
  debug?: (line: string) => void;
}

/**
 * Signs out of `targets`.
 * @throws KolegaError(config) when the credentials file is corrupt and `all` is false (it is never
 *   rewritten on its own), and always when it is from a newer kolega (`file_unsupported`), a
 *   directory or unreadable (`file_unreadable`): those are never deleted. A bad KOLEGA_AUTH_ISSUER only skips the revocation.
 */
export async function logout(opts: LogoutOptions): Promise<LogoutResult> {
  let creds;
  try {
    creds = readCredentials(opts.home);
  } catch (err) {
    // Only a file this kolega recognises as damaged is removed; a newer kolega's file
    // (`file_unsupported`), a directory or an unreadable file is refused like any other command does.
    if (opts.all && isKolegaError(err) && err.code === 'file_corrupt') {
      await withCredentialsLock(opts.home, () => rmSync(credentialsPath(opts.home), { force: true }), opts.signal);
      return { removed: [], removedCorruptFile: true, removedCaches: removeAccountCaches(opts.home, opts.targets) };
    }
    throw err;
  }
  const result: LogoutResult = { removed: [], removedCorruptFile: false, removedCaches: [] };
  const chatgpt = creds.chatgpt;
  if (opts.targets.includes('chatgpt') && chatgpt && (chatgpt.refresh_token || chatgpt.access_token)) {
    let revoke: string | undefined;
    try {
      revoke = issuerEndpoints(opts.env).revoke;
    } catch {
      revoke = undefined; // a bad KOLEGA_AUTH_ISSUER must not keep the user from signing out
    }
    const timeout = AbortSignal.timeout(REVOKE_TIMEOUT_MS);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    result.revoked = revoke
      ? await revokeToken(
          revoke,
          { refreshToken: chatgpt.refresh_token || undefined, accessToken: chatgpt.access_token },
          { signal, timeoutMs: REVOKE_TIMEOUT_MS, debug: opts.debug, env: opts.env },
        )
      : false;
  }
  await updateCredentials(
    opts.home,
    (cur) => {
      const next = { ...cur };
      let changed = false;
      for (const t of opts.targets) {
        if (next[t] !== undefined) {
          delete next[t];
          result.removed.push(t);
          changed = true;
        }
      }
      return changed ? next : undefined;
    },
    opts.signal,
  );
  result.removedCaches = removeAccountCaches(opts.home, opts.targets);
  return result;
}

/**
 * Deletes caches that hold account data of a signed-out provider: the ChatGPT live model list
 * (`models-cache.json`: the account id and what that account may use) and the API key's model list
 * (`openai-models-cache.json`: what that key may use, tied to a fingerprint of the key). Also when
 * nothing was signed in: a cache left by an earlier sign-in is account data too.
 * @returns the paths deleted.
 */
function removeAccountCaches(home: string, targets: LogoutTarget[]): string[] {
  const files = [
    ...(targets.includes('chatgpt') ? [modelsCachePath(home)] : []),
    ...(targets.includes('openai') ? [openaiModelsCachePath(home)] : []),
  ];
  return files.filter((file) => {
    try {
      rmSync(file);
      return true;
    } catch {
      return false; // missing (ENOENT) or not removable: nothing was deleted
    }
  });
}
