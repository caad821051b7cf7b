/**
 * SIGINT/SIGTERM during a run: the first aborts the request (partial output is flushed by the
 * renderer and the run exits 130); a second one exits at once.
 */
import { KolegaError } from '../../core/errors.js';

/** Installs the handlers; @returns a function that removes them. */
export function installSignalHandlers(controller: AbortController): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count > 1) process.exit(130);
    controller.abort(new KolegaError('interrupted', 'interrupted', `interrupted by ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
