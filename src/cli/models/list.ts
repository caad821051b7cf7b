/**
 * The work of `kolega models`: load the catalogue, then print a table (TTY), one
 * `provider/model` per line (piped) or one JSON document (`--json`, schema/models.schema.json).
 */
import { usageError } from '../../core/errors.js';
import { loadCatalogue, type CatalogueEntry } from '../../core/models/catalogue.js';
import { isProviderId, PROVIDER_IDS, type ProviderId } from '../../core/models/bundled.js';
import { providersWithCredentials, selectModel } from '../../core/providers/select.js';
import { kolegaHome } from '../../core/store/paths.js';
import type { ModelsOptions } from '../commands/models.js';
import type { CliContext } from '../context.js';
import { IO } from '../io.js';

/** The `--json` document (schema/models.schema.json). */
export interface ModelsDocument {
  schema_version: 1;
  /** What `kolega run` would use now with no -m (settings and KOLEGA_MODEL applied); null when not signed in. */
  default_model: string | null;
  providers: { id: ProviderId; has_credentials: boolean; source: 'bundled' | 'live' }[];
  models: CatalogueEntry[];
}

const fmtTokens = (n: number | null): string => (n === null ? '-' : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));

/**
 * Renders the terminal table: `*` marks each provider's default, `>` what `run` would use; SOURCE
 * is `live`, `bundled`, or `legacy` for a model the current catalogue no longer lists.
 */
export function renderModelsTable(doc: ModelsDocument): string {
  const rows = doc.models.map((m) => {
    const name = `${m.provider}/${m.id}`;
    // Two columns, so the model in use keeps its default mark too.
    const mark = `${name === doc.default_model ? '>' : ' '}${m.is_default ? '*' : ' '}`;
    const efforts = m.efforts.map((e) => (e === m.default_effort ? `${e}*` : e)).join(' ');
    return [
      mark,
      name,
      m.label,
      fmtTokens(m.context_window),
      fmtTokens(m.max_output_tokens),
      efforts,
      m.in_catalogue ? m.source : 'legacy',
    ];
  });
  const header = [' ', 'MODEL', 'LABEL', 'CONTEXT', 'MAX OUT', 'EFFORTS (* default)', 'SOURCE'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  const creds = doc.providers
    .map((p) => `${p.id} (${p.has_credentials ? 'credentials present' : 'no credentials'})`)
    .join(', ');
  lines.push('', `* provider default${doc.default_model ? `   > used by kolega run: ${doc.default_model}` : ''}`);
  if (doc.models.some((m) => !m.in_catalogue))
    lines.push('legacy: no longer in the current Codex catalogue; still usable with -m');
  lines.push(`providers: ${creds}`);
  return lines.join('\n') + '\n';
}

/**
 * Runs `kolega models`.
 * @throws KolegaError(usage) for an unknown --provider; KolegaError(config) for corrupt files.
 */
export async function listModels(opts: ModelsOptions, ctx: CliContext): Promise<void> {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  if (opts.provider !== undefined && !isProviderId(opts.provider)) {
    throw usageError('unknown_provider', `unknown provider "${opts.provider}"`, `valid: ${PROVIDER_IDS.join(', ')}`);
  }
  const providers: ProviderId[] = opts.provider ? [opts.provider as ProviderId] : [...PROVIDER_IDS];
  const home = kolegaHome(ctx.env);
  const cat = await loadCatalogue({ home, env: ctx.env, providers, refresh: opts.refresh, debug: (l) => io.debug(l) });
  for (const note of cat.notes) io.warn(`kolega: ${note}`);
  const withCreds = providersWithCredentials(home, ctx.env);
  let defaultModel: string | null = null;
  try {
    const sel = selectModel({ home, env: ctx.env });
    defaultModel = `${sel.provider}/${sel.model.id}`;
  } catch {
    defaultModel = null;
  }
  const doc: ModelsDocument = {
    schema_version: 1,
    default_model: defaultModel,
    providers: providers.map((id) => ({
      id,
      has_credentials: withCreds.includes(id),
      source: cat.entries.some((e) => e.provider === id && e.source === 'live') ? 'live' : 'bundled',
    })),
    models: cat.entries,
  };
  if (opts.json) io.out(JSON.stringify(doc, null, 2) + '\n');
  else if (io.stdoutIsTTY) io.out(renderModelsTable(doc));
  else io.out(doc.models.map((m) => `${m.provider}/${m.id}\n`).join(''));
}
