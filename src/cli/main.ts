/**
 * Entry point: builds the commander program (cheap: command files only declare flags; each
 * action imports its work lazily), runs it, and maps the outcome to the exit status in one place.
 */
import { Command } from 'commander';
import { checkCaEnv } from '../core/net/ca-env.js';
import { criticalWork, whenCriticalDone } from '../core/critical.js';
import { kolegaVersion } from '../core/version.js';
import { CRITICAL_EXIT_WAIT_MS, installProcessSignals } from './signals.js';
import { IO } from './io.js';
import { KolegaError } from '../core/errors.js';
import { EXIT_CODES, EXIT_OK, reportError, statusAfterStdoutError } from './exit.js';
import { registerRun } from './commands/run.js';
import { registerAuth } from './commands/auth.js';
import { registerModels } from './commands/models.js';
import { registerConfig } from './commands/config.js';
import { registerDoctor } from './commands/doctor.js';
import { registerCompletion } from './commands/completion.js';
import { registerHelp } from './commands/help.js';
import { registerSessions } from './commands/sessions.js';
import type { CliContext } from './context.js';

/** Commands (`parent name`) whose CA variables are checked before they start (net/ca-env.ts). */
const CHECKS_CA_FIRST: ReadonlySet<string> = new Set(['auth login', 'kolega models']);

/** Builds the program. `ctx.io` is created after global flags are parsed. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('kolega')
    .description('A scriptable command-line client for OpenAI models (ChatGPT sign-in or API key).')
    .version(kolegaVersion(), '-V, --version', 'print the version')
    .option('--debug', 'diagnostics on stderr (tokens and keys redacted); also KOLEGA_DEBUG=1')
    .option('--no-color', 'no ANSI colour on stderr (also NO_COLOR)')
    .option('-q, --quiet', 'no notices or warnings on stderr (errors still print)')
    .showHelpAfterError('(run with --help for usage)')
    // Every subcommand's help also lists --debug, --no-color, -q (inherited by commands added below).
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // Laid out for the streams kolega writes to (commander would ask process.stdout), so the
      // build-time help snapshot (help-snapshot.ts) gets the width a pipe gets.
      getOutHelpWidth: () => terminalWidth(ctx.stdout),
      getErrHelpWidth: () => terminalWidth(ctx.stderr),
      // One prefix for every error line, the parser's included.
      outputError: (s, write) => write(s.startsWith('error: ') ? `kolega: ${s.slice('error: '.length)}` : s),
    })
    .exitOverride();
  program.hook('preAction', (_this, action) => {
    const g = program.opts<{ debug?: boolean; color?: boolean; quiet?: boolean }>();
    const local = action.opts<{ verbose?: boolean }>();
    ctx.io = new IO({
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      env: ctx.env,
      debug: g.debug,
      noColor: g.color === false,
      quiet: g.quiet,
      verbose: local.verbose,
    });
    // A bad CA file fails before the command's first request, not half-way through a sign-in
    // (`run` checks it itself, so that --json still ends with its terminal event).
    const path = `${action.parent?.name() ?? ''} ${action.name()}`.trim();
    if (CHECKS_CA_FIRST.has(path)) checkCaEnv(ctx.env);
  });
  registerRun(program, ctx);
  registerAuth(program, ctx);
  registerModels(program, ctx);
  registerConfig(program, ctx);
  registerSessions(program, ctx);
  registerDoctor(program, ctx);
  registerCompletion(program, ctx);
  registerHelp(program, ctx); // last: it lists the other commands
  describeFromSummary(program);
  pointToTopics(program);
  return program;
}

/** The columns of `stream` when it is a terminal that reports them; otherwise 80 (commander's default). */
function terminalWidth(stream: object): number {
  const s = stream as { isTTY?: boolean; columns?: number };
  return s.isTTY === true && typeof s.columns === 'number' && s.columns > 0 ? s.columns : 80;
}

