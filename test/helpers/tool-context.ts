/** A ToolContext over a fresh temporary workspace, for driving tools directly in unit tests. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SandboxLevel, ToolContext } from '../../src/core/tools/types.js';

/** A scratch area: `base` holds `ws` (the workspace root) and `outside` (a sibling directory). */
export interface Scratch {
  base: string;
  ws: string;
  outside: string;
  ctx: ToolContext;
  controller: AbortController;
  cleanup: () => void;
}

/** Creates the scratch area and a context with `sandbox` (default workspace-write). */
export function scratch(sandbox: SandboxLevel = 'workspace-write', extra: Partial<ToolContext> = {}): Scratch {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'kolega-tools-')));
  const ws = path.join(base, 'ws');
  const outside = path.join(base, 'outside');
  mkdirSync(ws);
  mkdirSync(outside);
  const controller = new AbortController();
  const ctx: ToolContext = {
    root: ws,
    addDirs: [],
    protectedPaths: [],
    sandbox,
    signal: controller.signal,
    env: process.env,
    ...extra,
  };
  return { base, ws, outside, ctx, controller, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
