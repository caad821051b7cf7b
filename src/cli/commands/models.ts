/** `kolega models`: flags, help and examples only; the work is in `../models/list.ts`. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { RunF } from './run-f.js';

/** Parsed options of `kolega models`. */
export interface ModelsOptions {
  provider?: string;
  json?: boolean;
  refresh?: boolean;
}

/**
 * Adds `models` to `program`.
 * @param runF given, receives the parsed options instead of listing the models (./run-f.ts)
 */
export function registerModels(program: Command, ctx: CliContext, runF?: RunF<ModelsOptions>): void {
  program
    .command('models')
    .summary('list the models you can use, with efforts and context windows')
    .description(
      'List models per provider: the bundled catalogue, refined by the live model list of each provider ' +
        'you have credentials for (ChatGPT: GET /models; API key: GET /v1/models; each cached for 5 minutes ' +
        'under KOLEGA_HOME). Offline, the bundled list ' +
        'is shown with a note on stderr. On a terminal: a table (* = default); piped: one provider/model ' +
        'per line; --json: one JSON document (schema/models.schema.json).',
    )
    .option('-p, --provider <provider>', 'only this provider (openai_chatgpt, openai)')
    .option('--json', 'print one JSON document')
    .option('--refresh', 'ignore the cached live lists and fetch them again')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  kolega models\n' +
        '  kolega models --provider openai_chatgpt --refresh\n' +
        '  kolega models --json | jq -r \'.models[] | select(.is_default) | .provider + "/" + .id\'\n',
    )
    .action(async (opts: ModelsOptions) => {
      if (runF) return runF(opts);
      const { listModels } = await import('../models/list.js');
      await listModels(opts, ctx);
    });
}
