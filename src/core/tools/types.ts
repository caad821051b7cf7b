/**
 * Function tools the model may call, and the sandbox levels that gate them (docs/design.md "Tools and
 * the sandbox").
 */

/** Sandbox levels, from least to most permissive. */
export type SandboxLevel = 'read-only' | 'workspace-write' | 'full-access';

/** All levels in order. */
export const SANDBOX_LEVELS: readonly SandboxLevel[] = ['read-only', 'workspace-write', 'full-access'];

/** True when `have` allows a tool that needs `need`. */
export function levelAllows(have: SandboxLevel, need: SandboxLevel): boolean {
  return SANDBOX_LEVELS.indexOf(have) >= SANDBOX_LEVELS.indexOf(need);
}

/** What a tool may touch. */
export interface ToolContext {
  /** Workspace root as given (absolute). */
  root: string;
  /** Extra writable/readable roots (`--add-dir`), absolute. */
  addDirs: string[];
  /** Files no tool may read or write (the credentials file), absolute. */
  protectedPaths: string[];
  /**
   * Secrets hidden from tools below full-access (see masked-paths.ts), real absolute paths; a
   * writable root that is one of them, or lies inside one, unmasks it. Default none.
   */
  maskedPaths?: string[];
  sandbox: SandboxLevel;
  /** `shell` keeps the network inside its sandbox (`--network`); default false. */
  network?: boolean;
  /** Aborted on SIGINT/timeout; tools must stop promptly. */
  signal: AbortSignal;
  /** The environment kolega was given (the CLI's, injectable): `shell` commands start from it. */
  env: NodeJS.ProcessEnv;
}

/** The result of one call, returned to the model as `function_call_output`. */
export interface ToolResult {
  status: 'ok' | 'error' | 'denied';
  /** Text for the model. */
  output: string;
  /** Exit status of a shell command. */
  exit_code?: number;
}

/** A function tool. */
export interface Tool {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  /** The lowest sandbox level that offers this tool. */
  level: SandboxLevel;
  /**
   * Runs the call. Expected failures (missing file, bad argument) return `status: 'error'` rather
   * than throwing; a throw is treated as an error result too.
   */
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
}
