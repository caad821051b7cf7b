/**
 * `kolega run`: flags, help and examples only. The work is in `../run/execute.ts`, imported when
 * the command runs so `--help` stays cheap.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CliContext } from '../context.js';
import { expectSignalHandlers } from '../signals.js';
import type { RunF } from './run-f.js';

/** Parsed options of `kolega run` (commander camel-cases the flags). */
export interface RunOptions {
  model?: string;
  effort?: string;
  json?: boolean;
  instructions?: string;
  instructionsFile?: string;
  image?: string[];
  cd?: string;
  sandbox: 'read-only' | 'workspace-write' | 'full-access';
  tools: boolean;
  maxToolCalls: number;
  timeout?: number;
  idleTimeout: number;
  outputLastMessage?: string;
  stdin?: boolean;
  verbose?: boolean;
  maxOutputTokens?: number;
  /** Extra directories tools may read and write (repeatable). */
  addDir?: string[];
  /** Keep the network inside the shell sandbox. */
  network?: boolean;
  /** JSON Schema file the final answer must match. */
  outputSchema?: string;
  /** MCP servers whose tools are offered. */
  mcpConfig?: string;
  /** An MCP server that fails to start is skipped with a warning. */
  mcpOptional?: boolean;
  /** Longest one MCP tool call may take without progress, in seconds. */
  toolTimeout?: number;
  /** Continue this session (id or unique prefix). */
  resume?: string;
  /** Continue the latest session of the workspace. */
  continue?: boolean;
  /** Start a new session from a copy of this one. */
  fork?: string;
  /** Record nothing under KOLEGA_HOME/sessions. */
  ephemeral?: boolean;
  /** false with --no-project-doc: send no AGENTS.md. */
  projectDoc: boolean;
  /** How requests travel: auto (WebSocket with HTTP fallback on the ChatGPT backend), websocket, http. */
  transport?: 'auto' | 'websocket' | 'http';
}

/** What `kolega run` was asked: the prompt words and the options (handed to a `runF`). */
export interface RunCommand {
  /** The prompt arguments as given (`-` or none: read stdin). */
  prompt: string[];
  options: RunOptions;
}

/** Parses a positive number of seconds. */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  // Node timers hold at most 2^31-1 ms; a larger value would fire at once.
  if (n > MAX_SECONDS) throw new InvalidArgumentError(`expected at most ${MAX_SECONDS} seconds (about 24 days)`);
  return n;
}

/** Largest timeout accepted, in seconds (Node's timer limit, 2^31-1 ms). */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Parses a positive integer (e.g. a token cap). */
export function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

/** Parses a non-empty string argument. */
export function parseNonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty');
  return value;
}

/** Parses a non-negative integer. */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

const collect = (value: string, prev: string[] = []): string[] => [...prev, value];

/**
 * Collects `-i/--image` values: repeatable, and each value may hold several paths separated by
 * commas, as `codex exec -i a.png,b.png` accepts (clap `value_delimiter = ','`,
 * https://github.com/openai/codex/blob/main/codex-rs/utils/cli/src/shared_options.rs). Empty
 * pieces (`a.png,,b.png`, a trailing comma) are a usage error rather than silently skipped.
 */
export function collectImages(value: string, prev: string[] = []): string[] {
  const parts = value.split(',');
  if (parts.some((p) => p.trim() === ''))
    throw new InvalidArgumentError('expected one or more image paths separated by commas');
  return [...prev, ...parts];
}

/** Sandbox levels of `-s/--sandbox`, as shown in help and completion. */
export const SANDBOX_CHOICES = ['read-only', 'workspace-write', 'full-access'] as const;

/**
 * Parses `-s/--sandbox`. Codex names the unconfined level `danger-full-access`
 * (https://github.com/openai/codex/blob/main/codex-rs/utils/cli/src/shared_options.rs, `SandboxModeCliArg`);
 * kolega accepts that spelling too, so a Codex command line means the same here.
 */
export function parseSandbox(value: string): RunOptions['sandbox'] {
  if (value === 'danger-full-access') return 'full-access';
  if ((SANDBOX_CHOICES as readonly string[]).includes(value)) return value as RunOptions['sandbox'];
  throw new InvalidArgumentError(
    `Allowed choices are ${SANDBOX_CHOICES.join(', ')} (or danger-full-access, Codex's name for full-access).`,
  );
}

/** One line per sandbox level, shown after the options in `kolega run --help`. */
export const SANDBOX_HELP =
  '\nSandbox levels (-s/--sandbox):\n' +
  '  read-only        read_file, list_dir, grep inside the workspace (default)\n' +
  '  workspace-write  adds write_file, edit_file, shell (in bubblewrap: writes only to the workspace, no network)\n' +
  '  full-access      every tool, including shell and MCP tools, with no sandbox\n';

