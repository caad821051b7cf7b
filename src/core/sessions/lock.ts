/**
 * One writer per session: a run holds the session's lock (proper-lockfile: an atomic `mkdir` of
 * `<id>.jsonl.lock` next to the file, refreshed every second while held, stale after 5 s so a killed holder
 * blocks nobody for long, less than the wait below) from before it reads the history until its last record is written. A
 * second run waits a bounded time, then gives up with a usage error that suggests `--fork`: two
 * conversations must never interleave in one file.
 */
import lockfile from 'proper-lockfile';
import { KolegaError } from '../errors.js';

/** How long a run waits for a session another run holds (ms). */
export const SESSION_LOCK_WAIT_MS = 8_000;

/** A lock not refreshed for this long is stale and may be taken over (ms). */
const STALE_MS = 5_000;

/** Releases a held lock (idempotent, never throws). */
export type ReleaseLock = () => Promise<void>;

/**
 * Takes the lock of session file `file`.
 * @param id the session id, for the message
 * @param waitMs longest wait (default SESSION_LOCK_WAIT_MS)
 * @throws KolegaError(usage, `session_busy`) when another run holds it past `waitMs`;
 *   KolegaError(interrupted) when `signal` aborts; KolegaError(config, `lock_failed`) on a disk error
 */
export async function lockSession(
  file: string,
  id: string,
  signal?: AbortSignal,
  waitMs = SESSION_LOCK_WAIT_MS,
): Promise<ReleaseLock> {
  const started = Date.now();
  let delay = 25;
  for (;;) {
    if (signal?.aborted)
      throw new KolegaError('interrupted', 'interrupted', `interrupted while waiting for session ${id}`);
    try {
      const release = await lockfile.lock(file, {
        realpath: false,
        lockfilePath: file + '.lock',
        stale: STALE_MS,
        update: 1_000,
        retries: 0,
        onCompromised: () => undefined,
      });
      let done = false;
      return async () => {
        if (done) return;
        done = true;
        await release().catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new KolegaError('config', 'lock_failed', `cannot lock ${file}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (Date.now() - started >= waitMs) {
        throw new KolegaError(
          'usage',
          'session_busy',
          `session ${id} is in use by another kolega run (waited ${Math.round(waitMs / 1000)} s)`,
          {
            hint: `wait for that run to finish, or branch off with: kolega run --fork ${id} ...`,
          },
        );
      }
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
      delay = Math.min(250, Math.round(delay * 1.5));
    }
  }
}

/** True when another process holds the lock of `file` right now (a run is appending to it). */
export async function isSessionLocked(file: string): Promise<boolean> {
  try {
    return await lockfile.check(file, { realpath: false, lockfilePath: file + '.lock', stale: STALE_MS });
  } catch {
    return false;
  }
}
