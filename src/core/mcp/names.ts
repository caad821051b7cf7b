/**
 * Function-tool names for MCP tools: `mcp__<server>__<tool>`, every character outside
 * `[a-zA-Z0-9_-]` replaced by `_` (docs/protocol.md §e.6), at most 64 characters (longer names are cut
 * and end in a short hash), unique within the run (a clash gets `_2`, `_3`...).
 */
import { createHash } from 'node:crypto';

/** Longest function name the Responses API accepts. */
export const MAX_TOOL_NAME = 64;

function sanitize(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/**
 * The function name for `tool` of `server`, not yet in `taken` (which it is added to).
 * @returns a name matching ^[a-zA-Z0-9_-]{1,64}$
 */
export function mcpToolName(server: string, tool: string, taken: Set<string>): string {
  let name = `mcp__${sanitize(server)}__${sanitize(tool)}`;
  if (name.length > MAX_TOOL_NAME) {
    const hash = createHash('sha256').update(`${server}\0${tool}`).digest('hex').slice(0, 8);
    name = `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}`;
  }
  let unique = name;
  for (let n = 2; taken.has(unique); n++) unique = `${name.slice(0, MAX_TOOL_NAME - String(n).length - 1)}_${n}`;
  taken.add(unique);
  return unique;
}
