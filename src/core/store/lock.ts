/**
 * A cross-process lock around read -> change -> write of the credentials file (docs/design.md "Stored
 * state"; docs/protocol.md §d.5 recommendation). Uses proper-lockfile: an atomic `mkdir` of
 * `credentials.json.lock` in KOLEGA_HOME, refreshed while held, considered stale after
 * LOCK_STALE_MS so a crashed holder cannot block others for long. Released on normal exit and on
 * signals (proper-lockfile removes it through signal-exit). proper-lockfile (with graceful-fs,
 * retry and signal-exit) is imported when a lock is first taken: most runs never write the store,
 * and importing it cost ~12 ms of every start-up.
 */
import { KolegaError } from '../errors.js';
import path from 'node:path';
import { ensureHome, credentialsPath } from './paths.js';

/** A lock not updated for this long is stale and may be taken over (ms). */
export const LOCK_STALE_MS = 10_000;

/** Longest wait for the lock before giving up (ms). */
export const LOCK_WAIT_MS = 45_000;

/**
 * Runs `fn` while holding the credentials lock of `home` (creating `home` 0700 when missing).
 * Callers must re-read the file inside `fn`: another process may have changed it meanwhile.
 * @returns what `fn` returns
 * @throws KolegaError(config, `lock_timeout`) when the lock cannot be taken within LOCK_WAIT_MS;
 *   KolegaError(interrupted) when `signal` aborts while waiting; whatever `fn` throws.
 */
export function withCredentialsLock<T>(home: string, fn: () => Promise<T> | T, signal?: AbortSignal): Promise<T> {
  return withFileLock(credentialsPath(home), fn, signal);
}

/**
 * Runs `fn` while holding the lock of `file` (the directory `${file}.lock`, next to it; the parent
 * directory is created 0700 when missing). Same contract as `withCredentialsLock`.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T> | T, signal?: AbortSignal): Promise<T> {
  ensureHome(path.dirname(file));
  const lockPath = file + '.lock';
  const started = Date.now();
  let release: (() => Promise<void>) | undefined;
  let delay = 20;
  const { default: lockfile } = await import('proper-lockfile');
  while (!release) {
    if (signal?.aborted)
      throw new KolegaError('interrupted', 'interrupted', `interrupted while waiting for ${lockPath}`);
    try {
      release = await lockfile.lock(file, {
        realpath: false,
        lockfilePath: lockPath,
        stale: LOCK_STALE_MS,
        update: LOCK_STALE_MS / 2,
        retries: 0,
        // Losing the lock (e.g. the machine slept) must never crash the process; the atomic write
        // still keeps the file whole.
        onCompromised: () => undefined,
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new KolegaError('config', 'lock_failed', `cannot lock ${file}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (Date.now() - started > LOCK_WAIT_MS) {
        throw new KolegaError('config', 'lock_timeout', `another kolega process has held ${lockPath} for too long`, {
          hint: 'retry; if no other kolega is running, remove that directory',
        });
      }
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
      delay = Math.min(250, Math.round(delay * 1.5));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
