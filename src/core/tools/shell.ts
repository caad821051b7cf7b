/**
 * `shell` {command, timeout_ms?, workdir?}: run a command with bash. Under workspace-write it runs
 * inside bubblewrap (bwrap-args.ts); under full-access it runs unconfined, and what it leaves
 * behind is found and ended after it (run-command.ts). Without a working bwrap
 * the tool needs full-access. Output (stdout and stderr interleaved) is capped at
 * SHELL_MAX_OUTPUT_BYTES: the first and last halves are kept around an omission marker.
 */
import { existsSync, statSync } from 'node:fs';
import { bwrapArgs, type BwrapSpec } from './bwrap-args.js';
import { applyMasks } from './masked-paths.js';
import { protectedPaths, writableRoots } from './protected-dirs.js';
import { realpathLenient, resolveToolPath } from './paths.js';
import { runCommand } from './run-command.js';
import { shellEnv } from './shell-env.js';
import { errorResult, intArg, optStrArg, strArg } from './args.js';
import type { Tool, ToolContext, ToolResult } from './types.js';

/** Timeout of one command when the model gives none, in ms. */
export const SHELL_DEFAULT_TIMEOUT_MS = 120_000;
/** Largest timeout a command may ask for, in ms (larger values are clamped). */
export const SHELL_MAX_TIMEOUT_MS = 3_600_000;
/** Output returned to the model, in bytes (the middle is omitted beyond this). */
export const SHELL_MAX_OUTPUT_BYTES = 32 * 1024;

/** How `shell` runs where it is offered. */
export interface ShellToolOptions {
  /** Absolute path of a working bwrap (see probeSandbox), or null when the sandbox is unavailable. */
  bwrap: string | null;
}

function shellBinary(): string {
  return existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
}

/** The program run for `command`: stderr joins stdout so the output keeps its real order. */
export function shellArgv(command: string): string[] {
  return [shellBinary(), '-c', 'exec 2>&1\neval "$1"', 'kolega-shell', command];
}

/**
 * Inside the sandbox the first process's exit ends the whole sandbox (PID namespace), which would
 * kill a writer that still holds the output pipe (`exec > >(tee log)`, a short-lived background
 * child). So the command runs in a subshell, and the wrapper then waits until no other process in
 * the sandbox (bubblewrap's own init, PID 1, aside) holds its output pipe, checking each
 * `/proc/<pid>/fd/<n>` with bash's `-ef` (same device and inode, i.e. the same pipe). The
 * timeout still applies from outside.
 */
const SANDBOX_WRAPPER = [
  'exec 2>&1',
  '(eval "$1")',
  's=$?',
  'while :; do',
  '  held=',
  '  for f in /proc/[0-9]*/fd/[0-9]*; do',
  '    p=${f#/proc/}; p=${p%%/*}',
  '    if [[ $p != 1 && $p != $$ && $f -ef /proc/$$/fd/1 ]]; then held=1; break; fi',
  '  done',
  '  [[ -z $held ]] && exit $s',
  '  sleep 0.05',
  'done',
].join('\n');

/** The program run for `command` inside the sandbox (see SANDBOX_WRAPPER). */
export function sandboxShellArgv(command: string): string[] {
  if (shellBinary() !== '/bin/bash') return shellArgv(command);
  return ['/bin/bash', '-c', SANDBOX_WRAPPER, 'kolega-shell', command];
}

function format(result: {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
  timeoutMs: number;
  durationMs: number;
  sandboxed: boolean;
}): string {
  const head = result.timedOut
    ? `killed after the ${result.timeoutMs} ms timeout (with every process it started)`
    : `exit code ${result.exitCode}`;
  const body = result.output === '' ? '(no output)' : result.output;
  return `${head}; ${(result.durationMs / 1000).toFixed(1)} s${result.sandboxed ? '' : ', unsandboxed'}\n${body}`;
}

/** Builds the `shell` tool. Its level is workspace-write with a sandbox, full-access without. */
export function shellTool(options: ShellToolOptions): Tool {
  return {
    name: 'shell',
    level: options.bwrap ? 'workspace-write' : 'full-access',
    description:
      'Run a bash command and return its exit code and output (stdout and stderr interleaved, long output shortened in the middle). ' +
      'Runs in the workspace root unless workdir is given. In the workspace-write sandbox only the workspace is writable, /tmp is private ' +
      'and there is no network unless the user allowed it. Commands are killed at the timeout; stdin is empty.',
    parameters: {
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The command line, run with bash -c' },
        timeout_ms: {
          type: 'integer',
          description: `Kill it after this many milliseconds (default ${SHELL_DEFAULT_TIMEOUT_MS})`,
          minimum: 1,
        },
        workdir: { type: 'string', description: 'Working directory, relative to the workspace root' },
      },
      required: ['command'],
      additionalProperties: false,
    },
    async run(args, ctx): Promise<ToolResult> {
      const command = strArg(args, 'command');
      if (command.trim() === '') return errorResult('command is empty');
      const timeoutMs =
        Math.min(intArg(args, 'timeout_ms') ?? SHELL_DEFAULT_TIMEOUT_MS, SHELL_MAX_TIMEOUT_MS) ||
        SHELL_DEFAULT_TIMEOUT_MS;
      const cwd = resolveToolPath(ctx, optStrArg(args, 'workdir') ?? '.');
      if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory())
        return errorResult(`workdir ${String(args.workdir)} is not a directory`);
      const sandboxed = ctx.sandbox !== 'full-access';
      if (sandboxed && !options.bwrap) {
        return {
          status: 'denied',
          output:
            'shell needs the bubblewrap sandbox, which is unavailable here; the user must rerun with --sandbox full-access',
        };
      }
      const argv = sandboxed ? sandboxShellArgv(command) : shellArgv(command);
      const [file, fileArgs] = sandboxed
        ? [options.bwrap!, bwrapArgs(bwrapSpec(ctx, cwd, argv))]
        : [argv[0]!, argv.slice(1)];
      const outcome = await runCommand({
        file,
        args: fileArgs,
        cwd,
        env: shellEnv(ctx.env),
        timeoutMs,
        signal: ctx.signal,
        maxOutputBytes: SHELL_MAX_OUTPUT_BYTES,
      });
      if (outcome.spawnError) return errorResult(`could not start the command: ${outcome.spawnError}`);
      const output = format({ ...outcome, timeoutMs, sandboxed });
      const ok = outcome.exitCode === 0 && !outcome.timedOut;
      const result: ToolResult = { status: ok ? 'ok' : 'error', output };
      if (outcome.exitCode !== null) result.exit_code = outcome.exitCode;
      return result;
    },
  };
}

function bwrapSpec(ctx: ToolContext, cwd: string, command: string[]): BwrapSpec {
  const writable = writableRoots(ctx)
    .map((d) => realpathLenient(d))
    .filter((d) => existsSync(d));
  const { masks, rebind } = applyMasks(ctx.maskedPaths ?? [], writable);
  return {
    writable,
    readOnly: protectedPaths(writable).existing,
    hidden: masks,
    rebind,
    masked: ctx.protectedPaths.map((p) => realpathLenient(p)),
    network: ctx.network === true,
    cwd,
    command,
  };
}
