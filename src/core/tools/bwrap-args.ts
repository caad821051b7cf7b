/**
 * The bubblewrap command line for `shell` under workspace-write: the host filesystem read-only,
 * the workspace and every `--add-dir` writable, a private /tmp, fresh /dev and /proc, separate
 * PID/IPC namespaces (so the whole tree dies with the sandbox), no network unless allowed, and the
 * credentials file masked.
 */
import { existsSync, statSync } from 'node:fs';

/** Inputs of `bwrapArgs`. */
export interface BwrapSpec {
  /** Directories the command may write (workspace first, then --add-dir), real absolute paths. */
  writable: string[];
  /** Files never readable inside (the credentials file); masked with /dev/null when they exist. */
  masked: string[];
  /** Keep the host network (--network). */
  network: boolean;
  /** Working directory inside (a real path under `writable` or readable). */
  cwd: string;
  /** The program and its arguments run inside. */
  command: string[];
}

/** bwrap's argv (without the bwrap binary itself). */
export function bwrapArgs(spec: BwrapSpec): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  // Binds come after the /tmp tmpfs so a workspace under /tmp is mounted on top of it.
  for (const dir of spec.writable) args.push('--bind', dir, dir);
  for (const file of spec.masked) {
    if (existsSync(file) && statSync(file).isFile()) args.push('--ro-bind', '/dev/null', file);
  }
  args.push('--unshare-pid', '--unshare-ipc');
  if (!spec.network) args.push('--unshare-net');
  // new-session: no controlling terminal to inject keystrokes into; die-with-parent: a killed
  // kolega takes the sandbox (and with the PID namespace, every process in it) along.
  args.push('--new-session', '--die-with-parent', '--chdir', spec.cwd, '--', ...spec.command);
  return args;
}
