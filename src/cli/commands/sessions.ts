/**
 * `kolega sessions list|show|rm|prune`: flags, help and examples; the work is in
 * `../sessions/*.ts`, imported when a subcommand runs.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context.js';
import type { RunF } from './run-f.js';

/** Options of `sessions list`. */
export interface SessionsListOptions {
  cd?: string;
  all?: boolean;
  json?: boolean;
  /** Only the ids, one per line (for scripts and shell completion). */
  ids?: boolean;
}

/** Options of `sessions prune`. */
export interface SessionsPruneOptions {
  /** Age of the last write, in ms. */
  olderThan: number;
  dryRun?: boolean;
  json?: boolean;
}

/** What a `sessions` subcommand was asked (handed to a `runF`); `id` is an id or a prefix, as typed. */
export type SessionsCommand =
  | { command: 'list'; options: SessionsListOptions }
  | { command: 'show'; id: string; options: { json?: boolean } }
  | { command: 'rm'; id: string }
  | { command: 'prune'; options: SessionsPruneOptions };

/** Parses a duration like `30d`, `12h`, `90m`, `2w`, `45s` into milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+)\s*(s|m|h|d|w)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a number and a unit: s, m, h, d or w (e.g. 30d)');
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
    m[2] as 's' | 'm' | 'h' | 'd' | 'w'
  ];
  return Number(m[1]) * unit;
}

/**
 * Adds `sessions` and its subcommands to `program`.
 * @param runF given, receives the parsed subcommand instead of running it (./run-f.ts)
 */
export function registerSessions(program: Command, ctx: CliContext, runF?: RunF<SessionsCommand>): void {
  const sessions = program
    .command('sessions')
    .summary('list, show, remove and prune recorded conversations')
    .description(
      'Every kolega run is recorded as a session under KOLEGA_HOME/sessions (one JSONL file per session, ' +
        'mode 0600) unless run with --ephemeral. Continue one with kolega run --resume ID, --continue or --fork ID.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  kolega sessions list\n  kolega sessions show 0196f3 --json | jq .turns\n  kolega sessions prune --older-than 30d\n',
    );
  sessions
    .command('list')
    .summary('list sessions of this workspace, most recent first (--all: every workspace)')
    .option('-C, --cd <dir>', 'the workspace (default: the current directory)')
    .option('--all', 'sessions of every workspace')
    .option('--json', 'print one JSON document (schema/sessions.schema.json)')
    .option('--ids', 'print only the ids, one per line')
    .addHelpText(
      'after',
      "\nExamples:\n  kolega sessions list\n  kolega sessions list --all --json | jq -r '.sessions[0].id'\n",
    )
    .action(async (opts: SessionsListOptions) => {
      if (runF) return runF({ command: 'list', options: opts });
      (await import('../sessions/list.js')).sessionsList(opts, ctx);
    });
  sessions
    .command('show')
    .summary('print the prompts, answers, tool calls and usage of a session')
    .argument('<id>', 'session id or a unique prefix')
    .option('--json', 'print one JSON document with every recorded item (schema/sessions.schema.json)')
    .addHelpText(
      'after',
      '\nExamples:\n  kolega sessions show 0196f3\n  kolega sessions show 0196f3 --json | jq \'.items[] | select(.item.type=="function_call")\'\n',
    )
    .action(async (id: string, opts: { json?: boolean }) => {
      if (runF) return runF({ command: 'show', id, options: opts });
      (await import('../sessions/show.js')).sessionsShow(id, opts, ctx);
    });
  sessions
    .command('rm')
    .summary('remove a session (not while a run is using it)')
    .argument('<id>', 'session id or a unique prefix')
    .addHelpText(
      'after',
      '\nExamples:\n  kolega sessions rm 0196f3\n  kolega sessions list --ids | tail -n +11 | xargs -n1 kolega sessions rm\n',
    )
    .action(async (id: string) => {
      if (runF) return runF({ command: 'rm', id });
      await (await import('../sessions/remove.js')).sessionsRemove(id, ctx);
    });
  sessions
    .command('prune')
    .summary('remove sessions not written to for a while')
    .requiredOption(
      '--older-than <duration>',
      'age of the last write: a number and s, m, h, d or w (e.g. 30d)',
      parseDuration,
    )
    .option('--dry-run', 'only print what would be removed')
    .option('--json', 'print one JSON document: {"removed": [...], "dry_run": ...}')
    .addHelpText(
      'after',
      '\nExamples:\n  kolega sessions prune --older-than 30d --dry-run\n  kolega sessions prune --older-than 12h\n',
    )
    .action(async (opts: SessionsPruneOptions) => {
      if (runF) return runF({ command: 'prune', options: opts });
      await (await import('../sessions/remove.js')).sessionsPrune(opts, ctx);
    });
}
