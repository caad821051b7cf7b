/**
 * Finding and ending every process one `shell` command started, also those that left its process
 * group (`setsid`, a double fork, bubblewrap's own `--new-session`): each command gets a unique
 * value in the environment variable SHELL_MARK_VAR, which children inherit, and a sweep reads
 * `/proc/<pid>/environ` (Linux proc(5)) for it. Best effort: a process that clears its environment
 * (`env -i`), or runs as another user, is not found. Without /proc (not Linux) the sweep finds nothing.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** The environment variable that marks a command's processes. */
export const SHELL_MARK_VAR = 'KOLEGA_SHELL_ID';

/** Most passes of `sweepMarked` (each pass also catches children forked during the previous one). */
const MAX_PASSES = 20;

/** A fresh marker value (random hex). */
export function newShellMark(): string {
  return randomBytes(9).toString('hex');
}

/** PIDs (host view) whose environment holds `SHELL_MARK_VAR=<mark>`, other than this process. */
export function markedProcesses(mark: string): number[] {
  const needle = Buffer.from(`\0${SHELL_MARK_VAR}=${mark}\0`);
  const first = Buffer.from(`${SHELL_MARK_VAR}=${mark}\0`);
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue; // gone, or another user's
    }
    if (env.includes(needle) || env.subarray(0, first.length).equals(first)) out.push(Number(entry));
  }
  return out;
}

/**
 * Sends SIGKILL to every process marked with `mark`, pass after pass until a pass finds none (or
 * MAX_PASSES). Synchronous, so it can run in an `exit` hook.
 * @returns how many processes were signalled
 */
export function sweepMarked(mark: string): number {
  let killed = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const pids = markedProcesses(mark);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
  }
  return killed;
}
