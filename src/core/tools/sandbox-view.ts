/**
 * What the sandbox of a run keeps read-only and hides, as reported in `turn.started`
 * (`protected_paths`, `masked_paths`) and by `doctor`.
 */
import { existsSync } from 'node:fs';
import { applyMasks } from './masked-paths.js';
import { realpathLenient } from './paths.js';
import { protectedPaths, writableRoots } from './protected-dirs.js';
import type { ToolContext } from './types.js';

/** Paths as reported (real absolute paths, only those that exist now). */
export interface SandboxView {
  /** Read-only inside the writable roots (workspace-write only; empty otherwise). */
  protected_paths: string[];
  /** Hidden from tools (read-only and workspace-write; empty under full-access). */
  masked_paths: string[];
}

/** The view for `ctx`; never throws (unresolvable roots are skipped). */
export function sandboxView(ctx: ToolContext): SandboxView {
  if (ctx.sandbox === 'full-access') return { protected_paths: [], masked_paths: [] };
  const roots: string[] = [];
  for (const r of writableRoots(ctx)) {
    try {
      roots.push(realpathLenient(r));
    } catch {
      // unresolvable: nothing to report for it
    }
  }
  const masked = applyMasks(ctx.maskedPaths ?? [], roots).masks.filter((p) => existsSync(p));
  const prot = ctx.sandbox === 'workspace-write' ? protectedPaths(roots).existing : [];
  return { protected_paths: prot, masked_paths: masked };
}
