/**
 * The work of `kolega doctor`: run the core checks, print them (text or one JSON document:
 * schema/doctor.schema.json) and throw the first failure, whose class decides the exit status.
 */
import { runDoctorChecks, type CheckResult } from './checks/index.js';
import { kolegaHome } from '../../core/store/paths.js';
import { kolegaVersion } from '../../core/version.js';
import type { DoctorOptions } from '../commands/doctor.js';
import type { CliContext } from '../context.js';
import { KolegaError } from '../../core/errors.js';
import { EXIT_OK, exitCodeFor } from '../exit.js';
import { IO } from '../io.js';

/** The `--json` document. */
export interface DoctorDocument {
  schema_version: 1;
  kolega_version: string;
  /** True when no check failed. */
  ok: boolean;
  /** The exit status doctor ends with. */
  exit_code: number;
  summary: { ok: number; warn: number; fail: number; fixed: number };
  checks: CheckResult[];
}

/**
 * The error doctor ends with: none without failures, else the first failed check as a KolegaError
 * of its class (config 2, auth 3, network 6), `alreadyShown` since the report names it and its fix.
 */
export function doctorFailure(checks: CheckResult[]): KolegaError | undefined {
  const first = checks.find((c) => c.status === 'fail');
  if (!first) return undefined;
  return new KolegaError(first.class, `doctor_${first.id}`, `${first.title}: ${first.message}`, {
    hint: first.fix,
    alreadyShown: true,
  });
}

/** Renders the text report (stdout): one line per check, then its fix. */
export function renderDoctorText(doc: DoctorDocument, color: boolean): string {
  const paint = (s: string, code: number): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const label = { ok: paint('ok  ', 32), warn: paint('warn', 33), fail: paint('FAIL', 31) } as const;
  const w = Math.max(...doc.checks.map((c) => c.title.length));
  const lines = doc.checks.map((c) => {
    let line = `${label[c.status]}  ${c.title.padEnd(w)}  ${c.message}${c.fixed ? ' (fixed)' : ''}`;
    if (c.fix) line += `\n      ${' '.repeat(w)}  fix: ${c.fix}`;
    return line;
  });
  const s = doc.summary;
  lines.push(
    '',
    `${s.fail} failed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.ok} ok${s.fixed ? `, ${s.fixed} fixed` : ''}`,
  );
  return lines.join('\n') + '\n';
}

/**
 * Runs `kolega doctor`: prints the report, then throws the first failed check (doctorFailure), if any.
 * @throws KolegaError (already shown by the report)
 */
export async function runDoctor(opts: DoctorOptions, ctx: CliContext): Promise<void> {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const checks = await runDoctorChecks({
    home: kolegaHome(ctx.env),
    env: ctx.env,
    fix: opts.fix === true,
    online: opts.online === true,
    timeoutMs: Math.round(opts.timeout * 1000),
    terminal: { stdoutTTY: io.stdoutIsTTY, stderrTTY: io.stderrIsTTY, color: io.color, term: ctx.env.TERM },
    debug: (l) => io.debug(l),
  });
  const failure = doctorFailure(checks);
  const exit = failure ? exitCodeFor(failure) : EXIT_OK;
  const count = (s: CheckResult['status']) => checks.filter((c) => c.status === s).length;
  const doc: DoctorDocument = {
    schema_version: 1,
    kolega_version: kolegaVersion(),
    ok: exit === 0,
    exit_code: exit,
    summary: { ok: count('ok'), warn: count('warn'), fail: count('fail'), fixed: checks.filter((c) => c.fixed).length },
    checks,
  };
  io.out(opts.json ? JSON.stringify(doc, null, 2) + '\n' : renderDoctorText(doc, io.color && io.stdoutIsTTY));
  if (failure) throw failure;
}
