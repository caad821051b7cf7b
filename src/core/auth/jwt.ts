/**
 * Reading JWT claims without verifying signatures, as Codex does (test/fixtures/jwt/README.md: split on
 * `.`, three non-empty segments, base64url-decode the payload, parse JSON).
 */
import { AUTH_CLAIM, PROFILE_CLAIM } from './constants.js';

/**
 * Decodes a JWT payload.
 * @returns the payload object, or `undefined` when `token` is not a well-formed JWT.
 */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length < 3 || parts.slice(0, 3).some((p) => p === '')) return undefined;
  try {
    const json = Buffer.from(parts[1]!, 'base64url').toString('utf8');
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The claims kolega uses from the ChatGPT tokens. */
export interface ChatGPTClaims {
  /** `chatgpt_account_id` of the auth claim (sent as ChatGPT-Account-ID). */
  accountId?: string;
  /** `chatgpt_plan_type`, lower-cased. */
  planType?: string;
  userId?: string;
  email?: string;
  /** `exp`, in seconds since the epoch. */
  exp?: number;
  fedramp: boolean;
}

/** Extracts the claims of test/fixtures/jwt/README.md "Where the claims live" from any token. */
export function readClaims(token: string): ChatGPTClaims {
  const payload = decodeJwtPayload(token) ?? {};
  const auth = (payload[AUTH_CLAIM] ?? {}) as Record<string, unknown>;
  const profile = (payload[PROFILE_CLAIM] ?? {}) as Record<string, unknown>;
  const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    accountId: s(auth.chatgpt_account_id),
    planType: s(auth.chatgpt_plan_type)?.toLowerCase(),
    userId: s(auth.chatgpt_user_id) ?? s(auth.user_id),
    email: s(payload.email) ?? s(profile.email),
    exp: typeof payload.exp === 'number' ? payload.exp : undefined,
    fedramp: auth.chatgpt_account_is_fedramp === true,
  };
}
