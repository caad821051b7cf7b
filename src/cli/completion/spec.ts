/**
 * Walks the commander program into a flat, shell-neutral description of what can be completed:
 * per command path, its subcommands, flags (which take a value, and which values), and positional
 * candidates. Value lists come from the command tree (`.choices()`) and from the catalogue
 * (model, effort and provider ids); session ids are listed by kolega itself when completing.
 */
import type { Argument, Command, Option } from 'commander';
import { MODELS, PROVIDER_IDS, modelsFor } from '../../core/models/bundled.js';
import { HELP_TOPICS } from '../help-topics.js';

/** Completes file names. */
export const FILES = '__files__';

/** Completes recorded session ids (the script runs `kolega sessions list --all --ids` when asked). */
export const SESSIONS = '__sessions__';

/** One flag of a command. */
export interface FlagSpec {
  /** Every spelling, e.g. `-m`, `--model`. */
  names: string[];
  description: string;
  takesValue: boolean;
  /** Candidate values, or `[FILES]`. */
  values: string[];
}

/** One command, addressed by its path of subcommand names ('' = the program). */
export interface CommandSpec {
  path: string;
  subcommands: { name: string; description: string }[];
  flags: FlagSpec[];
  /** Candidates for the first positional argument. */
  args: string[];
  /** Candidates for the second positional argument, by the first one (e.g. `config set model <Tab>`). */
  args2: Record<string, string[]>;
}

/** Every `provider/model` and bare model id. */
export function modelNames(): string[] {
  const full = PROVIDER_IDS.flatMap((p) => modelsFor(p).map((m) => `${p}/${m.id}`));
  return [...full, ...new Set(MODELS.map((m) => m.id))];
}

/** Effort values offered by some model. */
export function effortNames(): string[] {
  return [...new Set(MODELS.flatMap((m) => m.efforts))];
}

const FILE_OPTIONS = new Set([
  'instructions-file',
  'image',
  'cd',
  'output-last-message',
  'output-schema',
  'mcp-config',
  'add-dir',
  'file',
]);

function optionValues(o: Option): string[] {
  if (o.argChoices && o.argChoices.length > 0) return [...o.argChoices];
  const name = o.long?.replace(/^--/, '') ?? '';
  if (name === 'model') return modelNames();
  if (name === 'effort') return effortNames();
  if (name === 'provider') return [...PROVIDER_IDS];
  if (FILE_OPTIONS.has(name)) return [FILES];
  if (name === 'resume' || name === 'fork') return [SESSIONS];
  return [];
}

function flagOf(o: Option): FlagSpec {
  return {
    names: [o.short, o.long].filter((n): n is string => typeof n === 'string'),
    description: o.description,
    takesValue: o.required || o.optional,
    values: o.required || o.optional ? optionValues(o) : [],
  };
}

function argValues(cmd: Command, root: Command): string[] {
  if (cmd.name() === 'help' && cmd.parent === root) {
    return [...Object.keys(HELP_TOPICS), ...root.commands.filter((c) => c.name() !== 'help').map((c) => c.name())];
  }
  if (cmd.parent?.name() === 'sessions' && (cmd.name() === 'show' || cmd.name() === 'rm')) return [SESSIONS];
  const first = (cmd.registeredArguments as readonly Argument[])[0];
  return first?.argChoices ? [...first.argChoices] : [];
}

function secondArgValues(path: string): Record<string, string[]> {
  return path === 'config set' ? { model: modelNames(), effort: effortNames(), provider: [...PROVIDER_IDS] } : {};
}

/** Flattens `program` into command specs, parents before children. */
export function completionSpec(program: Command): CommandSpec[] {
  const globals = program.options.filter((o) => o.long !== '--version').map(flagOf);
  const help: FlagSpec = { names: ['-h', '--help'], description: 'show help', takesValue: false, values: [] };
  const out: CommandSpec[] = [];
  const walk = (cmd: Command, path: string): void => {
    const own = cmd.options.filter((o) => !o.hidden).map(flagOf);
    const flags = cmd === program ? [...own, help] : [...own, help, ...globals];
    out.push({
      path,
      subcommands: cmd.commands.map((c) => ({
        name: c.name(),
        description: c.summary() || c.description().split('\n')[0] || '',
      })),
      flags,
      args: argValues(cmd, program),
      args2: secondArgValues(path),
    });
    for (const c of cmd.commands) walk(c, path ? `${path} ${c.name()}` : c.name());
  };
  walk(program, '');
  return out;
}
