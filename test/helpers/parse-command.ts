/**
 * Parses an argv with one command's declaration in-process (src/cli/commands/*.ts with a `runF`,
 * see src/cli/commands/run-f.ts): commander as the CLI configures it, output into buffers, the
 * behaviour replaced by a recorder. Nothing is spawned and nothing is run.
 */
import { Command, CommanderError } from 'commander';
import type { CliContext } from '../../src/cli/context.js';
import type { RunF } from '../../src/cli/commands/run-f.js';
import { buffer } from './in-process.js';

/** What parsing produced: the `runF` calls (one for a valid command line), or the parser's error. */
export interface Parsed<T> {
  calls: T[];
  /** The first (only) call; throws when there was none. */
  readonly parsed: T;
  /** The usage error commander reported (exit status 2 in the CLI), if any. */
  error?: CommanderError;
  /** What commander wrote to stderr (usage errors). */
  stderr: string;
}

/** A register function of src/cli/commands/ that takes a `runF`. */
export type Register<T> = (program: Command, ctx: CliContext, runF?: RunF<T>) => void;

/**
 * Registers one command on a fresh program configured like src/cli/main.ts (errors not exiting,
 * output captured) and parses `argv` (without `kolega`).
 */
export async function parseCommand<T>(register: Register<T>, argv: string[]): Promise<Parsed<T>> {
  const out = buffer();
  const err = buffer();
  const ctx = { stdout: out, stderr: err, stdin: process.stdin, env: {} } as unknown as CliContext;
  const program = new Command('kolega')
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) })
    .exitOverride();
  const calls: T[] = [];
  register(program, ctx, (p) => void calls.push(p));
  let error: CommanderError | undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    error = e;
  }
  return {
    calls,
    get parsed() {
      if (calls.length !== 1) throw new Error(`expected one parsed command, got ${calls.length}: ${err.text}`);
      return calls[0]!;
    },
    ...(error ? { error } : {}),
    stderr: err.text,
  };
}