/** Ends every subcommand's help with where the exit statuses and environment variables are listed. */
function pointToTopics(cmd: Command): void {
  for (const sub of cmd.commands) {
    if (sub.name() !== 'help')
      sub.addHelpText(
        'after',
        'Exit statuses: kolega help exit-codes. Environment variables: kolega help environment.\n',
      );
    pointToTopics(sub);
  }
}

/** Gives every command without a description its summary, so its own --help starts with it. */
function describeFromSummary(cmd: Command): void {
  for (const sub of cmd.commands) {
    if (!sub.description() && sub.summary()) sub.description(sub.summary());
    describeFromSummary(sub);
  }
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit status: commands return
 * nothing on success and throw on failure, and `reportError` (./exit.ts) says what failed and
 * picks the status.
 */
export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  const io = () => ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return reportError(io(), new KolegaError('usage', 'no_command', 'no command given', { alreadyShown: true }));
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    return reportError(io(), err);
  }
}

/**
 * Flushes, waits for bounded critical work and stdout's queued writes, then exits with `code`, or
 * with status 1 and one line on stderr when a write to stdout failed (exit.ts).
 */
async function flushAndExit(
  code: number,
  ctx: CliContext,
  stdoutError: () => NodeJS.ErrnoException | undefined,
): Promise<never> {
  const io = ctx.io;
  io?.flush();
  // A rotated refresh token or a new sign-in still being stored (the run was interrupted, timed
  // out or lost its stdout mid-request): let it finish, bounded, so the user stays signed in.
  const pending = criticalWork();
  if (pending.length > 0) {
    io?.debug(`waiting up to ${CRITICAL_EXIT_WAIT_MS / 1000}s for ${pending.join(' and ')} before exiting`);
    const done = await whenCriticalDone(CRITICAL_EXIT_WAIT_MS);
    io?.debug(done ? 'critical work done; exiting' : 'critical work still running; exiting anyway');
  }
  const out = process.stdout;
  if (out.writableLength > 0 && !out.destroyed) {
    // Wait for the queued writes, not for 'drain': 'drain' is emitted only after a write() returned
    // false, so with a little output pending (< highWaterMark) it never came, the event loop
    // emptied and the beforeExit safety net reported an internal error (exit 1, output cut) when
    // stdout's reader was slower than kolega. An empty write's callback runs after all earlier ones.
    await new Promise<void>((resolve) => {
      out.once('error', () => resolve());
      out.once('close', () => resolve());
      out.write('', () => resolve());
    });
  }
  // For a file, stdout is a synchronous stream whose write error is emitted on a later tick: give
  // it that tick, or the lost output would be reported as a success.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const err = io?.stdoutError ?? stdoutError();
  const reporter = io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  process.exit(statusAfterStdoutError(reporter, code, err));
}

/** Runs kolega for this process (called by bin/kolega) and exits with the status. */
export function runFromProcess(): void {
  const ctx: CliContext = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
  installProcessSignals();
  // Output written before any IO exists (commander's --version and help) fails here too; recorded,
  // never thrown (an unhandled 'error' would print a stack trace), and reported by flushAndExit.
  let stdoutError: NodeJS.ErrnoException | undefined;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    stdoutError ??= err;
  });
  // Safety net: if a bug leaves the command waiting on nothing, never exit 0 silently.
  process.once('beforeExit', () => {
    process.stderr.write(
      'kolega: internal error: the command ended without a result (this is a bug; rerun with --debug and report it)\n',
    );
    process.exit(EXIT_CODES.internal);
  });
  main(process.argv.slice(2), ctx).then(
    (code) => flushAndExit(code, ctx, () => stdoutError),
    (err: unknown) => {
      ctx.io?.flush();
      process.stderr.write(`kolega: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
      return flushAndExit(EXIT_CODES.internal, ctx, () => stdoutError);
    },
  );
}
