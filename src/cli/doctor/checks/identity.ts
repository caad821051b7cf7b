/**
 * The doctor's Codex identity check (README "Models"): which Codex version kolega claims to the
 * ChatGPT backend, and a warning when that version is below the minimum of catalogue models —
 * the server then hides them from the live list and refuses them.
 */
import { CODEX_VERSION_ENV, CODEX_VERSION_SETTING } from '../../../core/auth/constants.js';
import { isKolegaError } from '../../../core/errors.js';
import { CODEX_CATALOGUE } from '../../../core/models/codex-catalogue.js';
import { compareVersions, parseLiveModels } from '../../../core/models/parse.js';
import { readModelsCache } from '../../../core/models/cache.js';
import { claimedCodexVersion } from '../../../core/providers/codex-identity.js';
import { check, type CheckResult } from './types.js';

/** `codex.identity`: the claimed version, its source, and the models it hides. Never throws. */
export function checkCodexIdentity(home: string, env: NodeJS.ProcessEnv): CheckResult {
  const title = 'Codex identity';
  let claimed;
  try {
    claimed = claimedCodexVersion(home, env);
  } catch (err) {
    return check(
      'codex.identity',
      title,
      'config',
      'fail',
      isKolegaError(err) ? err.message : String(err),
      isKolegaError(err) ? err.hint : undefined,
    );
  }
  const known = new Map<string, string>();
  for (const m of parseLiveModels({ models: CODEX_CATALOGUE }))
    if (m.minimal_client_version) known.set(m.slug, m.minimal_client_version);
  // A cached live list fetched with a higher version tells of models the bundled catalogue lacks.
  for (const m of readModelsCache(home)?.models ?? [])
    if (m.minimal_client_version) known.set(m.slug, m.minimal_client_version);
  const hidden = [...known]
    .filter(([, min]) => compareVersions(claimed.version, min) < 0)
    .map(([slug, min]) => `${slug} (needs ${min})`);
  const from =
    claimed.source === 'env'
      ? ` from ${CODEX_VERSION_ENV}`
      : claimed.source === 'setting'
        ? ` from the ${CODEX_VERSION_SETTING} setting`
        : '';
  const details = { version: claimed.version, source: claimed.source, hidden_models: hidden };
  const message = `claims Codex ${claimed.version}${from} to the ChatGPT backend`;
  if (hidden.length === 0) return check('codex.identity', title, 'config', 'ok', message, undefined, details);
  const fix =
    claimed.source === 'env'
      ? `unset ${CODEX_VERSION_ENV}`
      : claimed.source === 'setting'
        ? `kolega config unset ${CODEX_VERSION_SETTING}`
        : 'update kolega';
  return check(
    'codex.identity',
    title,
    'config',
    'warn',
    `${message}; the live catalogue hides ${hidden.length} model(s) at this version: ${hidden.join(', ')}`,
    fix,
    details,
  );
}
