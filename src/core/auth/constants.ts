/**
 * Every OpenAI/Codex-specific auth and endpoint value, in one place (protocol.md "Constants at a
 * glance", a.2, b, d.6, e.2 and the "Decisions for kolega" table).
 */

/** Codex's public OAuth client id (no secret). Source: protocol.md a, [R125] auth/manager.rs. */
export const CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

/** Default OAuth issuer; `KOLEGA_AUTH_ISSUER` overrides it. */
export const DEFAULT_ISSUER = 'https://auth.openai.com';

/** OAuth scopes since 2026-03-04 (protocol.md a.2 #4). */
export const SCOPES = 'openid profile email offline_access api.connectors.read api.connectors.invoke';

/** `originator` query parameter and header (protocol.md a.2 #10, e.3). */
export const ORIGINATOR = 'codex_cli_rs';

/** Loopback ports the authorize server accepts as redirect URIs, in order (protocol.md a.3). */
export const LOOPBACK_PORTS = [1455, 1457] as const;

/** Path of the loopback callback (protocol.md a.4). */
export const CALLBACK_PATH = '/auth/callback';

/** Default ChatGPT Responses base; `KOLEGA_CHATGPT_BASE_URL` overrides it (protocol.md e.2). */
export const DEFAULT_CHATGPT_BASE_URL = 'https://chatgpt.com/backend-api/codex';

/** Default public API base; `OPENAI_BASE_URL` overrides it. */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The id_token / access_token claim namespace holding account and plan (fixtures/jwt/README.md). */
export const AUTH_CLAIM = 'https://api.openai.com/auth';

/** The profile claim namespace (email fallback). */
export const PROFILE_CLAIM = 'https://api.openai.com/profile';

/** Plans allowed to sign in (`free` is refused at login; Decisions table "plan gating"). */
export const ELIGIBLE_PLANS = [
  'plus',
  'pro',
  'prolite',
  'go',
  'team',
  'business',
  'self_serve_business_usage_based',
  'enterprise',
  'enterprise_cbp_usage_based',
  'hc',
  'edu',
  'education',
  'k12',
  'finserv',
  'quorum',
] as const;

/** Refresh when the access token expires within this many ms (Decisions table "refresh timing"). */
export const REFRESH_WINDOW_MS = 5 * 60 * 1000;

/** Without `exp`, refresh when `last_refresh` is older than this (ms; protocol.md d.1). */
export const REFRESH_MAX_AGE_MS = 8 * 24 * 60 * 60 * 1000;
