/** The words of the MCP start-up notices (src/core/mcp/servers.ts `McpNotice`): one stderr warning each. */
import type { McpNotice } from '../../core/mcp/servers.js';

/** The warning line (without newline) for `notice`. */
export function mcpNoticeLine(notice: McpNotice): string {
  if (notice.type === 'tool_skipped') {
    const tool = notice.tool === undefined ? '(unnamed)' : `"${notice.tool}"`;
    return `kolega: MCP server "${notice.server}": tool ${tool} skipped: ${notice.problem}`;
  }
  return notice.stage === 'start'
    ? `kolega: MCP server "${notice.server}" failed to start: ${notice.reason} (continuing without it: --mcp-optional)`
    : `kolega: MCP server "${notice.server}" could not list its tools: ${notice.reason} (continuing without it)`;
}
