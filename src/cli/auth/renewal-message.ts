/**
 * The words of a ChatGPT session that could not be renewed while its access token still works
 * (src/core/auth/token-manager.ts `RenewalWarning`): one warning line per run.
 */
import type { RenewalWarning } from '../../core/auth/token-manager.js';

/** The warning line (without newline) for `w`. */
export function renewalWarningLine(w: RenewalWarning): string {
  const endsIn =
    w.expiresAtMs === undefined
      ? 'is still valid'
      : `expires in ${Math.max(1, Math.round((w.expiresAtMs - w.atMs) / 60_000))} min`;
  const signIn = '; sign in again: kolega auth login chatgpt';
  switch (w.kind) {
    case 'not_renewable':
      return `kolega: the ChatGPT session cannot be renewed (${w.reason}); the current token ${endsIn}${signIn}`;
    case 'refused':
      return `kolega: the ChatGPT session could not be renewed (${w.reason}); using the current token, which ${endsIn}${signIn}`;
    case 'failed':
      return `kolega: could not renew the ChatGPT session (${w.reason}); using the current token, which ${endsIn}`;
  }
}
