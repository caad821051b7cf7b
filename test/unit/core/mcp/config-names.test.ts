/** MCP config parsing and tool naming. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMcpConfig } from '../../../../src/core/mcp/config.js';
import { mcpToolName } from '../../../../src/core/mcp/names.js';
import { mcpResultText, MCP_MAX_OUTPUT_BYTES } from '../../../../src/core/mcp/result.js';
import { tempDir } from '../../../helpers/cli.js';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const config = (doc: unknown) => {
  const f = path.join(dir.dir, 'mcp.json');
  writeFileSync(f, JSON.stringify(doc));
  return () => readMcpConfig(f);
};

describe('readMcpConfig', () => {
  it('reads stdio and http servers with defaults', () => {
    const servers = config({
      mcpServers: {
        a: { command: 'node', args: ['s.js'], env: { X: '1' }, cwd: 'sub' },
        b: {
          url: 'http://127.0.0.1:1/mcp',
          headers: { Authorization: 'Bearer t' },
          readOnly: true,
          startupTimeoutMs: 500,
        },
      },
    })();
    expect(servers).toEqual([
      {
        name: 'a',
        kind: 'stdio',
        command: 'node',
        args: ['s.js'],
        env: { X: '1' },
        cwd: path.join(dir.dir, 'sub'),
        readOnly: false,
        startupTimeoutMs: 30_000,
      },
      {
        name: 'b',
        kind: 'http',
        url: 'http://127.0.0.1:1/mcp',
        headers: { Authorization: 'Bearer t' },
        readOnly: true,
        startupTimeoutMs: 500,
      },
    ]);
  });

  it('rejects bad shapes with exit-2 errors', () => {
    expect(config({})).toThrow(/no "mcpServers" object/);
    expect(config({ mcpServers: { a: {} } })).toThrow(/needs either "command" or "url"/);
    expect(config({ mcpServers: { a: { command: 'x', url: 'http://h' } } })).toThrow(/not both/);
    expect(config({ mcpServers: { a: { command: 'x', args: 'y' } } })).toThrow(
      /"args" must be an array of strings \(got string\)/,
    );
    expect(config({ mcpServers: { a: { url: 'ftp://h' } } })).toThrow(/must be http/);
    expect(config({ mcpServers: { a: { command: 'x', readOnly: 'yes' } } })).toThrow(
      /"readOnly" must be true or false \(got string\)/,
    );
    expect(config({ mcpServers: { a: { type: 'sse', url: 'http://h' } } })).toThrow(/type "sse" is not supported/);
    try {
      config({})();
    } catch (err) {
      expect(err).toMatchObject({ exitClass: 'usage', code: 'mcp_config_invalid' });
    }
  });
});

describe('mcpToolName', () => {
  it('sanitizes, caps at 64 characters and keeps names unique', () => {
    const taken = new Set<string>();
    expect(mcpToolName('my server', 'read.file', taken)).toBe('mcp__my_server__read_file');
    expect(mcpToolName('my.server', 'read file', taken)).toBe('mcp__my_server__read_file_2');
    const long = mcpToolName('s', 'x'.repeat(100), taken);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^mcp__s__x+_[0-9a-f]{8}$/);
    for (const n of taken) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });
});

describe('mcpResultText', () => {
  it('joins text parts, names the others, falls back to structured content, and caps the size', () => {
    expect(
      mcpResultText({
        content: [
          { type: 'text', text: 'a' },
          { type: 'image', mimeType: 'image/png', data: 'xx' },
          { type: 'text', text: 'b' },
        ],
      }),
    ).toBe('a\n[image image/png omitted]\nb');
    expect(mcpResultText({ content: [], structuredContent: { n: 1 } })).toBe('{"n":1}');
    expect(mcpResultText({})).toBe('(no output)');
    const big = mcpResultText({ content: [{ type: 'text', text: 'x'.repeat(MCP_MAX_OUTPUT_BYTES + 10) }] });
    expect(big).toMatch(/\[\.\.\. 10 bytes of output omitted \.\.\.\]$/);
  });
});

describe('mcpParameters', () => {
  it('makes the root an object with properties and gives every array items', async () => {
    const { mcpParameters } = await import('../../../../src/core/mcp/schema.js');
    expect(mcpParameters(undefined)).toEqual({ type: 'object', properties: {} });
    const input = {
      type: 'object',
      properties: {
        tags: { type: 'array' },
        nested: { type: 'object', properties: { ids: { type: ['array', 'null'] } } },
      },
    };
    expect(mcpParameters(input)).toEqual({
      type: 'object',
      properties: {
        tags: { type: 'array', items: {} },
        nested: { type: 'object', properties: { ids: { type: ['array', 'null'], items: {} } } },
      },
    });
    expect(input.properties.tags).toEqual({ type: 'array' });
  });
});
