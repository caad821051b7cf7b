/**
 * The bubblewrap command line for `shell` under workspace-write: the host filesystem read-only,
 * the workspace and every `--add-dir` writable except their protected directories (read-only
 * again, see protected-dirs.ts), secrets replaced by empty read-only mounts (masked-paths.ts), a
 * private /tmp, fresh /dev and /proc, separate PID/IPC namespaces (so the whole tree dies with the
 * sandbox), no network unless allowed, and the credentials file masked.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** Inputs of `bwrapArgs`. */
export interface BwrapSpec {
  /** Directories the command may write (workspace first, then --add-dir), real absolute paths. */
  writable: string[];
  /** Existing directories inside `writable` that stay read-only (real absolute paths). */
  readOnly?: string[];
  /** Secrets to hide (real absolute paths): each existing one becomes an empty read-only mount. */
  hidden?: string[];
  /** Writable roots that lie inside a hidden path; they are mounted again on top of it. */
  rebind?: string[];
  /** Files never readable inside (the credentials file); masked with /dev/null when they exist. */
  masked: string[];
  /** Keep the host network (--network). */
  network: boolean;
  /** Working directory inside (a real path under `writable` or readable). */
  cwd: string;
  /** The program and its arguments run inside. */
  command: string[];
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * An empty mount over `p`. A directory becomes an empty tmpfs with mode 0555 (the command, without
 * capabilities, cannot write it), also remounted read-only unless a writable root must be mounted
 * inside it (a read-only remount would apply to that submount as well).
 */
function hide(args: string[], p: string, hasRootInside: boolean): void {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory()) args.push('--ro-bind', '/dev/null', p);
  else if (hasRootInside) args.push('--perms', '0555', '--tmpfs', p);
  else args.push('--perms', '0555', '--tmpfs', p, '--remount-ro', p);
}

/** bwrap's argv (without the bwrap binary itself). Mounts apply in order: later ones cover earlier ones. */
export function bwrapArgs(spec: BwrapSpec): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  const readOnly = spec.readOnly ?? [];
  const hidden = spec.hidden ?? [];
  // Binds come after the /tmp tmpfs so a workspace under /tmp is mounted on top of it.
  for (const dir of spec.writable) args.push('--bind', dir, dir);
  for (const dir of readOnly) {
    if (existsSync(dir) && !hidden.some((h) => isInside(dir, h))) args.push('--ro-bind', dir, dir);
  }
  for (const p of hidden)
    hide(
      args,
      p,
      (spec.rebind ?? []).some((r) => isInside(r, p)),
    );
  for (const root of spec.rebind ?? []) {
    args.push('--bind', root, root);
    for (const dir of readOnly) if (isInside(dir, root) && existsSync(dir)) args.push('--ro-bind', dir, dir);
  }
  for (const file of spec.masked) {
    if (existsSync(file) && statSync(file).isFile()) args.push('--ro-bind', '/dev/null', file);
  }
  // cap-drop ALL: run by root, bwrap would otherwise keep every capability inside, and
  // `mount -o remount,rw /` would undo the read-only binds.
  args.push('--unshare-pid', '--unshare-ipc', '--cap-drop', 'ALL');
  if (!spec.network) args.push('--unshare-net');
  // new-session: no controlling terminal to inject keystrokes into; die-with-parent: a killed
  // kolega takes the sandbox (and with the PID namespace, every process in it) along.
  args.push('--new-session', '--die-with-parent', '--chdir', spec.cwd, '--', ...spec.command);
  return args;
}
