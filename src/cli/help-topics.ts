/**
 * The exit-status and environment tables: the one source for `kolega help exit-codes`,
 * `kolega help environment` and the README tables (scripts/gen-docs.ts rewrites the README
 * between its markers; a test checks they agree).
 */

/** One row of a two-column table (markdown allowed in both cells: `code` spans and `\|`). */
export type Row = readonly [string, string];

/** Exit statuses of every command (docs/design.md "Exit status"). */
export const EXIT_CODE_ROWS: readonly Row[] = [
  ['0', 'success'],
  ['1', 'unexpected internal error (a bug: message + hint to rerun with `--debug`)'],
  [
    '2',
    'usage: bad flag or argument, empty prompt, unknown model, bad `--effort` or `--output-schema` (reported before credentials are looked at), unknown or ambiguous session id, a session another run is using (after waiting 8 s); also a corrupt settings, credentials or session file or bad configuration (e.g. a CA variable naming a missing or non-PEM file)',
  ],
  [
    '3',
    'authentication: not signed in, refresh rejected, plan not eligible, a JSON 401/403 from the backend after refresh; callback ports busy or refused',
  ],
  ['4', 'rate or usage limit (429 after retries, `usage_limit_reached`) — the message says when it resets'],
  [
    '5',
    "upstream request failed (400/404/5xx after retries, `response.failed`, `response.incomplete`, a stream that ends before `response.completed`, an HTML error page from a CDN, proxy or captive portal — `html_error_page`, whatever its status —, `--max-tool-calls` exceeded, a resumed session too large for the model's context window)",
  ],
  [
    '6',
    'network or timeout (connection refused/reset, DNS, TLS, proxy, idle timeout waiting for headers or mid-stream, `--timeout`)',
  ],
  [
    '130',
    'interrupted (SIGINT or SIGTERM): the request is aborted, partial output is flushed; a token renewal or sign-in already sent is stored first (up to 10 s); a second signal exits at once, except while that renewal or sign-in is being stored: then kolega says it is waiting; a third signal always exits at once',
  ],
  [
    '141',
    "stdout was closed by its reader (e.g. `kolega run ... \\| head -1`): the request is aborted quietly, as a shell's SIGPIPE",
  ],
];

/** Environment variables kolega reads. */
export const ENVIRONMENT_ROWS: readonly Row[] = [
  ['`KOLEGA_HOME`', 'directory for all stored state (default: the per-user config dir, e.g. `~/.config/kolega`)'],
  ['`KOLEGA_AUTH_ISSUER`', 'OAuth issuer (default `https://auth.openai.com`)'],
  ['`BROWSER`', 'program that opens the sign-in URL (default: the system opener, when there is a display)'],
  ['`CI`, `SSH_CONNECTION`', 'when set, `auth login` does not try to open a browser'],
  ['`KOLEGA_CHATGPT_BASE_URL`', 'ChatGPT backend base (default `https://chatgpt.com/backend-api/codex`)'],
  [
    '`KOLEGA_CODEX_VERSION`',
    'Codex client version kolega claims to the ChatGPT backend (default 0.171.0; also `kolega config set codex_version`)',
  ],
  ['`OPENAI_API_KEY`', 'API key for the `openai` provider (wins over a stored key)'],
  ['`OPENAI_BASE_URL`', 'public API base (default `https://api.openai.com/v1`)'],
  ['`KOLEGA_MODEL`', 'default model (between `-m` and the saved settings)'],
  ['`KOLEGA_DEBUG=1`', 'same as `--debug`'],
  [
    '`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`',
    'proxies for every request, including sign-in and token refresh (also lower case; an empty lower-case one does not hide a set upper-case one; loopback is proxied too unless listed in `NO_PROXY`)',
  ],
  [
    '`KOLEGA_CA_CERTIFICATE`, `SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`',
    'extra trusted CA certificates (PEM file, several certificates allowed), added to the bundled ones for every request, sign-in and token refresh included; a missing or non-PEM file is exit 2 before any request',
  ],
  [
    '`NO_COLOR`',
    'any non-empty value: no colour and no escape sequences at all on stderr, the spinner included, even on a terminal (same as `--no-color`; wins over `FORCE_COLOR`)',
  ],
  ['`FORCE_COLOR`', 'colour on stderr even when it is not a terminal (`0` or `false`: never)'],
  ['`TERM=dumb`', 'no colour (unless `FORCE_COLOR`), no spinner and no cursor movement'],
];

/** Help topics by name: title, header row and rows. */
export const HELP_TOPICS: Record<string, { title: string; header: Row; rows: readonly Row[] }> = {
  'exit-codes': { title: 'Exit status (every command)', header: ['code', 'meaning'], rows: EXIT_CODE_ROWS },
  environment: { title: 'Environment', header: ['variable', 'meaning'], rows: ENVIRONMENT_ROWS },
};

/** Renders rows as a markdown table (the README form). */
export function markdownTable(header: Row, rows: readonly Row[]): string {
  return (
    [`| ${header[0]} | ${header[1]} |`, '|---|---|', ...rows.map((r) => `| ${r[0]} | ${r[1]} |`)].join('\n') + '\n'
  );
}

const plain = (s: string): string => s.replace(/`/g, '').replace(/\\\|/g, '|');

/** Renders a topic as aligned plain text for the terminal (backticks removed). */
export function textTable(topic: string): string {
  const t = HELP_TOPICS[topic]!;
  const rows = [t.header, ...t.rows].map((r) => [plain(r[0]), plain(r[1])] as const);
  const w = Math.max(...rows.map((r) => r[0].length));
  return `${t.title}\n\n` + rows.map((r) => `  ${r[0].padEnd(w)}  ${r[1]}`).join('\n') + '\n';
}
