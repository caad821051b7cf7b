/** `kolega completion` argument parsing in-process (src/cli/commands/completion.ts through its `runF`). */
import { expect, it } from 'vitest';
import { registerCompletion, type CompletionCommand } from '../../../../src/cli/commands/completion.js';
import { parseCommand } from '../../../helpers/parse-command.js';

const parse = (...argv: string[]) => parseCommand<CompletionCommand>(registerCompletion, ['completion', ...argv]);

it.each(['bash', 'zsh', 'fish'] as const)('accepts %s', async (shell) => {
  expect((await parse(shell)).parsed).toEqual({ shell });
});

it('refuses another shell and a missing one', async () => {
  const other = await parse('powershell');
  expect(other.calls).toEqual([]);
  expect(other.stderr).toMatch(/Allowed choices are bash, zsh, fish/);
  const none = await parse();
  expect(none.calls).toEqual([]);
  expect(none.stderr).toMatch(/missing required argument 'shell'/);
});
