/** `kolega doctor`: flags, help and examples only; the checks are in `../doctor/checks/`. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { RunF } from './run-f.js';
import { parseSeconds } from './run.js';

/** Parsed options of `kolega doctor`. */
export interface DoctorOptions {
  json?: boolean;
  fix?: boolean;
  /** Also check the credentials with one authenticated request. */
  online?: boolean;
  timeout: number;
}

/**
 * Adds `doctor` to `program`.
 * @param runF given, receives the parsed options instead of running the checks (./run-f.ts)
 */
export function registerDoctor(program: Command, ctx: CliContext, runF?: RunF<DoctorOptions>): void {
  program
    .command('doctor')
    .summary('check the setup: files, sign-in, network, proxy, clock, terminal, sandbox')
    .description(
      'Run read-only checks and print each as ok, warn or fail with a one-line fix. Network checks ' +
        'resolve, connect, handshake and request the issuer, the ChatGPT base and the OpenAI base, ' +
        'through the proxy when one is configured. Exit 0 when nothing fails, else the status of the ' +
        'first failed class (2 configuration, 3 authentication, 6 network). --fix tightens file ' +
        'permissions. --online also sends one authenticated request (API key: GET /models of the ' +
        'OpenAI API; ChatGPT: the live model list, renewing an expired access token first).',
    )
    .option('--json', 'print one JSON document (schema/doctor.schema.json)')
    .option('--fix', 'repair what is safe to repair (permissions of KOLEGA_HOME and its files)')
    .option(
      '--online',
      'also check the credentials kolega run would use with one authenticated request (check auth.online)',
    )
    .option('--timeout <seconds>', 'time limit per network check', parseSeconds, 5)
    .addHelpText(
      'after',
      '\nExamples:\n  kolega doctor\n  kolega doctor --online\n  kolega doctor --json | jq \'.checks[] | select(.status != "ok")\'\n',
    )
    .action(async (opts: DoctorOptions) => {
      if (runF) return runF(opts);
      const { runDoctor } = await import('../doctor/run.js');
      await runDoctor(opts, ctx);
    });
}
