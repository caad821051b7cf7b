/**
 * The built-in tools and the sandbox policy that decides which are offered (docs/design.md "Tools and
 * the sandbox"). A tool above the policy's level is not offered; a call to it anyway is `denied`
 * with a reason the model can read.
 */
import { grepTool } from './grep.js';
import { listDirTool } from './list-dir.js';
import { readFileTool } from './read-file.js';
import { editFileTool } from './edit-file.js';
import { writeFileTool } from './write-file.js';
import { shellTool } from './shell.js';
import { PathDenied } from './paths.js';
import { ToolArgError } from './args.js';
import { levelAllows, type SandboxLevel, type Tool, type ToolContext, type ToolResult } from './types.js';

/** What decides the built-in tools' levels. */
export interface BuiltinToolOptions {
  /**
   * Path of a working bwrap (see probeSandbox): `shell` is then a workspace-write tool; with null
   * it needs full-access. Undefined = not probed (read-only runs): assume the sandbox works.
   */
  bwrap?: string | null;
}

/** Every built-in tool, whatever its level. */
export function builtinTools(options: BuiltinToolOptions = {}): Tool[] {
  const bwrap = options.bwrap === undefined ? 'bwrap' : options.bwrap;
  return [readFileTool, listDirTool, grepTool, writeFileTool, editFileTool, shellTool({ bwrap })];
}

/** The tools `sandbox` offers out of `all`. */
export function offeredTools(all: Tool[], sandbox: SandboxLevel): Tool[] {
  return all.filter((t) => levelAllows(sandbox, t.level));
}

/**
 * Executes one function call under the policy.
 * @param rawArguments the call's `arguments` string (JSON); invalid JSON is never executed
 * @returns the result (never throws: failures become `error` results)
 */
export async function executeToolCall(
  all: Tool[],
  offered: Tool[],
  name: string,
  rawArguments: string,
  ctx: ToolContext,
): Promise<ToolResult> {
  const tool = all.find((t) => t.name === name);
  if (!tool) {
    return {
      status: 'error',
      output: `unknown tool "${name}"; available tools: ${offered.map((t) => t.name).join(', ') || 'none'}`,
    };
  }
  if (!offered.includes(tool)) {
    return {
      status: 'denied',
      output: `tool "${name}" is not allowed under the ${ctx.sandbox} sandbox (it needs ${tool.level}); the user must rerun with --sandbox ${tool.level}`,
    };
  }
  let args: unknown;
  try {
    args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
  } catch (err) {
    return {
      status: 'error',
      output: `arguments are not valid JSON (${(err as Error).message}); the call was not executed`,
    };
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    return { status: 'error', output: 'arguments must be a JSON object; the call was not executed' };
  }
  try {
    return await tool.run(args as Record<string, unknown>, ctx);
  } catch (err) {
    if (err instanceof PathDenied) return { status: 'denied', output: err.message };
    if (err instanceof ToolArgError) return { status: 'error', output: err.message };
    return { status: 'error', output: (err as Error).message ?? String(err) };
  }
}
