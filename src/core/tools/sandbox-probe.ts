/**
 * Whether the `shell` sandbox works here: bubblewrap (`bwrap`) must be installed and able to create
 * the namespaces kolega uses. The probe runs bwrap once with the same isolation flags as a real
 * command (`true` inside); the answer is cached for the process. `doctor` reports it.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The sandbox status. */
export interface SandboxStatus {
  /** True when commands can run inside bwrap. */
  available: boolean;
  /** Absolute path of the bwrap binary, or null when not found on PATH. */
  bwrap: string | null;
  /** Why it is unavailable (one line), when it is. */
  reason?: string;
  /** How to enable it, when it is unavailable. */
  hint?: string;
}

/** Longest the probe may take, in ms. */
export const PROBE_TIMEOUT_MS = 5000;

/** Finds `bwrap` on `PATH`. @returns its absolute path, or null */
export function findBwrap(env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'bwrap');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** The isolation flags the probe exercises; `shell` uses the same (see bwrap-args.ts). */
export const PROBE_ARGS = [
  '--ro-bind',
  '/',
  '/',
  '--dev',
  '/dev',
  '--proc',
  '/proc',
  '--tmpfs',
  '/tmp',
  '--unshare-pid',
  '--unshare-ipc',
  '--cap-drop',
  'ALL',
  '--unshare-net',
  '--new-session',
  '--die-with-parent',
  'true',
];

let cached: Promise<SandboxStatus> | undefined;

/**
 * Probes bwrap (once per process unless `fresh`).
 * @returns the status; never throws
 */
export function probeSandbox(options: { env: NodeJS.ProcessEnv; fresh?: boolean }): Promise<SandboxStatus> {
  if (cached && !options.fresh) return cached;
  cached = runProbe(options.env);
  return cached;
}

function runProbe(env: NodeJS.ProcessEnv): Promise<SandboxStatus> {
  const bwrap = findBwrap(env);
  const hint =
    'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and allow unprivileged user namespaces, or use --sandbox full-access';
  if (!bwrap)
    return Promise.resolve({ available: false, bwrap: null, reason: 'bwrap (bubblewrap) is not installed', hint });
  return new Promise((resolve) => {
    execFile(bwrap, PROBE_ARGS, { timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => {
      if (!err) return resolve({ available: true, bwrap });
      const why = String(stderr).trim().split('\n')[0] || (err as Error).message;
      resolve({ available: false, bwrap, reason: `bwrap cannot create a sandbox here: ${why}`, hint });
    });
  });
}
