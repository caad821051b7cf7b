/**
 * Spawning the real `bin/kolega` for end-to-end tests, with an isolated KOLEGA_HOME and an
 * environment free of the developer's own credentials and proxies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of bin/kolega. */
export const BIN = fileURLToPath(new URL('../../bin/kolega', import.meta.url));
/** Repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Default safety-net kill timer of a spawned CLI, in ms: long enough that a run on a two-core
 * machine kept busy by another process is never cut off, short enough to end a hung test.
 */
export const DEFAULT_KILL_AFTER_MS = 60_000;

/** The result of one CLI run. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time, in ms. */
  ms: number;
}

/** Options of `runCli`. */
export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  /** Bytes for stdin; `null` = /dev/null-like (closed at once); `'inherit-silent'` = a pipe never written nor closed. */
  stdin?: string | Buffer | null | 'silent-pipe';
  cwd?: string;
  /** Kill after this long, in ms (a safety net; tests assert on exit status; default 60 s, for a loaded machine). */
  killAfterMs?: number;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'kolega-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A base environment: PATH and HOME only, no proxies or keys of the developer. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    NO_COLOR: '1',
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Spawns bin/kolega with `args`. */
export function spawnCli(args: string[], opts: RunCliOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: baseEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (opts.stdin === 'silent-pipe') {
    // leave stdin open and silent, like an inherited never-closed pipe
  } else if (opts.stdin === undefined || opts.stdin === null) {
    child.stdin!.end();
  } else {
    child.stdin!.end(opts.stdin);
  }
  child.stdin!.on('error', () => undefined);
  return child;
}

/** Runs bin/kolega to completion and collects its output. */
export function runCli(args: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  const started = Date.now();
  const child = spawnCli(args, opts);
  return collect(child, started, opts.killAfterMs ?? DEFAULT_KILL_AFTER_MS);
}

/** Collects output of a spawned CLI until it exits. */
export function collect(
  child: ChildProcess,
  started = Date.now(),
  killAfterMs = DEFAULT_KILL_AFTER_MS,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}
