/**
 * The credentials file (`credentials.json`, mode 0600, in a 0700 directory). Shape (version 1):
 *
 *   { "version": 1,
 *     "chatgpt": { "id_token", "access_token", "refresh_token", "account_id": string|null,
 *                  "last_refresh": RFC 3339 },
 *     "openai":  { "api_key", "saved_at": RFC 3339 } }
 *
 * Either provider section may be absent. Tokens mirror docs/protocol.md §c.1 (Codex's auth.json) but are
 * kept per provider so an API key and a ChatGPT sign-in can coexist.
 */
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { KolegaError } from '../errors.js';
import { credentialsPath } from './paths.js';
import { readJsonObject, writeJsonAtomic } from './json-file.js';
import { withCredentialsLock } from './lock.js';

/** ChatGPT OAuth tokens as stored (docs/protocol.md §c.1). */
export interface ChatGPTTokens {
  id_token: string;
  access_token: string;
  refresh_token: string;
  account_id: string | null;
  /** RFC 3339 time of the last successful login or refresh. */
  last_refresh: string;
  /**
   * Set when the issuer rejected this refresh token for good (docs/protocol.md §d.3): later runs fail at
   * once without a network call and `auth status` says "needs re-login". Cleared by a login.
   */
  refresh_failure?: RefreshFailure;
}

/** A permanent refresh failure, remembered for the refresh token it concerns. */
export interface RefreshFailure {
  /** The issuer's error code (e.g. `refresh_token_reused`) or `rejected`. */
  code: string;
  /** RFC 3339 time of the failure. */
  at: string;
}

/** A stored OpenAI API key. */
export interface StoredApiKey {
  api_key: string;
  saved_at: string;
}

/** The whole credentials document. */
export interface Credentials {
  version: 1;
  chatgpt?: ChatGPTTokens;
  openai?: StoredApiKey;
}

/** Mode of the credentials file. */
export const CREDENTIALS_FILE_MODE = 0o600;

/**
 * Reads the credentials of `home`.
 * @returns the document; `{version: 1}` when the file does not exist.
 * @throws KolegaError(config, `file_corrupt` | `file_unreadable`) — never treats a corrupt file as
 *   "not signed in".
 */
export function readCredentials(home: string): Credentials {
  const file = credentialsPath(home);
  const raw = readJsonObject(file);
  if (raw === undefined) return { version: 1 };
  // Anything this version does not fully understand is refused rather than normalised: a later
  // write would otherwise silently drop what it could not read.
  if (raw.version !== undefined && raw.version !== 1) {
    throw new KolegaError(
      'config',
      'file_unsupported',
      `${file} has version ${JSON.stringify(raw.version)}, which this kolega does not understand`,
      {
        hint: 'upgrade kolega, or move the file away and sign in again',
      },
    );
  }
  for (const key of Object.keys(raw)) {
    if (!['version', 'chatgpt', 'openai'].includes(key)) throw shapeError(file, key, 'is not a known key');
  }
  const creds: Credentials = { version: 1 };
  const chatgpt = raw.chatgpt;
  if (chatgpt !== undefined && chatgpt !== null) {
    const c = section(file, 'chatgpt', chatgpt);
    creds.chatgpt = {
      id_token: optString(file, 'chatgpt.id_token', c.id_token),
      access_token: optString(file, 'chatgpt.access_token', c.access_token),
      refresh_token: optString(file, 'chatgpt.refresh_token', c.refresh_token),
      account_id:
        c.account_id === null || c.account_id === undefined
          ? null
          : optString(file, 'chatgpt.account_id', c.account_id),
      last_refresh: optString(file, 'chatgpt.last_refresh', c.last_refresh),
    };
    const f = c.refresh_failure as Record<string, unknown> | undefined;
    if (f && typeof f === 'object' && typeof f.code === 'string') {
      creds.chatgpt.refresh_failure = { code: f.code, at: str(f.at) };
    }
  }
  const openai = raw.openai;
  if (openai !== undefined && openai !== null) {
    const o = section(file, 'openai', openai);
    const key = optString(file, 'openai.api_key', o.api_key);
    if (key !== '') creds.openai = { api_key: key, saved_at: optString(file, 'openai.saved_at', o.saved_at) };
  }
  return creds;
}

function section(file: string, key: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw shapeError(file, key, 'is not an object');
  return v as Record<string, unknown>;
}

/** A string field that may be missing (''), but never of another type. */
function optString(file: string, key: string, v: unknown): string {
  if (v === undefined) return '';
  if (typeof v !== 'string') throw shapeError(file, key, 'is not a string');
  return v;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function shapeError(file: string, key: string, what: string): KolegaError {
  return new KolegaError('config', 'file_corrupt', `${file} is corrupt ("${key}" ${what})`, {
    hint: `fix or move the file away; kolega never overwrites it on its own`,
  });
}

/**
 * Atomically replaces the credentials of `home` (mode 0600 from the first byte), or deletes the
 * file when `creds` holds no provider.
 * @throws KolegaError(config) on I/O errors.
 */
export function writeCredentials(home: string, creds: Credentials): void {
  const file = credentialsPath(home);
  if (creds.chatgpt === undefined && creds.openai === undefined) {
    rmSync(file, { force: true });
    return;
  }
  writeJsonAtomic(file, { version: 1, chatgpt: creds.chatgpt, openai: creds.openai }, CREDENTIALS_FILE_MODE);
  // The temp file was created 0600 before any byte was written; make sure no umask or a
  // pre-existing wider mode survives the rename.
  try {
    chmodSync(file, CREDENTIALS_FILE_MODE);
  } catch {
    // vanished meanwhile: nothing to tighten
  }
}

/**
 * Read -> change -> write of the credentials under the cross-process lock, re-reading after the
 * lock is taken (other processes may have written meanwhile).
 * @param mutate gets the current document; returns the new one, or undefined to leave the file as is
 * @returns the document as it is on disk afterwards
 * @throws KolegaError(config) for a corrupt file (never overwritten) or I/O errors
 */
export async function updateCredentials(
  home: string,
  mutate: (current: Credentials) => Credentials | undefined | Promise<Credentials | undefined>,
  signal?: AbortSignal,
): Promise<Credentials> {
  return withCredentialsLock(
    home,
    async () => {
      const current = readCredentials(home);
      const next = await mutate(current);
      if (next === undefined) return current;
      writeCredentials(home, next);
      return next;
    },
    signal,
  );
}

/**
 * Tightens a credentials file that is readable by group or others to 0600.
 * @returns true when the mode was changed (the caller prints a notice).
 */
export function tightenCredentialsMode(home: string): boolean {
  const file = credentialsPath(home);
  try {
    const st = lstatSync(file);
    // Only a regular file: never chmod a directory or a symlink's target.
    if (st.isFile() && (st.mode & 0o077) !== 0) {
      chmodSync(file, CREDENTIALS_FILE_MODE);
      return true;
    }
  } catch {
    // missing file: nothing to tighten
  }
  return false;
}
