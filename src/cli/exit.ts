/**
 * The only place that turns failures into exit statuses and the one-line error message
 * (docs/design.md "Exit status"), so a status never depends on which command failed.
 */
import { isKolegaError, KolegaError, type ExitClass } from '../core/errors.js';
import type { IO } from './io.js';

/** Exit status per class (docs/design.md). */
export const EXIT_CODES: Record<ExitClass, number> = {
  internal: 1,
  usage: 2,
  config: 2,
  auth: 3,
  quota: 4,
  upstream: 5,
  network: 6,
  interrupted: 130,
};

/** Exit status when stdout was closed by its reader (`| head`): like SIGPIPE in a shell. */
export const EXIT_STDOUT_CLOSED = 141;

/** The exit status for `err`. */
export function exitCodeFor(err: unknown): number {
  return isKolegaError(err) ? EXIT_CODES[err.exitClass] : 1;
}

/** Prints the one-line message (plus a hint) for `err` on stderr and returns its exit status. */
export function reportError(io: IO, err: unknown): number {
  const code = exitCodeFor(err);
  if (isKolegaError(err)) {
    if (err.exitClass === 'interrupted') {
      io.err('kolega: interrupted');
      return code;
    }
    const hint = err.hint ? ` (${printable(err.hint)})` : '';
    io.err(`kolega: ${printable(err.message)}${hint}`);
    if (err.exitClass === 'internal') io.err('kolega: this is a bug; rerun with --debug and report it');
    const cause = (err as { cause?: unknown }).cause;
    if (io.debugEnabled && cause instanceof Error && cause.stack) io.debug(cause.stack);
  } else {
    const e = err as Error;
    io.err(
      `kolega: unexpected error: ${printable(e?.message ?? String(err))} (this is a bug; rerun with --debug and report it)`,
    );
    if (e?.stack) io.debug(e.stack);
  }
  return code;
}

/**
 * `text` without terminal control characters: C0 (except newline and tab), DEL and C1 become
 * `\xNN`, so a message quoting a file name or server text can neither hide itself nor drive the
 * terminal (NUL, ESC sequences, ...).
 */
export function printable(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

export { KolegaError };
