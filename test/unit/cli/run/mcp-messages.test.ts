/** The MCP start-up warnings (src/cli/run/mcp-messages.ts): core reports what was left out, the CLI words it. */
import { describe, expect, it } from 'vitest';
import { mcpNoticeLine } from '../../../../src/cli/run/mcp-messages.js';

describe('mcpNoticeLine', () => {
  it('words a skipped server by the stage that failed', () => {
    expect(mcpNoticeLine({ type: 'server_skipped', server: 'db', stage: 'start', reason: 'spawn x ENOENT' })).toBe(
      'kolega: MCP server "db" failed to start: spawn x ENOENT (continuing without it: --mcp-optional)',
    );
    expect(mcpNoticeLine({ type: 'server_skipped', server: 'db', stage: 'list_tools', reason: 'timed out' })).toBe(
      'kolega: MCP server "db" could not list its tools: timed out (continuing without it)',
    );
  });

  it('words a skipped tool, named or not', () => {
    expect(mcpNoticeLine({ type: 'tool_skipped', server: 'fake', tool: 'wrong', problem: 'bad schema' })).toBe(
      'kolega: MCP server "fake": tool "wrong" skipped: bad schema',
    );
    expect(mcpNoticeLine({ type: 'tool_skipped', server: 'fake', problem: 'no name' })).toBe(
      'kolega: MCP server "fake": tool (unnamed) skipped: no name',
    );
  });
});
