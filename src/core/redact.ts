/**
 * Keeping secrets out of error messages: a server may echo the key or token it received
 * ("Incorrect API key provided: sk-..."), and those messages reach stderr and `turn.failed`.
 */

/** Replaces each known secret (exact value, 8+ characters), bearer values, JWTs and `sk-` keys. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 8) out = out.split(s).join('[REDACTED]');
  }
  return out
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [REDACTED]')
    .replace(/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[REDACTED_JWT]')
    .replace(/\bsk-[A-Za-z0-9_-]{6,}/g, 'sk-[REDACTED]');
}
