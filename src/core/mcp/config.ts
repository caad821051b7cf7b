/**
 * `--mcp-config FILE`: the common `{"mcpServers": {name: server}}` shape. A server is either
 * stdio `{command, args?, env?, cwd?}` or streamable HTTP `{url, headers?}`; either may add
 * `"readOnly": true` (its tools are then offered at every sandbox level; otherwise they need
 * full-access) and `"startupTimeoutMs"` (default MCP_STARTUP_TIMEOUT_MS).
 */
import path from 'node:path';
import { KolegaError } from '../errors.js';
import { JsonSyntaxError, parseJsonText } from '../json-syntax.js';
import { readRegularFile } from '../regular-file.js';

/** Default wait for a server to start and list its tools, in ms. */
export const MCP_STARTUP_TIMEOUT_MS = 30_000;

/** Fields every server may have. */
interface McpServerCommon {
  /** The key under `mcpServers`. */
  name: string;
  /** Its tools only read: offered under read-only too. */
  readOnly: boolean;
  /** Wait for start-up and tool listing, in ms. */
  startupTimeoutMs: number;
}

/** A server spawned as a child process, spoken to over stdin/stdout. */
export interface McpStdioServer extends McpServerCommon {
  kind: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Working directory (absolute); undefined = kolega's. */
  cwd?: string;
}

/** A server reached over streamable HTTP. */
export interface McpHttpServer extends McpServerCommon {
  kind: 'http';
  url: string;
  headers: Record<string, string>;
}

/** One configured server. */
export type McpServerConfig = McpStdioServer | McpHttpServer;

/** Largest `--mcp-config` file, in bytes (a config is small; this bounds a mistaken path). */
export const MAX_MCP_CONFIG_BYTES = 1024 * 1024;

function bad(file: string, message: string): KolegaError {
  return new KolegaError('usage', 'mcp_config_invalid', `--mcp-config ${file}: ${message}`, {
    hint: 'expected {"mcpServers": {"name": {"command": "...", "args": []} | {"url": "http://..."}}}',
  });
}

/** The JSON type of `v` as a reader would name it: string, number, boolean, null, array or object. */
function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function stringMap(file: string, where: string, v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw bad(file, `${where} must be an object of strings (got ${jsonType(v)})`);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw bad(file, `${where}: "${k}" must be a string (got ${jsonType(x)})`);
  }
  return v as Record<string, string>;
}

/** Checks that each present key of `s` among `keys` holds a string. */
function expectStrings(file: string, name: string, s: Record<string, unknown>, keys: string[]): void {
  for (const k of keys) {
    if (s[k] !== undefined && typeof s[k] !== 'string')
      throw bad(file, `server "${name}": "${k}" must be a string (got ${jsonType(s[k])})`);
  }
}

/**
 * Reads and checks the config file.
 * @returns the servers in file order
 * @throws KolegaError(usage, `mcp_config_unreadable` | `mcp_config_invalid` | `not_a_file` |
 *   `file_too_large`) -> exit 2
 */
export function readMcpConfig(file: string): McpServerConfig[] {
  let doc: unknown;
  try {
    doc = parseJsonText(readRegularFile(file, '--mcp-config', MAX_MCP_CONFIG_BYTES).toString('utf8'));
  } catch (err) {
    if (err instanceof KolegaError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT' ? 'no such file' : e instanceof JsonSyntaxError ? `not valid JSON (${e.message})` : e.message;
    throw new KolegaError('usage', 'mcp_config_unreadable', `cannot read --mcp-config ${file}: ${why}`);
  }
  const servers = (doc as { mcpServers?: unknown } | null)?.mcpServers;
  if (servers === null || typeof servers !== 'object' || Array.isArray(servers))
    throw bad(file, 'no "mcpServers" object');
  const base = path.dirname(path.resolve(file));
  return Object.entries(servers as Record<string, unknown>).map(([name, raw]) => parseServer(file, base, name, raw));
}

function parseServer(file: string, base: string, name: string, raw: unknown): McpServerConfig {
  if (name === '') throw bad(file, 'a server name is empty');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw bad(file, `server "${name}" must be an object`);
  const s = raw as Record<string, unknown>;
  expectStrings(file, name, s, ['command', 'url', 'cwd', 'type']);
  if (s.readOnly !== undefined && typeof s.readOnly !== 'boolean')
    throw bad(file, `server "${name}": "readOnly" must be true or false (got ${jsonType(s.readOnly)})`);
  const timeout = s.startupTimeoutMs ?? MCP_STARTUP_TIMEOUT_MS;
  if (typeof timeout !== 'number' || !(timeout > 0))
    throw bad(
      file,
      `server "${name}": "startupTimeoutMs" must be a positive number (got ${typeof timeout === 'number' ? timeout : jsonType(timeout)})`,
    );
  const common = { name, readOnly: s.readOnly === true, startupTimeoutMs: timeout };
  const type = s.type;
  if (type !== undefined && !['stdio', 'http', 'streamable-http', 'streamableHttp'].includes(String(type))) {
    throw bad(file, `server "${name}": type "${String(type)}" is not supported (stdio or http)`);
  }
  if (typeof s.command === 'string' && s.url === undefined) {
    if (s.command === '') throw bad(file, `server "${name}": command is empty`);
    const args = s.args ?? [];
    if (!Array.isArray(args))
      throw bad(file, `server "${name}": "args" must be an array of strings (got ${jsonType(args)})`);
    const badArg = args.findIndex((a) => typeof a !== 'string');
    if (badArg >= 0)
      throw bad(file, `server "${name}": "args"[${badArg}] must be a string (got ${jsonType(args[badArg])})`);
    return {
      ...common,
      kind: 'stdio',
      command: s.command,
      args: args as string[],
      env: stringMap(file, `server "${name}" env`, s.env),
      cwd: typeof s.cwd === 'string' ? path.resolve(base, s.cwd) : undefined,
    };
  }
  if (typeof s.url === 'string' && s.command === undefined) {
    let url: URL;
    try {
      url = new URL(s.url);
    } catch {
      throw bad(file, `server "${name}": url is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(file, `server "${name}": url must be http(s)`);
    return { ...common, kind: 'http', url: url.href, headers: stringMap(file, `server "${name}" headers`, s.headers) };
  }
  throw bad(file, `server "${name}" needs either "command" or "url" (not both)`);
}
