/**
 * The default base URLs and their resolution with the transport rule of docs/design.md "kolega auth": plain `http://` only when
 * the host is loopback (127.0.0.1, ::1, localhost); any other host must be `https://`.
 */
import { KolegaError } from '../errors.js';

/** Default ChatGPT Responses base; `KOLEGA_CHATGPT_BASE_URL` overrides it (docs/protocol.md §e.2). */
export const DEFAULT_CHATGPT_BASE_URL = 'https://chatgpt.com/backend-api/codex';

/** Default public API base; `OPENAI_BASE_URL` overrides it. */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when `hostname` (as in `URL.hostname`) is a loopback name. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Validates and normalises a base URL (no trailing slash).
 * @param value the configured URL (from env or a default)
 * @param source what configured it, for the message (e.g. `OPENAI_BASE_URL`)
 * @throws KolegaError(usage, `bad_base_url`) for a malformed URL, a non-http(s) scheme, or plain
 *   http to a non-loopback host.
 */
export function checkBaseUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KolegaError('usage', 'bad_base_url', `${source} is not a valid URL: ${value}`, {
      hint: `set ${source} to an https:// URL`,
    });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new KolegaError(
      'usage',
      'insecure_base_url',
      `${source} uses plain http for a non-loopback host (${url.host})`,
      {
        hint: `use https://, or http:// only for 127.0.0.1/localhost`,
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KolegaError('usage', 'bad_base_url', `${source} must be an http(s) URL: ${value}`, {
      hint: `set ${source} to an https:// URL`,
    });
  }
  return url.toString().replace(/\/+$/, '');
}

/** Reads env var `name` (empty = unset) or falls back to `fallback`, then validates it. */
export function baseUrlFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const v = env[name];
  return checkBaseUrl(v !== undefined && v !== '' ? v : fallback, v ? name : `default ${name}`);
}