/**
 * Adds `run` to `program`.
 * @param runF given, receives the parsed command instead of running it (./run-f.ts)
 */
export function registerRun(program: Command, ctx: CliContext, runF?: RunF<RunCommand>): void {
  program
    .command('run')
    .summary("send one prompt, stream the answer, run the model's tool calls")
    .description(
      'Send one prompt (arguments and/or stdin) as one Responses-API turn. The answer streams to stdout as text, ' +
        'or as NDJSON events with --json. Tool calls run under the sandbox level chosen with -s (see below).',
    )
    .argument('[prompt...]', 'the prompt; "-" or nothing reads it from stdin')
    .option('-m, --model <model>', 'model as provider/model or model (see: kolega models)', parseNonEmpty)
    .option(
      '-e, --effort <effort>',
      'reasoning effort, per model (low, medium, high, xhigh, max, ultra, ...; see kolega models)',
    )
    .option('--json', 'write NDJSON events to stdout instead of text')
    .option('--instructions <text>', 'system instructions (replace the default)')
    .option('--instructions-file <file>', 'read the system instructions from a file')
    .option(
      '-i, --image <path>',
      'attach an image (repeatable; several paths may be separated by commas)',
      collectImages,
    )
    .option('-C, --cd <dir>', 'workspace root for tools (default: the current directory)', parseNonEmpty)
    .addOption(
      new Option('-s, --sandbox <level>', "what tools may do (danger-full-access, Codex's name, means full-access)")
        .choices(SANDBOX_CHOICES)
        .argParser(parseSandbox)
        .default('read-only'),
    )
    .addOption(
      new Option(
        '--skip-git-repo-check',
        'accepted for Codex command lines; kolega never requires a Git repository',
      ).hideHelp(),
    )
    .option(
      '--add-dir <dir>',
      'also let tools read and write this directory (repeatable)',
      (v: string, prev: string[] | undefined) => collect(parseNonEmpty(v), prev ?? []),
    )
    .option('--network', 'let shell commands use the network inside the sandbox')
    .option('--no-tools', 'offer no tools to the model')
    .option('--output-schema <file>', 'JSON Schema the final answer must match (exit 5 when it does not)')
    .option('--mcp-config <file>', 'offer the tools of these MCP servers ({"mcpServers": {...}})')
    .option('--mcp-optional', 'skip an MCP server that fails to start, with a warning')
    .option(
      '--tool-timeout <seconds>',
      'end an MCP tool call that has not answered after this long (default 120)',
      parseSeconds,
    )
    .option('--max-tool-calls <n>', 'fail the turn after this many tool calls', parseCount, 50)
    .option('--timeout <seconds>', 'give up after this long (whole run)', parseSeconds)
    .option('--idle-timeout <seconds>', 'give up when the server sends nothing for this long', parseSeconds, 300)
    .option('-o, --output-last-message <file>', 'also write the final answer to this file (on success)')
    .option('--stdin', 'always read stdin and append it to the prompt')
    .option('--no-stdin', 'never read stdin')
    .option('--max-output-tokens <n>', 'cap the answer length (API-key provider only)', parsePositive)
    .addOption(
      new Option(
        '--transport <mode>',
        'auto: WebSocket to the ChatGPT backend, HTTP if refused; or websocket, http (default: the transport setting, else auto)',
      ).choices(['auto', 'websocket', 'http']),
    )
    .option('--verbose', 'show reasoning and tool activity on stderr even when it is not a terminal')
    .option(
      '--resume <id>',
      'continue a recorded session (its id or a unique prefix; see: kolega sessions list)',
      parseNonEmpty,
    )
    .option('--continue', 'continue the most recent session of this workspace')
    .option('--fork <id>', 'start a new session from a copy of that session (which stays unchanged)', parseNonEmpty)
    .option('--ephemeral', 'record nothing under KOLEGA_HOME/sessions')
    .option('--no-project-doc', 'do not send AGENTS.md files')
    .addHelpText(
      'after',
      SANDBOX_HELP +
        '\nExamples:\n' +
        '  git diff | kolega run "write a commit message for this diff"\n' +
        '  kolega run -i screenshot.png "what is wrong in this dialog?"\n' +
        '  kolega run --continue "now apply the plan you just made"\n',
    )
    .action(async (prompt: string[], opts: RunOptions) => {
      if (runF) return runF({ prompt, options: opts });
      // A signal while the run's modules load is kept for the run, which then ends as interrupted.
      expectSignalHandlers();
      // A resumed history is megabytes of objects that all survive: a bounded young generation
      // would copy them scavenge after scavenge (README "Performance"), so only new sessions bound it.
      if (opts.resume === undefined && opts.fork === undefined && !opts.continue)
        await (await import('../run/heap.js')).boundYoungGeneration();
      const { executeRun } = await import('../run/execute.js');
      await executeRun(prompt, opts, ctx);
    });
}
