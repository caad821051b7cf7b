#!/usr/bin/env node
/**
 * A small MCP server for tests, built with the official SDK (stdio transport). Plain JS so it
 * starts fast without a TypeScript loader.
 *   --crash           write to stderr and exit 3 before speaking MCP
 *   --pidfile FILE    write this process's pid to FILE
 *   --logfile FILE    append one line per tool call
 *   --hang            add a tool `hang` that never answers
 *   --bad-schemas     add tools whose inputSchema is unusable: `wrong_type` ("type": "string", which
 *                     the SDK's own tools/list validation rejects) and `bad_json_schema` (an
 *                     unknown JSON Schema type)
 *   --big-utf8 N      `echo` answers with "a" and N copies of "é" instead (odd byte offsets)
 * Tools: echo {text}, fail {}, "odd name.v2" {}, sum {a, b} (structuredContent only).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (argv.includes('--crash')) {
  process.stderr.write('fake-mcp: cannot open database /nonexistent/db.sqlite\n');
  process.exit(3);
}
if (opt('--pidfile')) writeFileSync(opt('--pidfile'), String(process.pid));
const log = (line) => opt('--logfile') && appendFileSync(opt('--logfile'), line + '\n');

const server = new Server({ name: 'fake-mcp', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: 'echo',
      description: 'Echo the text back',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    },
    { name: 'fail', description: 'Always fails', inputSchema: { type: 'object' } },
    {
      name: 'odd name.v2',
      description: 'A tool whose name needs sanitizing',
      inputSchema: { type: 'object', properties: {} },
    },
    {
      name: 'sum',
      description: 'Add two numbers',
      inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
    },
    ...(argv.includes('--hang')
      ? [{ name: 'hang', description: 'Never answers', inputSchema: { type: 'object', properties: {} } }]
      : []),
    ...(argv.includes('--bad-schemas')
      ? [
          { name: 'wrong_type', description: 'Input is not an object', inputSchema: { type: 'string' } },
          {
            name: 'bad_json_schema',
            description: 'Unknown JSON Schema type',
            inputSchema: { type: 'object', properties: { x: { type: 'nonsense' } } },
          },
        ]
      : []),
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async (req) => {
  const { name, arguments: args = {} } = req.params;
  log(`${name} ${JSON.stringify(args)}`);
  switch (name) {
    case 'hang':
      return new Promise(() => undefined);
    case 'echo':
      if (opt('--big-utf8')) return { content: [{ type: 'text', text: 'a' + 'é'.repeat(Number(opt('--big-utf8'))) }] };
      return {
        content: [
          { type: 'text', text: `echo: ${args.text}` },
          { type: 'text', text: 'second part' },
        ],
      };
    case 'fail':
      return { content: [{ type: 'text', text: 'something broke' }], isError: true };
    case 'odd name.v2':
      return { content: [{ type: 'text', text: 'odd ok' }] };
    case 'sum':
      return { content: [], structuredContent: { sum: Number(args.a) + Number(args.b) } };
    default:
      return { content: [{ type: 'text', text: `unknown tool ${name}` }], isError: true };
  }
});
await server.connect(new StdioServerTransport());
