/**
 * The public error codes of `turn.failed` (`error.code` in the NDJSON of `kolega run --json`), in
 * one place. Scripts branch on these strings, so a code never changes meaning; `schema/events.schema.json`
 * lists the same codes (a unit test keeps the two equal, and checks that every literal code thrown by
 * the modules a turn runs is listed here).
 *
 * Besides the listed codes, `error.code` can be `http_<status>` (an HTTP answer with no more
 * specific code) or, for a `response.failed` event or a top-level `error` event, the code the
 * server sent when kolega does not map it (docs/protocol.md §f.5: passed through, so nothing the
 * server said is lost).
 */

/** Codes of the turn loop itself and of the ways a run is stopped. */
export const TURN_LOOP_CODES = [
  'max_tool_calls',
  'model_refused',
  'output_not_json',
  'output_schema_mismatch',
  'interrupted',
  'stdout_closed',
  'timeout',
  'internal_error',
] as const;

/** Codes of the stream and of the server's answer (docs/protocol.md §f.3, §f.4, §f.5). */
export const RESPONSE_CODES = [
  'bad_event',
  'bad_event_json',
  'bad_utf8',
  'stream_incomplete',
  'stream_error',
  'response_incomplete',
  'response_failed',
  'context_length_exceeded',
  'insufficient_quota',
  'usage_not_included',
  'usage_limit_reached',
  'cyber_policy',
  'invalid_prompt',
  'server_is_overloaded',
  'slow_down',
  'rate_limit_exceeded',
  'rate_limited',
  'model_not_supported',
] as const;

/** Codes of the network (docs/design.md "Exit status": 6). */
export const NETWORK_CODES = [
  'connect_failed',
  'dns_failed',
  'idle_timeout',
  'proxy_refused',
  'tls_untrusted',
  'stream_interrupted',
  'html_error_page',
  'unexpected_content_type',
  'websocket_unavailable',
] as const;

/** Codes of the credentials, read or renewed while the turn runs (docs/protocol.md §d). */
export const CREDENTIAL_CODES = [
  'not_signed_in',
  'no_refresh_token',
  'refresh_failed',
  'refresh_server_error',
  'token_endpoint_unavailable',
  'refresh_bug',
  'token_response_invalid',
  'token_response_incomplete',
  'file_corrupt',
  'file_unreadable',
  'file_unsupported',
  'file_write_failed',
  'setting_wrong_type',
  'lock_failed',
  'lock_timeout',
  'home_create_failed',
  'home_not_directory',
  'home_unreadable',
  'bad_proxy',
  'bad_ca_file',
] as const;

/** Codes of the session a turn is recorded in (docs/design.md "kolega run": conversations). */
export const SESSION_CODES = [
  'context_window_exceeded',
  'sessions_dir_failed',
  'session_create_failed',
  'session_write_failed',
] as const;

/**
 * Codes of a run that fails before its request: a bad flag, file, prompt, model, effort or
 * session, or missing support (docs/design.md "Exit status": 2, and 3 for model_unavailable).
 * With --json such a run prints turn.failed as its only line.
 */
export const BEFORE_TURN_CODES = [
  'bad_add_dir',
  'bad_effort',
  'bad_transport',
  'bad_workspace',
  'conflicting_flags',
  'empty_instructions',
  'empty_prompt',
  'file_missing',
  'file_too_large',
  'images_not_supported',
  'mcp_config_invalid',
  'mcp_config_unreadable',
  'mcp_server_failed',
  'model_unavailable',
  'no_session',
  'not_a_file',
  'not_an_image',
  'output_file_failed',
  'output_file_unwritable',
  'output_schema_invalid',
  'output_schema_unreadable',
  'prompt_too_large',
  'session_ambiguous',
  'session_busy',
  'session_corrupt',
  'session_not_found',
  'session_open_failed',
  'session_too_new',
  'stdin_unreadable',
  'unknown_model',
  'unknown_provider',
  'websocket_unsupported',
] as const;

/** Every listed code, in the order of the groups above. */
export const TURN_FAILURE_CODES = [
  ...TURN_LOOP_CODES,
  ...RESPONSE_CODES,
  ...NETWORK_CODES,
  ...CREDENTIAL_CODES,
  ...SESSION_CODES,
  ...BEFORE_TURN_CODES,
] as const;

/** A listed code. */
export type ListedTurnFailureCode = (typeof TURN_FAILURE_CODES)[number];

/** `http_<status>`: an HTTP answer without a more specific code (e.g. `http_400`, `http_502`). */
export type HttpStatusCode = `http_${number}`;

/**
 * The code of a `turn.failed` event: a listed code, `http_<status>`, or a server code passed
 * through unmapped (typed as an open string so that such codes stay representable).
 */
export type TurnFailureCode = ListedTurnFailureCode | HttpStatusCode | (string & {});
