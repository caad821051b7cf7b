/** Shapes shared by the doctor checks (the `--json` document: schema/doctor.schema.json). */

/** Outcome of one check. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** Which exit class a failed check belongs to (2 config, 3 auth, 6 network). */
export type CheckClass = 'config' | 'auth' | 'network';

/** One check result. */
export interface CheckResult {
  /** Stable id, e.g. `credentials.permissions`, `network.chatgpt`. */
  id: string;
  /** Short human label. */
  title: string;
  status: CheckStatus;
  class: CheckClass;
  /** One line saying what was found. */
  message: string;
  /** One line saying how to fix it (present for warn and fail). */
  fix?: string;
  /** True when `--fix` repaired the problem. */
  fixed?: boolean;
  /** Machine-readable facts (no secrets). */
  details?: Record<string, unknown>;
}

/** Facts about the terminal, measured by the CLI layer (core never looks at a terminal). */
export interface TerminalFacts {
  stdoutTTY: boolean;
  stderrTTY: boolean;
  color: boolean;
  term?: string;
}

/** Inputs of the doctor. */
export interface DoctorInput {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Repair what is safe to repair. */
  fix: boolean;
  /** Per network step, ms. */
  timeoutMs: number;
  terminal: TerminalFacts;
  /** Also check the credentials with one authenticated request (`--online`: check `auth.online`). */
  online?: boolean;
  /** Node version to check (default: the running one). */
  nodeVersion?: string;
  debug?: (line: string) => void;
}

/** Builds a result (small helper keeping the checks readable). */
export function check(
  id: string,
  title: string,
  cls: CheckClass,
  status: CheckStatus,
  message: string,
  fix?: string,
  details?: Record<string, unknown>,
): CheckResult {
  const r: CheckResult = { id, title, status, class: cls, message };
  if (fix !== undefined && status !== 'ok') r.fix = fix;
  if (details !== undefined) r.details = details;
  return r;
}
