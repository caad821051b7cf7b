/**
 * Keeping secrets out of everything kolega prints, in one place:
 * - `redactSecrets`: error messages. A server may echo the key or token it received ("Incorrect API
 *   key provided: sk-..."), and those messages reach stderr and `turn.failed`.
 * - `redact`: diagnostics. Every `--debug` line goes through it (bearer tokens, JWTs, API keys,
 *   refresh tokens, OAuth codes and verifiers).
 * - `maskKey`: an API key shown on purpose (`auth status`, `doctor`), as Codex shows it.
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

const PATTERNS: [RegExp, string][] = [
  [/(authorization["']?\s*[:=]\s*["']?)(bearer\s+)?[^\s"',}]+/gi, '$1$2[REDACTED]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [REDACTED]'],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[REDACTED_JWT]'],
  [/\bsk-[A-Za-z0-9_-]{6,}/g, 'sk-[REDACTED]'],
  [
    /((?:refresh_token|access_token|id_token|api_key|code_verifier|code|subject_token|token)["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi,
    '$1[REDACTED]',
  ],
];

/** Returns `text` with every secret-looking value replaced (for diagnostics). */
export function redact(text: string): string {
  let out = text;
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

/** Masks an API key for display: first 8 + `***` + last 5; short keys become `***` (docs/protocol.md §c.4). */
export function maskKey(key: string): string {
  return key.length <= 13 ? '***' : `${key.slice(0, 8)}***${key.slice(-5)}`;
}
