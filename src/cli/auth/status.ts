/**
 * The work of `kolega auth status` (wiring in commands/auth.ts): read-only report on stdout (text
 * or one JSON document), problems with the command that fixes them.
 * Exit: 0 when the provider `run` would use has usable credentials; 3 otherwise; 2 when the
 * credentials file is corrupt or unreadable ("credentials file corrupt" is not "not signed in").
 */
import type { CliContext } from '../context.js';
import { IO } from '../io.js';
import { KolegaError } from '../../core/errors.js';
import { formatWhen } from '../../core/format.js';
import { kolegaHome } from '../../core/store/paths.js';
import { buildStatusReport, type StatusReport } from './status-report.js';

const CHATGPT_STATE: Record<string, string> = {
  signed_in: 'signed in',
  expired_will_refresh: 'access token expired; it is renewed on the next run',
  needs_relogin: 'session expired: needs a new sign-in',
  not_signed_in: 'not signed in',
  unknown: 'unknown (credentials file unreadable)',
};

/** Renders the report as text lines. */
export function renderStatus(r: StatusReport, now = Date.now()): string {
  const out: string[] = [];
  const g = r.providers.openai_chatgpt;
  const used = (p: string) => (r.selected_provider === p ? '  [used by kolega run]' : '');
  out.push(`ChatGPT sign-in (openai_chatgpt): ${CHATGPT_STATE[g.state]}${used('openai_chatgpt')}`);
  if (g.method) {
    if (g.email) out.push(`  email:          ${g.email}`);
    if (g.plan) out.push(`  plan:           ${g.plan}`);
    if (g.account_id) out.push(`  account id:     ${g.account_id}`);
    if (g.access_token_expires_at)
      out.push(`  access token:   expires ${formatWhen(Date.parse(g.access_token_expires_at), now)}`);
    if (g.refresh_failure) out.push(`  refresh:        refused by the issuer (${g.refresh_failure})`);
  }
  if (g.fix && r.credentials_file.state !== 'corrupt') out.push(`  fix:            ${g.fix}`);
  const o = r.providers.openai;
  const how =
    o.method === 'env'
      ? `OPENAI_API_KEY from the environment: ${o.key}${o.stored_key ? ` (wins over the stored key ${o.stored_key})` : ''}`
      : o.method === 'store'
        ? `stored key: ${o.key}`
        : 'no API key';
  out.push(`OpenAI API key (openai): ${how}${used('openai')}`);
  if (o.fix && r.credentials_file.state !== 'corrupt') out.push(`  fix:            ${o.fix} (or set OPENAI_API_KEY)`);
  const f = r.credentials_file;
  const fileLine =
    f.state === 'missing'
      ? 'not created yet'
      : f.state === 'ok'
        ? `mode ${f.mode}`
        : `${f.state.toUpperCase()}: ${f.error}`;
  out.push(`Credentials file: ${f.path} (${fileLine})`);
  if (f.state === 'corrupt')
    out.push(
      `  credentials file corrupt: fix it or move it away (mv '${f.path}' '${f.path}.bak'), or remove it: kolega auth logout --all`,
    );
  if (f.mode && (parseInt(f.mode, 8) & 0o077) !== 0)
    out.push(`  warning: readable by other users; fix: chmod 600 '${f.path}'`);
  if (!r.usable && f.state !== 'corrupt' && r.selected_provider === null)
    out.push('Not signed in: run kolega auth login chatgpt, or set OPENAI_API_KEY');
  return out.join('\n') + '\n';
}

/**
 * Runs `kolega auth status`: prints the report, then throws when `run` could not use it.
 * @throws KolegaError(config) `file_corrupt` for a corrupt or unreadable credentials file
 *   (exit 2); KolegaError(auth) `not_signed_in` when the selected provider has no usable
 *   credentials (exit 3). The text report already names the problem and its fix, so there the
 *   error is `alreadyShown` (a second line on stderr would repeat it); the JSON document has no
 *   sentence for a human, so with --json the reporter prints the one line.
 */
export async function executeStatus(opts: { json?: boolean }, ctx: CliContext): Promise<void> {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const report = buildStatusReport(kolegaHome(ctx.env), ctx.env);
  io.out(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderStatus(report));
  const alreadyShown = opts.json !== true;
  const file = report.credentials_file;
  if (file.state === 'corrupt' || file.state === 'unreadable')
    throw new KolegaError('config', 'file_corrupt', `credentials file corrupt: ${file.error}`, { alreadyShown });
  if (!report.usable) {
    const fix = report.selected_provider === 'openai' ? report.providers.openai.fix : 'kolega auth login chatgpt';
    const provider = report.selected_provider ? ` for ${report.selected_provider}` : '';
    throw new KolegaError('auth', 'not_signed_in', `no usable credentials${provider}`, {
      hint: `run: ${fix}`,
      alreadyShown,
    });
  }
}
