/**
 * Validating an OAuth callback (docs/protocol.md §a.4), shared by the loopback server and the
 * pasted-URL path so both apply exactly the same rules: a wrong or missing `state` is ignored
 * (the login keeps waiting, the code is never used); `error=...` and a missing `code` end the login
 * with an explanation; extra parameters (e.g. `scope`) are ignored.
 */
import { KolegaError } from '../errors.js';

/** The verdict on one callback query. */
export type CallbackVerdict =
  { kind: 'state_mismatch' } | { kind: 'error'; error: KolegaError } | { kind: 'code'; code: string };

/** `text` as one printable line of at most `max` characters (control characters become spaces). */
export function oneLine(text: string, max = 300): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean.length > max ? clean.slice(0, max - 1) + '…' : clean;
}

/** Judges the query of a `/auth/callback` request against the `expectedState`. */
export function judgeCallback(query: URLSearchParams, expectedState: string): CallbackVerdict {
  const state = query.get('state');
  if (state === null || state !== expectedState) return { kind: 'state_mismatch' };
  const error = query.get('error');
  if (error !== null && error !== '') {
    // Issuer-controlled text reaches the terminal: one line, no control characters, bounded.
    const description = oneLine(query.get('error_description') ?? '');
    if (/missing_codex_entitlement/i.test(description)) {
      return {
        kind: 'error',
        error: new KolegaError(
          'auth',
          'missing_codex_entitlement',
          'Codex is not enabled for your ChatGPT workspace, so kolega cannot sign in with it',
          {
            hint: 'ask your workspace admin to enable Codex, or use an API key: kolega auth login openai --with-api-key',
          },
        ),
      };
    }
    const why = error === 'access_denied' ? 'access was denied' : oneLine(error, 80);
    return {
      kind: 'error',
      error: new KolegaError(
        'auth',
        error === 'access_denied' ? 'access_denied' : 'authorize_error',
        `sign-in failed: ${why}${description ? ` (${description})` : ''}`,
        {
          hint: 'run kolega auth login chatgpt again and approve the request in the browser',
        },
      ),
    };
  }
  const code = query.get('code');
  if (code === null || code === '') {
    return {
      kind: 'error',
      error: new KolegaError(
        'auth',
        'missing_authorization_code',
        'sign-in failed: the callback carried no authorization code',
        {
          hint: 'run kolega auth login chatgpt again',
        },
      ),
    };
  }
  return { kind: 'code', code };
}
