/**
 * Path confinement for file tools: a path is resolved against the workspace root, through symlinks
 * (also for files that do not exist yet: the nearest existing ancestor is resolved), and must stay
 * inside the root or an `--add-dir`; the credentials file is never reachable, and below
 * full-access neither are the masked secrets (masked-paths.ts).
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { isMasked } from './masked-paths.js';
import type { ToolContext } from './types.js';

/** Why a path was refused. */
export class PathDenied extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathDenied';
  }
}

/**
 * realpath of `p`, or of its nearest existing ancestor joined with the rest. A dangling symlink on
 * the way is followed to where it points (writing through it would create the file there).
 * @throws the fs error for anything but a missing path (e.g. ELOOP, EACCES)
 */
export function realpathLenient(p: string, depth = 0): string {
  const rest: string[] = [];
  let cur = path.resolve(p);
  for (;;) {
    try {
      const real = realpathSync(cur);
      return rest.length === 0 ? real : path.join(real, ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const target = danglingTarget(cur);
      if (target !== undefined) {
        if (depth > 40) throw Object.assign(new Error(`too many symbolic links: ${p}`), { code: 'ELOOP' });
        const real = realpathLenient(target, depth + 1);
        return rest.length === 0 ? real : path.join(real, ...rest.reverse());
      }
      const parent = path.dirname(cur);
      if (parent === cur) return path.join(cur, ...rest.reverse());
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

/** Where the symlink `p` points (absolute) when `p` is a symlink; undefined otherwise. */
function danglingTarget(p: string): string | undefined {
  try {
    if (!lstatSync(p).isSymbolicLink()) return undefined;
    return path.resolve(path.dirname(p), readlinkSync(p));
  } catch {
    return undefined;
  }
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves a tool path argument.
 * @param p the path the model gave (relative to the root, or absolute)
 * @returns the real absolute path
 * @throws PathDenied when it leaves the workspace (and every --add-dir) or names a protected file
 */
export function resolveToolPath(ctx: ToolContext, p: string): string {
  if (typeof p !== 'string' || p === '') throw new PathDenied('path must be a non-empty string');
  if (p.includes('\0')) throw new PathDenied('path contains a NUL byte');
  const real = realpathLenient(path.resolve(ctx.root, p));
  const roots = [ctx.root, ...ctx.addDirs].map((r) => realpathLenient(r));
  if (!roots.some((r) => inside(real, r))) {
    throw new PathDenied(`${p} is outside the workspace (${ctx.root}); only files inside it are accessible`);
  }
  if (ctx.protectedPaths.some((c) => realpathLenient(c) === real)) {
    throw new PathDenied(`${p} is kolega's credentials file and is never accessible to tools`);
  }
  if (maskedFor(ctx, real, roots)) {
    throw new PathDenied(
      `${p} is a secret path (credentials, keys or tokens) that tools cannot read under --sandbox ${ctx.sandbox}; ` +
        'the user can allow it with --add-dir naming that path, or with --sandbox full-access',
    );
  }
  return real;
}

/** The path of `real` as shown to the model: relative to the root when inside it. */
export function displayPath(ctx: ToolContext, real: string): string {
  const root = realpathLenient(ctx.root);
  const rel = path.relative(root, real);
  return rel === '' ? '.' : inside(real, root) ? rel : real;
}

function maskedFor(ctx: ToolContext, real: string, roots: string[]): boolean {
  return ctx.sandbox !== 'full-access' && (ctx.maskedPaths?.length ?? 0) > 0 && isMasked(real, ctx.maskedPaths!, roots);
}

/** True when `real` is the credentials file or a masked secret (for directory walks that must skip it). */
export function isProtected(ctx: ToolContext, real: string): boolean {
  if (ctx.protectedPaths.some((p) => realpathLenient(p) === real)) return true;
  return maskedFor(
    ctx,
    real,
    [ctx.root, ...ctx.addDirs].map((r) => realpathLenient(r)),
  );
}
