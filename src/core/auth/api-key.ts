/**
 * Storing an OpenAI API key (`kolega auth login openai --with-api-key`; docs/protocol.md §c.4): the key
 * comes from stdin only, trimmed; stored next to a ChatGPT sign-in without touching it.
 */
import { KolegaError } from '../errors.js';
import { updateCredentials } from '../store/credentials.js';

/** Longest API key accepted, in characters. */
export const MAX_API_KEY_LENGTH = 512;

/** True when `key` can be sent in an HTTP header: printable ASCII, no spaces, not too long. */
export function isSendableKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_API_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key);
}

/**
 * Checks `raw` (the whole of stdin) and returns the key, trimmed.
 * @throws KolegaError(usage, `empty_api_key` | `bad_api_key`) for empty input, a key with inner
 *   whitespace, or characters that cannot be sent in a header.
 */
export function parseApiKey(raw: string): string {
  const key = raw.trim();
  if (key === '') {
    throw new KolegaError('usage', 'empty_api_key', 'no API key on stdin', {
      hint: 'printenv OPENAI_API_KEY | kolega auth login openai --with-api-key',
    });
  }
  if (/\s/.test(key)) {
    throw new KolegaError('usage', 'bad_api_key', 'the input holds more than one word; expected a single API key', {
      hint: 'pipe only the key',
    });
  }
  if (!isSendableKey(key)) {
    throw new KolegaError(
      'usage',
      'bad_api_key',
      `the input is not an API key (expected at most ${MAX_API_KEY_LENGTH} printable ASCII characters)`,
      { hint: 'pipe only the key' },
    );
  }
  return key;
}

/**
 * Stores `key` (already checked by parseApiKey) next to any ChatGPT sign-in.
 * @throws KolegaError(config) on I/O errors or a corrupt store.
 */
export async function storeApiKey(home: string, key: string, signal?: AbortSignal): Promise<void> {
  await updateCredentials(
    home,
    (cur) => ({ ...cur, openai: { api_key: key, saved_at: new Date().toISOString() } }),
    signal,
  );
}
