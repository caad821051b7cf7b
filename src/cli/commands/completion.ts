/** `kolega completion bash|zsh|fish`: prints a completion script generated from the command tree. */
import { Argument, type Command } from 'commander';
import type { CliContext } from '../context.js';
import type { RunF } from './run-f.js';

/** What `kolega completion` was asked (handed to a `runF`). */
export interface CompletionCommand {
  shell: 'bash' | 'zsh' | 'fish';
}

/**
 * Adds `completion` to `program`.
 * @param runF given, receives the parsed command instead of printing the script (./run-f.ts)
 */
export function registerCompletion(program: Command, ctx: CliContext, runF?: RunF<CompletionCommand>): void {
  program
    .command('completion')
    .summary('print the shell completion script (bash, zsh, fish)')
    .description(
      'Print a completion script for subcommands, flags, model/provider ids, efforts and sandbox ' +
        'levels. The same scripts ship in completions/ (kolega.bash, kolega.zsh, kolega.fish).',
    )
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  source <(kolega completion bash)                      # bash, current shell\n' +
        '  kolega completion zsh > "${fpath[1]}/_kolega"          # zsh\n' +
        '  kolega completion fish > ~/.config/fish/completions/kolega.fish\n',
    )
    .action(async (shell: CompletionCommand['shell'], _opts: unknown, cmd: Command) => {
      if (runF) return runF({ shell });
      const { completionSpec } = await import('../completion/spec.js');
      const { completionScript } = await import('../completion/shells.js');
      let root = cmd;
      while (root.parent) root = root.parent;
      ctx.stdout.write(completionScript(shell, completionSpec(root)));
    });
}
