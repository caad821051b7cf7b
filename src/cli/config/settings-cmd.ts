/**
 * The work of `kolega config`: read and change settings.json through the store (atomic writes in
 * `core/store/settings.ts`), validating values on `set` so a typo exits 2 instead of being saved
 * (models: the bundled catalogue plus the live list cached by `kolega models`).
 */
import { KolegaError, usageError } from '../../core/errors.js';
import { BUNDLED, knownModels, type KnownModels } from '../../core/models/known.js';
import { ALL_EFFORTS, isProviderId, MODELS, PROVIDER_IDS } from '../../core/models/bundled.js';
import { parseModelName } from '../../core/providers/select.js';
import { isCodexVersion } from '../../core/providers/codex-identity.js';
import { CODEX_CLIENT_VERSION } from '../../core/auth/constants.js';
import { parseMaskedSetting } from '../../core/tools/masked-paths.js';
import { settingsPath, kolegaHome } from '../../core/store/paths.js';
import { readSettings, writeSettings } from '../../core/store/settings.js';
import { CONFIG_KEYS, type ConfigKey } from '../commands/config.js';
import { isTransportMode, TRANSPORT_MODES } from '../../core/responses/transport.js';
import type { CliContext } from '../context.js';
import { IO } from '../io.js';

function ioOf(ctx: CliContext): IO {
  return ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
}

function checkKey(key: string): ConfigKey {
  if (!(CONFIG_KEYS as readonly string[]).includes(key))
    throw usageError('unknown_setting', `unknown setting "${key}"`, `valid: ${CONFIG_KEYS.join(', ')}`);
  return key as ConfigKey;
}

/**
 * Checks a value for `key`.
 * @returns the value to store
 * @throws KolegaError(usage) naming the valid values.
 */
export function validateSetting(key: ConfigKey, value: string, known: KnownModels = BUNDLED): string {
  const v = value.trim();
  if (v === '')
    throw usageError('empty_value', `the value for ${key} is empty`, `to remove it: kolega config unset ${key}`);
  if (key === 'provider') {
    if (!isProviderId(v))
      throw usageError('unknown_provider', `unknown provider "${v}"`, `valid: ${PROVIDER_IDS.join(', ')}`);
    return v;
  }
  if (key === 'model') {
    parseModelName(v, undefined, known);
    return v;
  }
  if (key === 'codex_version') {
    if (!isCodexVersion(v))
      throw usageError(
        'bad_codex_version',
        `"${v}" is not a version like ${CODEX_CLIENT_VERSION}`,
        'give three numbers, e.g. ' + CODEX_CLIENT_VERSION,
      );
    return v;
  }
  if (key === 'sandbox_masked_paths') {
    const { bad } = parseMaskedSetting(v, '/');
    if (bad.length > 0)
      throw usageError(
        'bad_masked_path',
        `not an absolute path or ~/...: ${bad.join(', ')}`,
        "separate paths with ':', e.g. '~/.secret:/opt/creds'",
      );
    return v;
  }
  if (key === 'transport') {
    if (!isTransportMode(v))
      throw usageError('bad_transport', `unknown transport "${v}"`, `valid: ${TRANSPORT_MODES.join(', ')}`);
    return v;
  }
  const offered = new Set(MODELS.flatMap((m) => m.efforts));
  if (!offered.has(v)) {
    const known = (ALL_EFFORTS as readonly string[]).includes(v);
    throw new KolegaError(
      'usage',
      'bad_effort',
      `${known ? '' : 'unknown '}effort "${v}"${known ? ' is not offered by any model' : ''}`,
      {
        hint: `valid: ${[...offered].join(', ')}`,
      },
    );
  }
  return v;
}

/** `config get KEY`: prints the saved value, or nothing when unset. */
export function configGet(ctx: CliContext, key: string): void {
  const k = checkKey(key);
  const value = readSettings(kolegaHome(ctx.env))[k];
  if (typeof value === 'string') ioOf(ctx).out(value + '\n');
}

/** `config set KEY VALUE`: validates and saves. */
export function configSet(ctx: CliContext, key: string, value: string): void {
  const k = checkKey(key);
  const home = kolegaHome(ctx.env);
  const v = validateSetting(k, value, knownModels(home, ctx.env));
  const settings = readSettings(home, { unchecked: true });
  settings[k] = v;
  writeSettings(home, settings);
}

/** `config unset KEY`: removes the key (no error when it was not set). */
export function configUnset(ctx: CliContext, key: string): void {
  const k = checkKey(key);
  const home = kolegaHome(ctx.env);
  const settings = readSettings(home, { unchecked: true });
  if (k in settings) {
    delete settings[k];
    writeSettings(home, settings);
  }
}

/** `config list [--json]`: the managed keys that are set. */
export function configList(ctx: CliContext, json: boolean): void {
  const home = kolegaHome(ctx.env);
  const settings = readSettings(home);
  const known: Partial<Record<ConfigKey, string>> = {};
  for (const k of CONFIG_KEYS) if (typeof settings[k] === 'string') known[k] = settings[k] as string;
  const io = ioOf(ctx);
  if (json) io.out(JSON.stringify({ path: settingsPath(home), settings: known }, null, 2) + '\n');
  else
    io.out(
      Object.entries(known)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
}

/** `config path`: the settings file path (whether or not it exists). */
export function configPath(ctx: CliContext): void {
  ioOf(ctx).out(settingsPath(kolegaHome(ctx.env)) + '\n');
}
