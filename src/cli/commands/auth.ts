/**
 * `kolega auth`: login, status, logout — flags, help and examples only. The work lives in
 * `../auth/*.ts`, imported when a subcommand runs.
 */
import { Argument, Command, InvalidArgumentError } from 'commander';
import { LOGIN_TIMEOUT_SECONDS } from '../../core/auth/constants.js';
import type { CliContext } from '../context.js';
import type { RunF } from './run-f.js';
import { parseSeconds } from './run.js';

/** Options of `kolega auth login`. */
export interface LoginOptions {
  deviceAuth?: boolean;
  browser: boolean;
  port?: number;
  timeout: number;
  /** True when --timeout was given (the device flow otherwise waits up to 15 minutes). */
  timeoutGiven?: boolean;
  withApiKey?: boolean;
  /** openai: true = --verify (no verdict refuses), false = --no-verify (no check), undefined = check, store on no verdict. */
  verify?: boolean;
}

/** Options of `kolega auth logout`. */
export interface LogoutOptions {
  all?: boolean;
}

/** Options of `kolega auth status`. */
export interface StatusOptions {
  json?: boolean;
}

/** What an `auth` subcommand was asked (handed to a `runF`); `target` as typed, checked by the behaviour. */
export type AuthCommand =
  | { command: 'login'; target: string | undefined; options: LoginOptions }
  | { command: 'status'; options: StatusOptions }
  | { command: 'logout'; target: string | undefined; options: LogoutOptions };

/** Parses a TCP port (1-65535). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number (1-65535)');
  return n;
}

/**
 * The `[target]` argument of `auth login` / `auth logout`. Its choices feed the shell completion;
 * checking stays in ../auth/targets.ts (case-insensitive, one line naming the targets on error).
 */
function targetArgument(): Argument {
  return new Argument('[target]', 'chatgpt or openai').choices(['chatgpt', 'openai']).argParser((v: string) => v);
}

/**
 * Adds `auth` and its subcommands to `program`.
 * @param runF given, receives the parsed subcommand instead of running it (./run-f.ts)
 */
export function registerAuth(program: Command, ctx: CliContext, runF?: RunF<AuthCommand>): void {
  const auth = program
    .command('auth')
    .summary('sign in with ChatGPT or an API key, check or remove credentials')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  kolega auth login chatgpt                 # browser sign-in with a paid ChatGPT plan\n' +
        '  kolega auth status --json\n' +
        '  kolega auth logout --all\n',
    );
  auth
    .command('login')
    .summary('sign in: chatgpt (browser or device code) or openai (API key from stdin)')
    .addArgument(targetArgument())
    .option('--device-auth', 'chatgpt: sign in with a code on another device (no callback needed)')
    .option('--no-browser', 'chatgpt: do not open a browser; print the URL only')
    .option('--port <n>', 'chatgpt: callback port (default 1455, then 1457; other ports are for tests)', parsePort)
    .option(
      '--timeout <seconds>',
      'chatgpt: how long to wait for the sign-in (device code: at most 900)',
      parseSeconds,
      LOGIN_TIMEOUT_SECONDS,
    )
    .option('--with-api-key', 'openai: read the API key from stdin')
    .option('--verify', 'openai: refuse to store the key when it cannot be checked (network failure)')
    .option('--no-verify', 'openai: store the key without checking it online')
    .addHelpText(
      'after',
      '\nTargets:\n  chatgpt   sign in with a paid ChatGPT plan (browser, or --device-auth)\n  openai    store an OpenAI API key read from stdin (--with-api-key)\n' +
        '\nExamples:\n' +
        '  kolega auth login chatgpt\n' +
        '  kolega auth login chatgpt --device-auth      # on a remote machine\n' +
        '  printenv OPENAI_API_KEY | kolega auth login openai --with-api-key\n' +
        '\nThe API key is checked with one request to OPENAI_BASE_URL/models before it is stored: a refused\n' +
        'key (401/403) exits 3 and nothing is stored; when the check cannot be made (network) the key is\n' +
        'stored with a warning, or refused with --verify (exit 6).\n',
    )
    .action(async (target: string | undefined, opts: LoginOptions, cmd: Command) => {
      const options = { ...opts, timeoutGiven: cmd.getOptionValueSource('timeout') === 'cli' };
      if (runF) return runF({ command: 'login', target, options });
      // A bare `auth login` is one line naming the targets, exit 2 (executeLogin -> parseTarget).
      const { executeLogin } = await import('../auth/login.js');
      await executeLogin(target, options, ctx);
    });
  auth
    .command('status')
    .summary('show which credentials kolega would use (read-only; exit 3 when none are usable)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  kolega auth status\n  kolega auth status --json | jq .providers.openai_chatgpt.usable\n',
    )
    .action(async (opts: StatusOptions) => {
      if (runF) return runF({ command: 'status', options: opts });
      const { executeStatus } = await import('../auth/status.js');
      await executeStatus(opts, ctx);
    });
  auth
    .command('logout')
    .summary('revoke and delete stored credentials (chatgpt, openai, or --all)')
    .addArgument(targetArgument())
    .option('--all', 'remove every stored credential (also a corrupt credentials file)')
    .addHelpText(
      'after',
      '\nTargets:\n  chatgpt   revoke the refresh token (best effort) and delete the ChatGPT sign-in\n  openai    delete the stored API key\n' +
        '\nExamples:\n  kolega auth logout chatgpt\n  kolega auth logout --all\n',
    )
    .action(async (target: string | undefined, opts: LogoutOptions) => {
      if (runF) return runF({ command: 'logout', target, options: opts });
      const { executeLogout } = await import('../auth/logout.js');
      await executeLogout(target, opts, ctx);
    });
}
