/**
 * The only place that turns failures into exit statuses and the one-line error message
 * (docs/design.md "Exit status"), so a status never depends on which command failed. Commands
 * return nothing on success and throw on failure; `main` hands what they threw to `reportError`.
 */
import { CommanderError } from 'commander';
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
  // Like SIGPIPE in a shell (128 + 13).
  stdout_closed: 141,
};

/** Exit status of a command that ended without an error. */
export const EXIT_OK = 0;

/**
 * The exit status for `err`: its exit class's (EXIT_CODES); for commander's own exits (help,
 * version, a parse error) 0 when help or the version was asked for, else usage; 1 for anything else.
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    const asked =
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      // help shown because something was missing (`kolega config` alone) is a usage error
      (err.code === 'commander.help' && err.exitCode === EXIT_OK);
    return asked ? EXIT_OK : EXIT_CODES.usage;
  }
  return isKolegaError(err) ? EXIT_CODES[err.exitClass] : EXIT_CODES.internal;
}

/**
 * Reports `err` and returns its exit status (exitCodeFor). On stderr: the one-line message plus
 * its hint; nothing for an error the output already showed (`alreadyShown`, commander's own
 * messages) or for a closed stdout; `kolega: interrupted` for a signal; for a bug, a second line
 * asking for a report.
 */
export function reportError(io: IO, err: unknown): number {
  const code = exitCodeFor(err);
  if (err instanceof CommanderError) return code;
  if (isKolegaError(err)) {
    if (err.alreadyShown || err.exitClass === 'stdout_closed') {
      const cause = (err as { cause?: unknown }).cause;
      if (io.debugEnabled && cause instanceof Error && cause.stack) io.debug(cause.stack);
      return code;
    }
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
 * The exit status once stdout's write error `err` (if any) is taken into account, reporting it: a
 * closed pipe (EPIPE) stays quiet and turns a success into 141 (output was cut); any other error
 * (ENOSPC, EIO, ...) lost requested output, so it gets one line on stderr and status 1, unless the
 * command already failed with a status of its own (a stop because stdout was lost does not count).
 */
export function statusAfterStdoutError(io: IO, code: number, err: NodeJS.ErrnoException | undefined): number {
  if (!err) return code;
  if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED')
    return code === EXIT_OK ? EXIT_CODES.stdout_closed : code;
  io.err(`kolega: ${stdoutErrorMessage(err)}`);
  return code === EXIT_OK || code === EXIT_CODES.stdout_closed ? EXIT_CODES.internal : code;
}

/**
 * The message for a failed write to stdout, e.g. `cannot write to stdout (ENOSPC: no space left on
 * device): free space or redirect the output elsewhere`. bin/kolega words its own (--version, help)
 * the same way.
 */
export function stdoutErrorMessage(err: NodeJS.ErrnoException): string {
  // System errors read `ENOSPC: no space left on device, write`: keep code and description.
  const what = printable(String(err.message ?? err.code ?? err).split(', ')[0]!);
  const full = err.code && !what.startsWith(err.code) ? `${err.code}: ${what}` : what;
  const advice =
    err.code === 'ENOSPC' || err.code === 'EDQUOT'
      ? 'free space or redirect the output elsewhere'
      : 'redirect the output elsewhere';
  return `cannot write to stdout (${full}): ${advice}`;
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
