/**
 * The layer fence of eslint.config.js: code under src/core may not import the CLI layer or terminal
 * libraries, nor touch process.exit/stdout/stderr; src/cli may. Linted in memory with the repository's
 * own config, so a config change that drops a fence fails here.
 */
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

/** The rule ids ESLint reports for `code` as if it were the file `file` (relative to the root). */
async function ruleIds(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${file}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('src/core boundary', () => {
  it.each([
    ["import chalk from 'chalk';\nexport const c = chalk;\n", 'no-restricted-imports'],
    ["import ora from 'ora';\nexport const o = ora;\n", 'no-restricted-imports'],
    ["import { Command } from 'commander';\nexport const c = Command;\n", 'no-restricted-imports'],
    ["import { IO } from '../cli/io.js';\nexport const i = IO;\n", 'no-restricted-imports'],
    ["import { main } from '../../cli/main.js';\nexport const m = main;\n", 'no-restricted-imports'],
    ['export function f(): void {\n  process.exit(1);\n}\n', 'no-restricted-properties'],
    ["export function f(): void {\n  process.stdout.write('x');\n}\n", 'no-restricted-properties'],
    ["export function f(): void {\n  process.stderr.write('x');\n}\n", 'no-restricted-properties'],
    ['const { stderr } = process;\nexport const s = stderr;\n', 'no-restricted-syntax'],
    ["export function f(): void {\n  console.log('x');\n}\n", 'no-console'],
  ])('refuses %j in src/core', async (code, rule) => {
    expect(await ruleIds(code, 'src/core/responses/example.ts')).toContain(rule);
  });

  it('allows the same imports and process.stdout in src/cli', async () => {
    const code =
      "import chalk from 'chalk';\nexport function f(): void {\n  process.stdout.write(chalk.dim('x'));\n}\n";
    expect(await ruleIds(code, 'src/cli/render/example.ts')).toEqual([]);
  });

  it('refuses a literal exit status outside src/cli/exit.ts', async () => {
    const code =
      "import type { CliContext } from '../context.js';\nexport function f(ctx: CliContext): void {\n  ctx.exitCode = 2;\n}\n";
    expect(await ruleIds(code, 'src/cli/commands/example.ts')).toContain('no-restricted-syntax');
    expect(await ruleIds(code.replace('= 2', '= 0'), 'src/cli/commands/example.ts')).toEqual([]);
  });

  it('keeps the exit-status table to the reporter and the entry point', async () => {
    const code = "import { EXIT_CODES } from '../exit.js';\nexport const c = EXIT_CODES.auth;\n";
    expect(await ruleIds(code, 'src/cli/auth/example.ts')).toContain('no-restricted-imports');
    expect(await ruleIds(code.replace(/EXIT_CODES/g, 'exitCodeFor'), 'src/cli/auth/example.ts')).toEqual([]);
    expect(await ruleIds(code.replace('../exit.js', './exit.js'), 'src/cli/main.ts')).toEqual([]);
  });

  it('lets only the entry point end the process', async () => {
    const code = 'export function f(): void {\n  process.exit(2);\n}\n';
    expect(await ruleIds(code, 'src/cli/commands/example.ts')).toContain('no-restricted-properties');
    expect(await ruleIds(code, 'src/cli/main.ts')).toEqual([]);
  });

  it('allows core code that only imports core modules', async () => {
    const code = "import { KolegaError } from '../errors.js';\nexport const e = new KolegaError('usage', 'x', 'y');\n";
    expect(await ruleIds(code, 'src/core/responses/example.ts')).toEqual([]);
  });
});
