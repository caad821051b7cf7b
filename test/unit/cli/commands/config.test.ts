/** `kolega config get|set|unset|list|path` argument parsing in-process (src/cli/commands/config.ts through its `runF`). */
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, registerConfig, type ConfigCommand } from '../../../../src/cli/commands/config.js';
import { parseCommand } from '../../../helpers/parse-command.js';

const parse = (...argv: string[]) => parseCommand<ConfigCommand>(registerConfig, ['config', ...argv]);
const parsed = async (...argv: string[]) => (await parse(...argv)).parsed;

describe('kolega config', () => {
  it.each(CONFIG_KEYS.map((k) => [k]))('accepts the key %s for get, set and unset', async (key) => {
    expect(await parsed('get', key)).toEqual({ command: 'get', key });
    expect(await parsed('set', key, 'v')).toEqual({ command: 'set', key, value: 'v' });
    expect(await parsed('unset', key)).toEqual({ command: 'unset', key });
  });

  it('keeps a value as typed (the behaviour checks it)', async () => {
    expect(await parsed('set', 'model', 'openai_chatgpt/gpt-5.4')).toEqual({
      command: 'set',
      key: 'model',
      value: 'openai_chatgpt/gpt-5.4',
    });
  });

  it('parses list and path', async () => {
    expect(await parsed('list')).toEqual({ command: 'list', options: {} });
    expect(await parsed('list', '--json')).toEqual({ command: 'list', options: { json: true } });
    expect(await parsed('path')).toEqual({ command: 'path' });
  });

  it.each([
    [['get', 'api_key'], /Allowed choices are model, effort/],
    [['set', 'model'], /missing required argument 'value'/],
    [['unset'], /missing required argument 'key'/],
    [['path', 'x'], /too many arguments/],
  ])('refuses %j', async (argv, message) => {
    const r = await parse(...argv);
    expect(r.calls).toEqual([]);
    expect(r.stderr).toMatch(message);
  });
});
