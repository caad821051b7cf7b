/**
 * Process helpers for signal tests (Linux): wait until a child is idle (started and blocked), so a
 * test never races the child's start-up on a loaded machine.
 */
import { readFileSync } from 'node:fs';

/** CPU ticks (user + system) used so far by `pid`, or -1 when unreadable. */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return -1;
  }
}

/**
 * Waits until `pid` has used no CPU for `quietMs` (it finished starting up and is blocked, e.g. on
 * stdin), polling at most `ms`. Node catches SIGINT from its first instant (to restore the TTY), so
 * the signal mask cannot tell when kolega's own handler is in place; being idle can.
 * @returns whether it went idle
 */
export async function waitForIdle(pid: number, quietMs = 400, ms = 20_000): Promise<boolean> {
  const start = Date.now();
  let last = cpuTicks(pid);
  let since = Date.now();
  while (Date.now() - start < ms) {
    await new Promise((r) => setTimeout(r, 50));
    const now = cpuTicks(pid);
    if (now < 0) return false;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return true;
    }
  }
  return false;
}
