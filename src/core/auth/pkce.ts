/**
 * PKCE and `state` values (docs/protocol.md §a.1): a 64-byte random verifier, its S256 challenge, and a
 * 32-byte random state, all base64url without padding.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A PKCE pair. `verifier` is 86 characters, `challenge` 43. */
export interface Pkce {
  verifier: string;
  challenge: string;
}

/** base64url-no-pad(SHA-256(ASCII verifier)) — the S256 challenge of `verifier`. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Generates a fresh PKCE pair (docs/protocol.md §a.1 step 1). */
export function generatePkce(): Pkce {
  const verifier = randomBytes(64).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

/** Generates the OAuth `state` (docs/protocol.md §a.1 step 2): 43 characters. */
export function generateState(): string {
  return randomBytes(32).toString('base64url');
}
