// ESLint flat config (https://eslint.org/docs/latest/use/configure/configuration-files).
// Besides the recommended rules, it fences the layers: src/core never reaches the terminal or the
// CLI layer (the same idea as gemini-cli's eslint.config.js for its core package,
// https://github.com/google-gemini/gemini-cli/blob/main/eslint.config.js), and only the CLI's entry
// point and signal handler may end the process. Formatting is Prettier's (.prettierrc.json).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Modules that write to a terminal or parse argv: CLI-only. */
const TERMINAL_MODULES = ['chalk', 'ora', 'commander'];

/** Exit statuses are named in src/cli/exit.ts (EXIT_CODES), never written as numbers elsewhere. */
const EXIT_LITERAL = {
  selector: "AssignmentExpression[left.property.name='exitCode'] > Literal.right[value!=0]",
  message: 'use EXIT_CODES from src/cli/exit.ts: exit statuses are mapped in one place.',
};

/** Destructuring the terminal streams or exit out of `process`. */
const PROCESS_DESTRUCTURE = {
  selector:
    "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name=/^(exit|exitCode|stdout|stderr)$/]",
  message: 'src/core never ends the process or writes to a terminal.',
};

/** `process.<name>` accesses that belong to the CLI layer. */
const processOnly = (names, message) => names.map((property) => ({ object: 'process', property, message }));

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'completions/**', 'src/core/models/codex-catalogue.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: globals.node,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsc's noUnusedLocals/noUnusedParameters report these; `_`-prefixed names are deliberate.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Rejecting control characters in server text and user input is deliberate.
      'no-control-regex': 'off',
      'no-console': 'error',
    },
  },
  {
    // The layer boundary: core code returns values, throws KolegaError and calls the sinks it is
    // given; the CLI decides what reaches stdout/stderr and the exit status.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: TERMINAL_MODULES.map((name) => ({ name, message: 'src/core has no terminal: keep this in src/cli.' })),
          patterns: [
            {
              group: ['**/cli', '**/cli/**'],
              message: 'src/core must not import src/cli (dependencies flow cli -> core).',
            },
            { group: ['chalk/*', 'ora/*', 'commander/*'], message: 'src/core has no terminal: keep this in src/cli.' },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        ...processOnly(
          ['exit', 'exitCode', 'stdout', 'stderr'],
          'src/core never ends the process or writes to a terminal: return or throw, and let src/cli report.',
        ),
      ],
    },
  },
  {
    // Only the entry point (and the second-signal exit) may end the process.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/main.ts', 'src/cli/signals.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...processOnly(['exit'], 'only src/cli/main.ts ends the process: throw a KolegaError instead.'),
        ...processOnly(['exitCode'], 'only src/cli/main.ts sets the exit status.'),
      ],
      'no-restricted-syntax': ['error', EXIT_LITERAL],
    },
  },
  {
    // The exit-status table is read by the reporter (exit.ts) and the process's ends (main.ts,
    // signals.ts) only: a command throws a KolegaError and never picks a status itself.
    files: ['src/cli/**/*.ts'],
    ignores: ['src/cli/exit.ts', 'src/cli/main.ts', 'src/cli/signals.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/exit.js'],
              importNames: ['EXIT_CODES'],
              message: 'throw a KolegaError: src/cli/exit.ts (reportError) maps it to the exit status.',
            },
          ],
        },
      ],
    },
  },
  {
    // Core keeps both fences: the rules above would otherwise replace the core lists for src/core.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...processOnly(
          ['exit', 'exitCode', 'stdout', 'stderr'],
          'src/core never ends the process or writes to a terminal: return or throw, and let src/cli report.',
        ),
      ],
      'no-restricted-syntax': ['error', EXIT_LITERAL, PROCESS_DESTRUCTURE],
    },
  },
  {
    // Tests, fakes, scripts and benchmarks are programs of their own: they may print and exit.
    files: ['test/**', 'bench/**', 'scripts/**', 'bin/**', '**/*.mjs', '*.config.*'],
    rules: { 'no-console': 'off' },
  },
);
