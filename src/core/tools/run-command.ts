/**
 * Running one command for `shell`: its own process group, a marker in its environment (see
 * proc-sweep.ts) so that processes that leave the group are found too, a timeout, the turn's
 * AbortSignal, bounded output capture.
 *
 * Output is collected until both pipes close, as `bash -c` in a terminal pipeline would: a
 * background writer (`exec > >(tee log)`, a short-lived child) gets to finish, and a background
 * process that keeps the pipe open holds the call until the timeout. When the pipes have closed,
 * or at the timeout or abort, whatever the command started is killed: its process group and every
 * marked process. Any command still running when kolega exits (e.g. a second Ctrl-C) is killed by
 * an exit hook.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { OutputCapture } from './output-capture.js';
import { newShellMark, SHELL_MARK_VAR, sweepMarked } from './proc-sweep.js';

/** What to run. */
export interface CommandSpec {
  file: string;
  args: string[];
  cwd: string;
  /** Its environment; SHELL_MARK_VAR is added. */
  env: NodeJS.ProcessEnv;
  /** Killed after this long, in ms. */
  timeoutMs: number;
  /** Killed when this aborts. */
  signal: AbortSignal;
  /** Output kept, in bytes (see OutputCapture). */
  maxOutputBytes: number;
}

/** How it ended. */
export interface CommandOutcome {
  /** Exit status; 128 + signal number when killed by a signal (shell convention); null if it never started. */
  exitCode: number | null;
  /** stdout and stderr in arrival order, truncated with a marker. */
  output: string;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the program could not be started. */
  spawnError?: string;
  durationMs: number;
}

/**
 * After a kill, how long to wait for the pipes to close before giving up on them, in ms (a
 * process that escaped both the group and the marker may still hold them).
 */
const DRAIN_AFTER_KILL_MS = 2000;

/** Commands running now: process group id -> marker. */
const live = new Map<number, string>();
let exitHookInstalled = false;

function killAll(pid: number | undefined, mark: string): void {
  if (pid !== undefined) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  sweepMarked(mark);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pid, mark] of live) killAll(pid, mark);
  });
}

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

function statusOf(code: number | null, sig: NodeJS.Signals | null): number | null {
  return code ?? (sig ? 128 + (SIGNAL_NUMBERS[sig] ?? 0) : null);
}

/**
 * Runs the command to completion (or until killed).
 * @returns the outcome; never throws (a spawn failure is reported in `spawnError`)
 */
export function runCommand(spec: CommandSpec): Promise<CommandOutcome> {
  installExitHook();
  const started = performance.now();
  const capture = new OutputCapture(spec.maxOutputBytes);
  const mark = newShellMark();
  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let exitStatus: number | null = null;
    let drainTimer: NodeJS.Timeout | undefined;
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: { ...spec.env, [SHELL_MARK_VAR]: mark },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) live.set(pid, mark);

    const finish = (spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      spec.signal.removeEventListener('abort', onAbort);
      killAll(pid, mark);
      if (pid !== undefined) live.delete(pid);
      child.stdout!.destroy();
      child.stderr!.destroy();
      resolve({
        exitCode: spawnError ? null : exitStatus,
        output: capture.text(),
        timedOut,
        aborted,
        spawnError,
        durationMs: Math.round(performance.now() - started),
      });
    };
    const killNow = () => {
      killAll(pid, mark);
      drainTimer ??= setTimeout(() => finish(), DRAIN_AFTER_KILL_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killNow();
    }, spec.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killNow();
    };
    if (spec.signal.aborted) onAbort();
    else spec.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (c: Buffer) => capture.push(c));
    child.stderr!.on('data', (c: Buffer) => capture.push(c));
    child.on('error', (err) => finish(err.message));
    child.on('exit', (code, sig) => {
      exitStatus = statusOf(code, sig);
    });
    // 'close': the process has exited and both pipes are closed (every writer is done).
    child.on('close', (code, sig) => {
      exitStatus ??= statusOf(code, sig);
      finish();
    });
  });
}
