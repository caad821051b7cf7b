/**
 * Every OpenAI/Codex-specific auth and endpoint value, in one place (docs/protocol.md "Constants at a
 * glance", a.2, b, d.6, e.2 and "Decisions").
 */

/** Codex's public OAuth client id (no secret). Source: docs/protocol.md "Constants at a glance". */
export const CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

/** Default OAuth issuer; `KOLEGA_AUTH_ISSUER` overrides it. */
export const DEFAULT_ISSUER = 'https://auth.openai.com';

/** OAuth scopes since 2026-03-04 (docs/protocol.md §a.2 #4). */
export const SCOPES = 'openid profile email offline_access api.connectors.read api.connectors.invoke';

/** `originator` query parameter of the sign-in (docs/protocol.md §a.2 #10): what `codex login` sends. */
export const ORIGINATOR = 'codex_cli_rs';

/*
 * Client identity on the ChatGPT backend. kolega presents itself as the Codex CLI release below
 * (`codex exec`), because the backend gates models on the client version (README "Models").
 * A forced change (a new Codex release, a renamed header) is an edit of this block only.
 */

/** The Codex CLI version kolega claims: `version` header and `client_version` query (docs/protocol.md "Client identity"). */
export const CODEX_CLIENT_VERSION = '0.171.0';

/** Env var that overrides the claimed Codex version (wins over the setting). */
export const CODEX_VERSION_ENV = 'KOLEGA_CODEX_VERSION';

/** settings.json key that overrides the claimed Codex version. */
export const CODEX_VERSION_SETTING = 'codex_version';

/** `originator` header of backend requests: what `codex exec` sends. */
export const BACKEND_ORIGINATOR = 'codex_exec';

/** Header naming the claimed Codex version on `/responses` and `/models`. */
export const VERSION_HEADER = 'version';

/** Headers that carry the session (thread) id on `/responses`; all three hold the same UUIDv7. */
export const SESSION_ID_HEADERS = ['session-id', 'thread-id', 'x-client-request-id'] as const;

/** Header `<session id>:<window number>`; kolega never compacts, so the window number stays 0. */
export const WINDOW_ID_HEADER = 'x-codex-window-id';

/** Header `model=<slug>` that routes a request to the model's servers. */
export const ROUTING_HINT_HEADER = 'x-codex-routing-hint';

/** Header set (to `true`) on every request to a model the catalogue flags `use_responses_lite`. */
export const RESPONSES_LITE_HEADER = 'x-openai-internal-codex-responses-lite';

/** Sticky-routing token of a turn: set by a response, echoed on the turn's later requests only. */
export const TURN_STATE_HEADER = 'x-codex-turn-state';

/** Response header naming the current catalogue's ETag; a change means the cached list is stale. */
export const MODELS_ETAG_HEADER = 'x-models-etag';

/** `reasoning.context` a Responses Lite request must carry (reasoning kept across the turn's requests). */
export const LITE_REASONING_CONTEXT = 'all_turns';

/** Loopback ports the authorize server accepts as redirect URIs, in order (docs/protocol.md §a.3). */
export const LOOPBACK_PORTS = [1455, 1457] as const;

/** Path of the loopback callback (docs/protocol.md §a.4). */
export const CALLBACK_PATH = '/auth/callback';

/** Default ChatGPT Responses base; `KOLEGA_CHATGPT_BASE_URL` overrides it (docs/protocol.md §e.2). */
export const DEFAULT_CHATGPT_BASE_URL = 'https://chatgpt.com/backend-api/codex';

/** Default public API base; `OPENAI_BASE_URL` overrides it. */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The id_token / access_token claim namespace holding account and plan (test/fixtures/jwt/README.md). */
export const AUTH_CLAIM = 'https://api.openai.com/auth';

/** The profile claim namespace (email fallback). */
export const PROFILE_CLAIM = 'https://api.openai.com/profile';

/** Plans allowed to sign in (`free` is refused at login; docs/protocol.md "Decisions", plan gating). */
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

/** Plans refused at login: no Codex usage included (docs/protocol.md "Decisions", plan gating). */
export const INELIGIBLE_PLANS = ['free', 'free_workspace'] as const;

/** What to tell a user whose plan is not eligible. */
export const PLAN_REQUIREMENT = 'a paid ChatGPT plan (Plus, Pro, Business, Enterprise or Edu)';

/** Refresh when the access token expires within this many ms (docs/protocol.md "Decisions", refresh timing). */
export const REFRESH_WINDOW_MS = 5 * 60 * 1000;

/** Without `exp`, refresh when `last_refresh` is older than this (ms; docs/protocol.md §d.1). */
export const REFRESH_MAX_AGE_MS = 8 * 24 * 60 * 60 * 1000;

/** Env var that overrides the issuer (plain http only for loopback hosts). */
export const ISSUER_ENV = 'KOLEGA_AUTH_ISSUER';

/** Authorize endpoint path below the issuer (docs/protocol.md §a.2). */
export const AUTHORIZE_PATH = '/oauth/authorize';

/** Token endpoint path below the issuer: code exchange and refresh (docs/protocol.md §a.5, d.2). */
export const TOKEN_PATH = '/oauth/token';

/** Revocation endpoint path below the issuer (docs/protocol.md §d.6). */
export const REVOKE_PATH = '/oauth/revoke';

/** Device-code endpoints and pages below the issuer (docs/protocol.md §b). */
export const DEVICE_USERCODE_PATH = '/api/accounts/deviceauth/usercode';
/** Device-code polling endpoint (docs/protocol.md §b.3). */
export const DEVICE_TOKEN_PATH = '/api/accounts/deviceauth/token';
/** The page where the user types the device code (docs/protocol.md §b.2). */
export const DEVICE_VERIFY_PATH = '/codex/device';
/** redirect_uri of the device-code exchange (docs/protocol.md §b.4). */
export const DEVICE_REDIRECT_PATH = '/deviceauth/callback';

/** Overall limit of the device-code flow, in ms (docs/protocol.md §b.3: 15 minutes). */
export const DEVICE_MAX_WAIT_MS = 15 * 60 * 1000;

/** Slowest allowed device polling is the server's interval; never faster than this (ms). */
export const DEVICE_MIN_POLL_MS = 1000;

/** Default wait for the browser callback, in seconds (`--timeout`). */
export const LOGIN_TIMEOUT_SECONDS = 600;

/** Timeout of the best-effort revoke call at logout, in ms (docs/protocol.md §d.6 uses 10 s; we keep it short). */
export const REVOKE_TIMEOUT_MS = 5000;

/** Idle timeout of token-endpoint calls (headers or body), in ms. */
export const TOKEN_HTTP_TIMEOUT_MS = 30_000;

/**
 * Idle timeout of a refresh of an access token that is still valid, in ms: the run can go on with
 * the current token, so a silent token endpoint must not hold it up for long.
 */
export const EARLY_REFRESH_TIMEOUT_MS = 10_000;

/** Attempts of a refresh POST when it fails transiently (network, 5xx), including the first. */
export const REFRESH_ATTEMPTS = 3;

/** Base backoff between transient refresh attempts, in ms (doubled each time). */
export const REFRESH_BACKOFF_MS = 300;

/**
 * Error codes of the token endpoint that end a session for good (docs/protocol.md §d.3, "Decisions"):
 * no retry, exit 3, sign in again.
 */
export const PERMANENT_REFRESH_CODES = [
  'refresh_token_expired',
  'refresh_token_reused',
  'refresh_token_invalidated',
  'invalid_grant',
  'token_expired',
] as const;
