/**
 * The settings file (`settings.json`, no secrets): the saved default `provider`, `model` and
 * `effort`. Unknown keys are kept and ignored.
 */
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

/**
 * Read -> change -> write of the settings under a cross-process lock (re-read after taking it), so
 * concurrent writers never lose each other's keys and a reader never sees partial content.
 * @param mutate gets the current settings and returns the new ones
 * @returns the settings as written
 * @throws KolegaError(config) for a corrupt file (never overwritten) or I/O errors
 */
export function updateSettings(home: string, mutate: (current: Settings) => Settings, signal?: AbortSignal): Promise<Settings> {
  return withFileLock(
    settingsPath(home),
    () => {
      const next = mutate(readSettings(home));
      writeSettings(home, next);
      return next;
    },
    signal,
  );
}
