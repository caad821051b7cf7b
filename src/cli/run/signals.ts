/**
 * SIGINT/SIGTERM during a run: the first aborts the request (partial output is flushed by the
 * renderer and the run exits 130); a second one exits at once with 130. Once the run is over, a
 * late signal (e.g. the second of a quick double Ctrl-C, arriving while output is flushed) still
 * exits 130 at once instead of killing the process by the signal.
 */
import { KolegaError } from '../../core/errors.js';

/** Exit status for an interrupted run (docs/design.md "Exit status"). */
const EXIT_INTERRUPTED = 130;

/**
 * Installs the handlers.
 * @returns a function to call when the run is over: it leaves only the "exit 130 at once" handler
 */
export function installSignalHandlers(controller: AbortController): () => void {
  let count = 0;
  const exitNow = () => process.exit(EXIT_INTERRUPTED);
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count > 1) exitNow();
    controller.abort(new KolegaError('interrupted', 'interrupted', `interrupted by ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    if (count > 0) {
      process.once('SIGINT', exitNow);
      process.once('SIGTERM', exitNow);
    }
  };
}
