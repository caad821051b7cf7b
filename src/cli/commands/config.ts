/** `kolega config get|set|unset|list|path`: flags, help and examples; the work is in `../config/settings-cmd.ts`. */
import { Argument, type Command } from 'commander';
import type { CliContext } from '../context.js';
import type { RunF } from './run-f.js';
import { SETTING_KEYS, type SettingKey } from '../../core/store/setting-keys.js';

/** Keys `kolega config` manages (settings.json; never secrets). */
export const CONFIG_KEYS: readonly SettingKey[] = SETTING_KEYS;

/** A managed settings key. */
export type ConfigKey = SettingKey;

/**
 * What a `config` subcommand was asked (handed to a `runF`). `key` is one of `CONFIG_KEYS` (the
 * parser refuses others); `value` is as typed, checked by the behaviour.
 */
export type ConfigCommand =
  | { command: 'get' | 'unset'; key: ConfigKey }
  | { command: 'set'; key: ConfigKey; value: string }
  | { command: 'list'; options: { json?: boolean } }
  | { command: 'path' };

const keyArg = () =>
  new Argument('<key>', 'model, effort, provider, codex_version, transport or sandbox_masked_paths').choices(
    CONFIG_KEYS,
  );

/**
 * Adds `config` and its subcommands to `program`.
 * @param runF given, receives the parsed subcommand instead of running it (./run-f.ts)
 */
export function registerConfig(program: Command, ctx: CliContext, runF?: RunF<ConfigCommand>): void {
  const run = async (fn: (m: typeof import('../config/settings-cmd.js')) => void): Promise<void> => {
    fn(await import('../config/settings-cmd.js'));
  };
  const config = program
    .command('config')
    .summary('show or change saved defaults (model, effort, provider, transport)')
    .description(
      'Saved defaults live in settings.json under KOLEGA_HOME (no secrets). Precedence for a run: -m/-e ' +
        'flags > KOLEGA_MODEL > saved settings > the provider default. A saved model or provider that no ' +
        'longer exists falls back to the default with a note on stderr; it never blocks a run.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  kolega config set model openai_chatgpt/gpt-5.4\n' +
        '  kolega config get model\n' +
        '  kolega config list --json\n',
    );
  config
    .command('get')
    .summary('print a saved value (nothing when unset)')
    .addArgument(keyArg())
    .addHelpText('after', '\nExamples:\n  kolega config get model\n  kolega config get effort\n')
    .action((key: ConfigKey) => (runF ? runF({ command: 'get', key }) : run((m) => m.configGet(ctx, key))));
  config
    .command('set')
    .summary('save a value (checked: an unknown model, effort or provider exits 2)')
    .addArgument(keyArg())
    .argument('<value>', 'model as provider/model or model; effort; provider id; transport auto, websocket or http')
    .addHelpText(
      'after',
      '\nExamples:\n  kolega config set model gpt-5.4-mini\n  kolega config set effort high\n  kolega config set provider openai\n',
    )
    .action((key: ConfigKey, value: string) =>
      runF ? runF({ command: 'set', key, value }) : run((m) => m.configSet(ctx, key, value)),
    );
  config
    .command('unset')
    .summary('remove a saved value')
    .addArgument(keyArg())
    .addHelpText('after', '\nExamples:\n  kolega config unset model\n  kolega config unset effort\n')
    .action((key: ConfigKey) => (runF ? runF({ command: 'unset', key }) : run((m) => m.configUnset(ctx, key))));
  config
    .command('list')
    .summary('print the saved values as key=value (or --json)')
    .option('--json', 'print one JSON document: {"settings": {...}, "path": ...}')
    .addHelpText('after', '\nExamples:\n  kolega config list\n  kolega config list --json | jq .settings\n')
    .action((opts: { json?: boolean }) =>
      runF ? runF({ command: 'list', options: opts }) : run((m) => m.configList(ctx, opts.json === true)),
    );
  config
    .command('path')
    .summary('print the path of the settings file')
    .addHelpText('after', '\nExamples:\n  kolega config path\n  cat "$(kolega config path)"\n')
    .action(() => (runF ? runF({ command: 'path' }) : run((m) => m.configPath(ctx))));
}
