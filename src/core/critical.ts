/**
 * Work that must finish before the process exits, whatever interrupts the run.
 *
 * Refresh tokens rotate: once the issuer has answered a refresh, the old refresh token is dead, so
 * an answer that is read but never stored logs the user out. The same holds for a sign-in once its
 * authorization code has been exchanged. Such work registers here from the moment its request is
 * sent until its result is stored; the CLI's exit path (signals, closed stdout, --timeout) waits for
 * it, bounded, before exiting. The registry is process-wide because exiting is.
 *
 * Core never exits the process: it only records what is in flight and lets the CLI wait for it.
 */
import { KolegaError } from './errors.js';

const inFlight = new Map<number, string>();
const idleWaiters = new Set<() => void>();
let nextId = 0;

/**
 * Marks the start of critical work described by `what` (a phrase such as "storing the renewed
 * ChatGPT credentials", shown to a user who presses Ctrl-C twice).
 * @returns the function that marks its end; calling it more than once is harmless
 */
export function beginCritical(what: string): () => void {
  const id = nextId++;
  inFlight.set(id, what);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    inFlight.delete(id);
    if (inFlight.size === 0) for (const wake of [...idleWaiters]) wake();
  };
}

/**
 * Runs `work` as critical work described by `what` (see beginCritical).
 * @returns what `work` returns; @throws what it throws
 */
export async function critical<T>(what: string, work: () => Promise<T>): Promise<T> {
  const end = beginCritical(what);
  try {
    return await work();
  } finally {
    end();
  }
}

/** Descriptions of the critical work in flight now, without duplicates (empty when none). */
export function criticalWork(): string[] {
  return [...new Set(inFlight.values())];
}

/**
 * Waits until no critical work is in flight (work registered while waiting counts too), at most
 * `timeoutMs` milliseconds.
 * @returns true when everything finished, false when the bound was reached first
 */
export function whenCriticalDone(timeoutMs: number): Promise<boolean> {
  if (inFlight.size === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      idleWaiters.delete(wake);
      resolve(ok);
    };
    const wake = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    idleWaiters.add(wake);
  });
}

/**
 * Settles like `work`, or rejects with the abort reason of `signal` as soon as it aborts — while
 * `work` itself goes on (it is meant to be critical work the exit path waits for). A later
 * rejection of `work` is then ignored rather than left unhandled.
 * @throws the signal's reason when it is a KolegaError, else KolegaError(interrupted)
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  work.catch(() => undefined);
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The abort reason of `signal` when it is a KolegaError (kolega aborts with one), else KolegaError(interrupted). */
export function abortReason(signal: AbortSignal): KolegaError {
  return signal.reason instanceof KolegaError
    ? signal.reason
    : new KolegaError('interrupted', 'interrupted', 'interrupted');
}
