/**
 * Where kolega keeps its state (docs/design.md "Stored state"): `KOLEGA_HOME` when set, else conf's
 * per-user config directory for project `kolega` with no `-nodejs` suffix (env-paths, as conf uses).
 */
import { mkdirSync, statSync, chmodSync } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import { KolegaError } from '../errors.js';

/** The state directory (absolute path). Does not create it. */
export function kolegaHome(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.KOLEGA_HOME;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return envPaths('kolega', { suffix: '' }).config;
}

/** Path of the credentials file (mode 0600) inside `home`. */
export function credentialsPath(home: string): string {
  return path.join(home, 'credentials.json');
}

/** Path of the settings file (no secrets) inside `home`. */
export function settingsPath(home: string): string {
  return path.join(home, 'settings.json');
}

/**
 * Creates `home` with mode 0700 when missing (chmod after mkdir: the umask must not widen it).
 * @throws KolegaError(config) when it exists but is not a directory or cannot be created.
 */
export function ensureHome(home: string): void {
  try {
    const st = statSync(home);
    if (!st.isDirectory()) {
      throw new KolegaError('config', 'home_not_directory', `${home} is not a directory`, {
        hint: 'point KOLEGA_HOME at a directory',
      });
    }
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof KolegaError) throw err;
      throw new KolegaError('config', 'home_unreadable', `cannot read ${home}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    chmodSync(home, 0o700);
  } catch (err) {
    throw new KolegaError('config', 'home_create_failed', `cannot create ${home}: ${(err as Error).message}`, {
      hint: 'set KOLEGA_HOME to a writable directory',
      cause: err,
    });
  }
}
