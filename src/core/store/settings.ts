/**
 * The settings file (`settings.json`, no secrets): the saved default `provider`, `model` and
 * `effort`. Unknown keys are kept and ignored.
 */
import { readJsonObject, writeJsonAtomic } from './json-file.js';
import { settingsPath } from './paths.js';

/** Saved defaults. Values are not validated here: a stale value self-heals at resolution time. */
export interface Settings {
  provider?: string;
  model?: string;
  effort?: string;
  [key: string]: unknown;
}

/**
 * Reads the settings of `home` (`{}` when missing).
 * @throws KolegaError(config, `file_corrupt`) when the file is not a JSON object.
 */
export function readSettings(home: string): Settings {
  return (readJsonObject(settingsPath(home)) ?? {}) as Settings;
}

/**
 * Atomically replaces the settings of `home` (mode 0600; the directory is created 0700).
 * @throws KolegaError(config) on I/O errors.
 */
export function writeSettings(home: string, settings: Settings): void {
  writeJsonAtomic(settingsPath(home), settings, 0o600);
}
