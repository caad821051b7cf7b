/** Argument helpers for tools: typed reads that throw a message the model can act on. */
import type { ToolResult } from './types.js';

/** A bad tool argument; becomes an `error` result. */
export class ToolArgError extends Error {}

/** Reads a required string argument. @throws ToolArgError */
export function strArg(args: Record<string, unknown>, name: string): string {
  const v = args[name];
  if (typeof v !== 'string') throw new ToolArgError(`argument "${name}" must be a string`);
  return v;
}

/** Reads an optional string argument. @throws ToolArgError when present but not a string */
export function optStrArg(args: Record<string, unknown>, name: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ToolArgError(`argument "${name}" must be a string`);
  return v;
}

/** Reads an optional positive integer argument. @throws ToolArgError */
export function intArg(args: Record<string, unknown>, name: string): number | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new ToolArgError(`argument "${name}" must be a non-negative integer`);
  return v;
}

/** An `error` result. */
export function errorResult(output: string): ToolResult {
  return { status: 'error', output };
}
