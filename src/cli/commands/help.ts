/**
 * `kolega help [topic|command]`: replaces commander's implicit help command so that the topics
 * `exit-codes` and `environment` print their tables (src/cli/help-topics.ts).
 */
import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { HELP_TOPICS, textTable } from '../help-topics.js';

/** Adds `help` to `program` (call after the other commands, so their names are known). */
export function registerHelp(program: Command, ctx: CliContext): void {
  program.helpCommand(false);
  program
    .command('help')
    .summary('show help for a command, or a topic: exit-codes, environment')
    .argument('[topic...]', `a command (e.g. run, "config set") or a topic: ${Object.keys(HELP_TOPICS).join(', ')}`)
    .addHelpText('after', '\nExamples:\n  kolega help run\n  kolega help exit-codes\n  kolega help environment\n')
    .action((words: string[]) => {
      // `kolega help "config set"` and `kolega help config set` mean the same.
      const topic = words.flatMap((w) => w.split(/\s+/)).filter((w) => w !== '');
      const [first] = topic;
      if (first === undefined) {
        program.outputHelp();
        return;
      }
      if (topic.length === 1 && Object.hasOwn(HELP_TOPICS, first)) {
        ctx.stdout.write(textTable(first));
        return;
      }
      let cmd: Command | undefined = program;
      for (const name of topic) cmd = cmd?.commands.find((c) => c.name() === name || c.aliases().includes(name));
      if (!cmd) {
        throw usageError(
          'unknown_help_topic',
          `no help for "${topic.join(' ')}"`,
          `topics: ${Object.keys(HELP_TOPICS).join(', ')}; or a command name`,
        );
      }
      cmd.outputHelp();
    });
  program.addHelpText('after', '\nMore: kolega help exit-codes | kolega help environment | kolega <command> --help\n');
}
