/**
 * Running one command for `shell`: its own process group (so it and its children are killed
 * together), a timeout, the turn's AbortSignal, bounded output capture. Any group still alive when
 * kolega exits (e.g. a second Ctrl-C) is killed by an exit hook.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { OutputCapture } from './output-capture.js';

/** What to run. */
export interface CommandSpec {
  file: string;
  args: string[];
  cwd: string;
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

/** How long to wait for the pipes to drain after the process exited, in ms. */
const DRAIN_MS = 500;

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid);
  });
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

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
  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const child = spawn(spec.file, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    const kill = () => {
      if (pid !== undefined) killGroup(pid);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, spec.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    if (spec.signal.aborted) onAbort();
    else spec.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (c: Buffer) => capture.push(c));
    child.stderr!.on('data', (c: Buffer) => capture.push(c));

    const finish = (exitCode: number | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal.removeEventListener('abort', onAbort);
      kill();
      if (pid !== undefined) liveGroups.delete(pid);
      child.stdout!.destroy();
      child.stderr!.destroy();
      resolve({ exitCode, output: capture.text(), timedOut, aborted, spawnError, durationMs: Math.round(performance.now() - started) });
    };
    child.on('error', (err) => finish(null, err.message));
    child.on('exit', (code, sig) => {
      // The leader is gone; anything left in its group (a background child) goes too, then the
      // pipes drain ('close'), or are cut after DRAIN_MS if something outside the group holds them.
      kill();
      setTimeout(() => finish(statusOf(code, sig)), DRAIN_MS).unref();
    });
    child.on('close', (code, sig) => finish(statusOf(code, sig)));
  });
}
