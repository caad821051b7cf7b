/**
 * SIGINT/SIGTERM for the whole process, counted across the run:
 * - the 1st aborts the command's request (partial output is flushed by the renderer and the run
 *   exits 130 once critical work is done, see ./main.ts); with no command to abort it exits
 *   130 at once, or after the critical work in flight;
 * - the 2nd exits 130 at once when nothing critical is in flight, else says on stderr what kolega
 *   waits for (a rotated refresh token or a new sign-in being stored: ../../core/critical.ts);
 * - the 3rd exits 130 at once, whatever is in flight.
 * A late signal after the command is over (e.g. the second of a quick double Ctrl-C, arriving while
 * output is flushed) also exits 130 instead of killing the process by the signal.
 */
import { criticalWork, whenCriticalDone } from '../core/critical.js';
import { KolegaError } from '../core/errors.js';
import { EXIT_CODES } from './exit.js';

/** Exit status for an interrupted run (docs/design.md "Exit status"). */
const EXIT_INTERRUPTED = EXIT_CODES.interrupted;

/** Longest wait for critical work once kolega has been told to stop, in ms. */
export const CRITICAL_EXIT_WAIT_MS = 10_000;

let count = 0;
let installed = false;
let current: AbortController | undefined;
/** A command has said it will route signals to its own controller once its module has loaded. */
let expecting = false;
/** The first signal, kept while `expecting` for the command's controller. */
let early: NodeJS.Signals | undefined;
let say: (line: string) => void = (line) => {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // stderr closed: nothing more to say
  }
};

const exitNow = () => process.exit(EXIT_INTERRUPTED);

function onSignal(signal: NodeJS.Signals): void {
  count++;
  if (count === 1 && current && !current.signal.aborted) {
    current.abort(new KolegaError('interrupted', 'interrupted', `interrupted by ${signal}`));
    return;
  }
  if (count === 1 && !current && expecting) {
    early = signal; // the command aborts its controller at once when it installs it
    return;
  }
  const pending = criticalWork();
  if (pending.length === 0 || count >= 3) exitNow();
  if (count === 2) {
    say(
      `kolega: waiting up to ${CRITICAL_EXIT_WAIT_MS / 1000}s for ${pending.join(' and ')}; interrupt again to exit now (a new sign-in may then be needed)`,
    );
    return;
  }
  // The first signal with nothing to abort (the command is already over or never listens):
  // exit as soon as the critical work is done. A command still unwinding exits on its own.
  if (!current) void whenCriticalDone(CRITICAL_EXIT_WAIT_MS).then(exitNow);
}

/** Installs the process-wide handlers once (idempotent). */
export function installProcessSignals(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Says that the command about to run routes signals to its own controller (installSignalHandlers)
 * once its lazily imported module has loaded: a first signal before then is kept for that controller
 * instead of exiting, so the command still ends its output as promised (`run --json`'s terminal
 * turn.failed line). A second signal still exits.
 */
export function expectSignalHandlers(): void {
  installProcessSignals();
  expecting = true;
}

/**
 * Routes the first signal to `controller` (aborted at once when it came already, see
 * expectSignalHandlers) (installing the process-wide handlers when needed).
 * @param notify where the "waiting for ..." line goes (default: stderr)
 * @returns a function to call when the command is over: later signals follow the rules above
 */
export function installSignalHandlers(controller: AbortController, notify?: (line: string) => void): () => void {
  installProcessSignals();
  current = controller;
  expecting = false;
  if (early !== undefined && count === 1)
    controller.abort(new KolegaError('interrupted', 'interrupted', `interrupted by ${early}`));
  early = undefined;
  if (notify) say = notify;
  return () => {
    if (current === controller) current = undefined;
  };
}
