/** Looking for leftover processes by a unique marker in their command line (Linux /proc). */
import { readdirSync, readFileSync } from 'node:fs';

/** PIDs (host namespace) whose command line contains `marker`, excluding this process. */
export function processesMatching(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = /State:\s+(\w)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (cmd.includes(marker) && state !== 'Z') out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** A marker unlikely to appear elsewhere: a sleep duration like `317.04213`. */
export function uniqueSleepSeconds(): string {
  return `${300 + Math.floor(Math.random() * 600)}.${String(process.pid).padStart(5, '0')}${Math.floor(Math.random() * 1000)}`;
}

/** Waits until `check()` is true or `ms` passed. @returns the last value of check() */
export async function waitFor(check: () => boolean, ms = 3000, step = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return check();
}
