/**
 * The one IO object (after GitHub CLI's iostreams,
 * https://github.com/cli/cli/tree/trunk/pkg/iostreams): owns stdout/stderr, TTY detection, colour (NO_COLOR, FORCE_COLOR,
 * --no-color) and debug output. Renderers and commands never look at `process.stdout` directly;
 * tests construct an IO with buffers.
 */
import { redact } from '../core/redact.js';

/** A writable the IO can use (process.stdout or a test buffer). */
export interface Writable {
  write(chunk: string): boolean;
  on?(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  isTTY?: boolean;
}

/** Flags that shape diagnostics. */
export interface IOOptions {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  debug?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  noColor?: boolean;
}

/** Output channels of one invocation. */
export class IO {
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Whether stderr may carry ANSI colour. */
  readonly color: boolean;
  readonly debugEnabled: boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** Set once stdout can take no more output: closed by the reader (EPIPE) or a failed write. */
  stdoutClosed = false;
  /**
   * The first write error on stdout other than a closed pipe (ENOSPC, EIO, ...); exit.ts reports it
   * and turns the status into a failure, since the requested output was lost.
   */
  stdoutError: NodeJS.ErrnoException | undefined;
  private onClosed: (() => void) | undefined;
  private lastOutChar = '\n';
  /**
   * Stdout output not yet written: everything produced while handling one network read (the
   * events of one body chunk) goes out in one `write` in the same event-loop turn (setImmediate),
   * or earlier when anything goes to stderr or the process exits (`flush`). It never waits for a
   * later read or a timer. One syscall per chunk instead of one per event cut the CPU of a
   * 100,000-delta run, reader included, by more than half (README "Performance"). Only for the process's own
   * stdout; injected streams (tests) get every write immediately.
   */
  private pending: string[] | undefined;
  private readonly coalesce: boolean;

  constructor(private readonly opts: IOOptions) {
    this.stdoutIsTTY = opts.stdout.isTTY === true;
    this.stderrIsTTY = opts.stderr.isTTY === true;
    this.color = decideColor(opts.env, this.stderrIsTTY, opts.noColor === true);
    this.debugEnabled = opts.debug === true || opts.env.KOLEGA_DEBUG === '1';
    this.verbose = opts.verbose === true;
    this.quiet = opts.quiet === true;
    this.coalesce = opts.stdout === process.stdout;
    opts.stdout.on?.('error', (err) => this.handleStdoutError(err));
    opts.stderr.on?.('error', () => undefined); // a closed stderr must never crash the run: stdout may still be read
  }

  /** Calls `fn` once when stdout can take no more output (EPIPE, or any other write error). */
  onStdoutClosed(fn: () => void): void {
    this.onClosed = fn;
  }

  private handleStdoutError(err: NodeJS.ErrnoException): void {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      if (!this.stdoutClosed) {
        this.stdoutClosed = true;
        this.onClosed?.();
      }
      return;
    }
    // Never rethrown: an exception from this listener would end the process with a stack trace.
    this.stdoutError ??= err;
    if (!this.stdoutClosed) {
      this.stdoutClosed = true;
      this.onClosed?.();
    }
  }

  /** Writes requested output to stdout (no-op after EPIPE). */
  out(text: string): void {
    if (this.stdoutClosed || text === '') return;
    this.lastOutChar = text[text.length - 1]!;
    if (!this.coalesce) {
      this.write(text);
      return;
    }
    if (this.pending) {
      this.pending.push(text);
      return;
    }
    this.pending = [text];
    setImmediate(() => this.flush());
  }

  /** Writes pending stdout output now (before stderr output, at the end of each loop turn, at exit). */
  flush(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    if (!this.stdoutClosed) this.write(pending.length === 1 ? pending[0]! : pending.join(''));
  }

  private write(text: string): void {
    try {
      this.opts.stdout.write(text);
    } catch (err) {
      this.handleStdoutError(err as NodeJS.ErrnoException);
    }
  }

  /** True when the last byte written to stdout was a newline (or nothing was written). */
  get stdoutAtLineStart(): boolean {
    return this.lastOutChar === '\n';
  }

  /** Writes a line to stderr unconditionally (errors). */
  err(line: string): void {
    this.flush();
    try {
      this.opts.stderr.write(line.endsWith('\n') ? line : line + '\n');
    } catch {
      // stderr closed: nothing more to say
    }
  }

  /** A warning or notice: stderr unless --quiet. */
  warn(line: string): void {
    if (!this.quiet) this.err(line);
  }

  /** Progress and activity: only when stderr is a TTY or --verbose, never with --quiet. */
  get showProgress(): boolean {
    return !this.quiet && (this.stderrIsTTY || this.verbose);
  }

  /**
   * Whether an animated spinner may run on stderr: a terminal, progress shown, colour allowed
   * (NO_COLOR or --no-color mean no escape sequences at all, the spinner's cursor and line control
   * included) and a terminal that can move the cursor (not TERM=dumb).
   */
  get animations(): boolean {
    return this.showProgress && this.stderrIsTTY && this.color && this.opts.env.TERM !== 'dumb';
  }

  /** Raw stderr write for progress text (no newline added). */
  errRaw(text: string): void {
    this.flush();
    try {
      this.opts.stderr.write(text);
    } catch {
      // ignore
    }
  }

  /** A debug line, redacted, when --debug / KOLEGA_DEBUG=1. */
  debug(line: string): void {
    if (this.debugEnabled) this.err(`[debug] ${redact(line)}`);
  }

  /** The stderr stream, for a spinner. */
  get stderrStream(): Writable {
    this.flush();
    return this.opts.stderr;
  }
}

/**
 * Colour on stderr: off with NO_COLOR (any non-empty value, https://no-color.org) or --no-color,
 * even on a terminal and whatever FORCE_COLOR says; forced with FORCE_COLOR (non-zero); else only on
 * a TTY whose TERM is not `dumb`.
 */
export function decideColor(env: NodeJS.ProcessEnv, isTTY: boolean, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY && env.TERM !== 'dumb';
}
