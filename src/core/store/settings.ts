/**
 * The settings file (`settings.json`, no secrets): the saved default `provider`, `model`,
 * `effort`, `codex_version`, `transport` and `sandbox_masked_paths`. Unknown keys are kept and
 * ignored; a known key whose value has the wrong JSON type is an error naming the file and the key.
 */
import { KolegaError } from '../errors.js';
import { readJsonObject, writeJsonAtomic } from './json-file.js';
import { settingsPath } from './paths.js';
import { withFileLock } from './lock.js';

/** Saved defaults. Values are not validated here: a stale value self-heals at resolution time. */
export interface Settings {
  provider?: string;
  model?: string;
  effort?: string;
  [key: string]: unknown;
}

import { SETTING_TYPES, SETTING_KEYS } from './setting-keys.js';

/** The JSON type name of `value` (`null` and `array` told apart from `object`). */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Reads the settings of `home` (`{}` when missing).
 * @param opts.unchecked skip the type check (for `kolega config set/unset`, which must be able to
 *   replace or remove a value of the wrong type)
 * @throws KolegaError(config, `file_corrupt`) when the file is not a JSON object;
 *   KolegaError(config, `setting_wrong_type`) naming the file and the key when a known setting's
 *   value is not of the type in SETTING_TYPES.
 */
export function readSettings(home: string, opts: { unchecked?: boolean } = {}): Settings {
  const file = settingsPath(home);
  const settings = (readJsonObject(file) ?? {}) as Settings;
  if (opts.unchecked) return settings;
  for (const key of SETTING_KEYS) {
    const value = settings[key];
    if (value === undefined || jsonType(value) === SETTING_TYPES[key]) continue;
    throw new KolegaError(
      'config',
      'setting_wrong_type',
      `${file}: the setting "${key}" must be a ${SETTING_TYPES[key]}, not ${jsonType(value) === 'array' || jsonType(value) === 'object' ? 'an' : 'a'} ${jsonType(value)}`,
      { hint: `fix the file, or run: kolega config unset ${key}` },
    );
  }
  return settings;
}

/**
 * Atomically replaces the settings of `home` (mode 0600; the directory is created 0700).
 * @throws KolegaError(config) on I/O errors.
 */
export function writeSettings(home: string, settings: Settings): void {
  writeJsonAtomic(settingsPath(home), settings, 0o600);
}

/**
 * Read -> change -> write of the settings under a cross-process lock (re-read after taking it), so
 * concurrent writers never lose each other's keys and a reader never sees partial content.
 * @param mutate gets the current settings and returns the new ones
 * @returns the settings as written
 * @throws KolegaError(config) for a corrupt file (never overwritten) or I/O errors
 */
export function updateSettings(
  home: string,
  mutate: (current: Settings) => Settings,
  signal?: AbortSignal,
): Promise<Settings> {
  return withFileLock(
    settingsPath(home),
    () => {
      const next = mutate(readSettings(home, { unchecked: true }));
      writeSettings(home, next);
      return next;
    },
    signal,
  );
}
