/**
 * Directories that stay read-only inside the writable roots under workspace-write: `.git`,
 * `.codex`, `.agents` and `.kolega` at the top of the workspace and of every `--add-dir` root.
 * Code written there runs later outside any sandbox (a git hook, `core.fsmonitor` in
 * `.git/config`, agent instructions and configuration), so neither the file tools nor `shell` may
 * change them. Codex 0.171 keeps the same names read-only in its workspace-write profile
 * (docs/protocol.md). When `.git` is a file (`gitdir: <path>`, a worktree or a submodule), the git
 * directory it names, and that directory's `commondir`, are protected too (gitrepository-layout(5),
 * https://git-scm.com/docs/gitrepository-layout). full-access lifts all of this.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PathDenied, realpathLenient } from './paths.js';
import type { ToolContext } from './types.js';

/** The names protected at the top of each writable root. */
export const PROTECTED_NAMES: readonly string[] = ['.git', '.codex', '.agents', '.kolega'];

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrUndefined(p: string): string | undefined {
  try {
    return realpathLenient(p);
  } catch {
    return undefined;
  }
}

/** The git directory named by a `.git` file (`gitdir: <path>`), and its `commondir`; [] when unreadable. */
function gitFileTargets(gitFile: string): string[] {
  let text: string;
  try {
    text = readFileSync(gitFile, 'utf8');
  } catch {
    return [];
  }
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(text);
  if (!m) return [];
  const gitdir = path.resolve(path.dirname(gitFile), m[1]!);
  const out = [gitdir];
  try {
    const common = readFileSync(path.join(gitdir, 'commondir'), 'utf8').trim();
    if (common !== '') out.push(path.resolve(gitdir, common));
  } catch {
    // not a linked worktree
  }
  return out;
}

/**
 * The protected paths of `roots`, as real absolute paths, the ones that exist first.
 * @param roots writable roots (workspace first, then --add-dir)
 * @returns `existing`: paths present now (bubblewrap can bind them read-only); `all`: those plus
 *   the names not created yet (the file tools refuse to create them)
 */
export function protectedPaths(roots: string[]): { existing: string[]; all: string[] } {
  const existing = new Set<string>();
  const all = new Set<string>();
  for (const root of roots) {
    const realRoot = realOrUndefined(root);
    if (realRoot === undefined) continue;
    for (const name of PROTECTED_NAMES) {
      const entry = path.join(realRoot, name);
      const real = realOrUndefined(entry) ?? entry;
      all.add(entry);
      all.add(real);
      const st = statSync(real, { throwIfNoEntry: false });
      if (!st) continue;
      existing.add(real);
      if (name === '.git' && st.isFile()) {
        for (const target of gitFileTargets(real)) {
          const t = realOrUndefined(target);
          if (t !== undefined && statSync(t, { throwIfNoEntry: false })?.isDirectory()) {
            existing.add(t);
            all.add(t);
          }
        }
      }
    }
  }
  return { existing: [...existing], all: [...all] };
}

/** The writable roots of `ctx`: the workspace, then every --add-dir. */
export function writableRoots(ctx: ToolContext): string[] {
  return [ctx.root, ...ctx.addDirs];
}

/**
 * Refuses a write to `real` (a resolved tool path) inside a protected path, unless the sandbox is
 * full-access.
 * @param shown the path as the model gave it (for the message)
 * @throws PathDenied saying why and how the user can allow it
 */
export function assertWritable(ctx: ToolContext, real: string, shown: string): void {
  if (ctx.sandbox === 'full-access') return;
  const hit = protectedPaths(writableRoots(ctx)).all.find((p) => isInside(real, p));
  if (hit === undefined) return;
  throw new PathDenied(
    `${shown} is inside ${hit}, which stays read-only under --sandbox ${ctx.sandbox}: ` +
      `${path.basename(hit)} holds git hooks, git configuration or agent settings that would run or apply outside the sandbox later. ` +
      'Nothing was written; to allow it the user must rerun with --sandbox full-access',
  );
}
