/** `kolega models` flag parsing in-process (src/cli/commands/models.ts through its `runF`). */
import { expect, it } from 'vitest';
import { registerModels, type ModelsOptions } from '../../../../src/cli/commands/models.js';
import { parseCommand } from '../../../helpers/parse-command.js';

const parse = (...argv: string[]) => parseCommand<ModelsOptions>(registerModels, ['models', ...argv]);

it('has no options set by default', async () => {
  expect((await parse()).parsed).toEqual({});
});

it('parses -p/--provider, --json and --refresh', async () => {
  expect((await parse('-p', 'openai', '--json', '--refresh')).parsed).toEqual({
    provider: 'openai',
    json: true,
    refresh: true,
  });
  expect((await parse('--provider=openai_chatgpt')).parsed).toEqual({ provider: 'openai_chatgpt' });
});

it('refuses a provider flag without a value and a positional argument', async () => {
  const missing = await parse('-p');
  expect(missing.calls).toEqual([]);
  expect(missing.stderr).toMatch(/argument missing/);
  const extra = await parse('gpt-5.4');
  expect(extra.calls).toEqual([]);
  expect(extra.stderr).toMatch(/too many arguments/);
});
