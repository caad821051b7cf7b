/** The targets of `auth login` / `auth logout` and the usage error listing them. */
import { KolegaError } from '../../core/errors.js';

/** Targets of `auth login` / `auth logout`. */
export const AUTH_TARGETS = ['chatgpt', 'openai'] as const;

/** One of AUTH_TARGETS. */
export type AuthTarget = (typeof AUTH_TARGETS)[number];

/**
 * Checks `target`.
 * @throws KolegaError(usage, `missing_target` | `unknown_target`) listing the targets (exit 2).
 */
export function parseTarget(command: 'login' | 'logout', target: string | undefined): AuthTarget {
  const list =
    command === 'login'
      ? 'kolega auth login chatgpt [--device-auth]   or   kolega auth login openai --with-api-key'
      : 'kolega auth logout chatgpt | openai | --all';
  if (target === undefined)
    throw new KolegaError(
      'usage',
      'missing_target',
      `say what to ${command === 'login' ? 'sign in to' : 'sign out of'}: chatgpt or openai`,
      { hint: list },
    );
  const t = target.toLowerCase();
  if (t === 'chatgpt' || t === 'openai') return t;
  throw new KolegaError('usage', 'unknown_target', `unknown target "${target}"; valid: chatgpt, openai`, {
    hint: list,
  });
}
